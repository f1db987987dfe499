"""The legal steps of an incident (clocks.py): recording one as done, late with its reason,
or not applicable; and the organisation's response profile, which decides which apply."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from pharmagarde.core.access import org_view

from .. import clocks, services
from ..access import get_incident_or_404
from ..forms import ObligationForm, ResponseProfileForm
from ..models import Incident, Obligation, ResponseProfile
from ..roles import REGISTER_ROLES


@org_view(roles=REGISTER_ROLES, write=True)
def obligation_edit(request, incident_id, code):
    incident = get_incident_or_404(request, incident_id)
    if code not in clocks.STEPS:
        raise Http404
    detail = reverse("incident_detail", args=[request.organisation.slug, incident.pk])
    if incident.status == Incident.Status.CLOSED:
        messages.error(request, _("Cet incident est clos : rouvrez-le pour le modifier."))
        return redirect(detail)
    now = timezone.now()
    clock = clocks.clock_of(incident, code, now=now, organisation=request.organisation)
    obligation = Obligation.objects.filter(incident=incident, code=code).first()
    initial = {"done_at": timezone.localtime(now)}
    if obligation is not None:
        initial = {"done_at": obligation.done_at and timezone.localtime(obligation.done_at),
                   "reference": obligation.reference,
                   "delay_reason": obligation.delay_reason,
                   "not_applicable": obligation.not_applicable}
    form = ObligationForm(request.POST or None, initial=initial, deadline=clock.due_at,
                          now=now)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.obligation_record(
                acting_user=request.user, incident=incident, code=code,
                done_at=data["done_at"], reference=data["reference"],
                delay_reason=data.get("delay_reason", ""),
                not_applicable=data["not_applicable"], request=request)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        except services.ClosedRecord as error:
            messages.error(request, str(error))
            return redirect(detail)
        else:
            messages.success(request, _("Démarche enregistrée : %(step)s.") % {
                "step": clock.title})
            return redirect(f"{detail}#delais")
    return render(request, "incidents/obligation_form.html",
                  {"incident": incident, "clock": clock, "form": form},
                  status=422 if form.errors else 200)


def _next_url(request) -> str:
    """Where to go back after the profile: the page that linked to it (a path of this
    organisation), else the incident list."""
    target = request.POST.get("suite") or request.GET.get("suite") or ""
    if (target.startswith(f"/o/{request.organisation.slug}/")
            and url_has_allowed_host_and_scheme(target, allowed_hosts=None)):
        return target
    return reverse("incident_list", args=[request.organisation.slug])


@org_view(roles=REGISTER_ROLES, write=True)
def profile_edit(request):
    """The response profile: NIS 2 entity, cyber-insurance, CERT Santé."""
    organisation = request.organisation
    profile = (ResponseProfile.objects.filter(organisation=organisation).first()
               or ResponseProfile(organisation=organisation))
    form = ResponseProfileForm(request.POST or None, instance=profile,
                               organisation_kind=organisation.kind)
    if request.method == "POST" and form.is_valid():
        services.response_profile_save(
            acting_user=request.user, organisation=organisation,
            values={name: form.cleaned_data[name] for name in ResponseProfileForm.Meta.fields},
            request=request)
        messages.success(request, _("Profil enregistré : les délais des incidents en "
                                    "tiennent compte."))
        return redirect(_next_url(request))
    return render(request, "incidents/profile_form.html",
                  {"form": form, "suite": _next_url(request)},
                  status=422 if form.errors else 200)


urlpatterns = [
    path("<int:incident_id>/demarches/<slug:code>/", obligation_edit,
         name="incident_obligation"),
    path("profil/", profile_edit, name="incident_profile"),
]
