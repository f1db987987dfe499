"""The register of personal data breaches (art. 33(5) GDPR): every breach, notified or
not, for the people who handle them (roles.REGISTER_ROLES)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from pharmagarde.core.access import org_view

from .. import services
from ..access import get_breach_or_404
from ..forms import BreachForm, ReopenForm
from ..models import Breach, RecordVersion
from ..roles import REGISTER_ROLES

PAGE_SIZE = 50


@org_view(roles=REGISTER_ROLES)
def breach_list(request):
    """The register, newest first (three queries whatever its size)."""
    breaches = (Breach.objects.filter(organisation=request.organisation)
                .select_related("incident").order_by("-aware_at", "-id"))
    page = Paginator(breaches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incidents/breach_list.html", {"page": page})


@org_view(roles=REGISTER_ROLES)
def breach_detail(request, breach_id):
    breach = get_breach_or_404(request, breach_id)
    versions = (RecordVersion.objects.filter(organisation=request.organisation,
                                             record_type="breach", record_id=breach.pk)
                .select_related("author")[:50])
    return render(request, "incidents/breach_detail.html",
                  {"breach": breach, "versions": versions})


@org_view(roles=REGISTER_ROLES, write=True)
def breach_edit(request, breach_id):
    breach = get_breach_or_404(request, breach_id)
    if breach.status == Breach.Status.CLOSED:
        messages.error(request, _("Cette fiche est close : rouvrez-la pour la modifier."))
        return redirect("breach_detail", request.organisation.slug, breach.pk)
    form = BreachForm(request.POST or None, instance=Breach.objects.get(pk=breach.pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in BreachForm.Meta.fields}
        try:
            services.breach_update(acting_user=request.user, breach=breach, values=values,
                                   revision=form.cleaned_data["revision"], request=request)
        except services.RecordConflict as error:
            conflict = error.current
        else:
            messages.success(request, _("Fiche du registre enregistrée."))
            return redirect("breach_detail", request.organisation.slug, breach.pk)
    return render(request, "incidents/breach_form.html",
                  {"breach": breach, "form": form, "conflict": conflict},
                  status=409 if conflict else 422 if form.errors else 200)


@org_view(roles=REGISTER_ROLES, write=True)
def breach_reopen(request, breach_id):
    breach = get_breach_or_404(request, breach_id)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.breach_reopen(acting_user=request.user, breach=breach,
                               reason=form.cleaned_data["reason"], request=request)
        messages.success(request, _("Fiche rouverte."))
        return redirect("breach_detail", request.organisation.slug, breach.pk)
    return render(request, "incidents/breach_reopen.html", {"breach": breach, "form": form},
                  status=422 if form.errors else 200)


urlpatterns = [
    path("registre/", breach_list, name="breach_list"),
    path("registre/<int:breach_id>/", breach_detail, name="breach_detail"),
    path("registre/<int:breach_id>/modifier/", breach_edit, name="breach_edit"),
    path("registre/<int:breach_id>/rouvrir/", breach_reopen, name="breach_reopen"),
]
