"""Declaring an incident (two screens: what happens, then what is seen and when) and
handling it: the reflexes to tick, the timeline, the record, closing and reopening."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view
from pharmagarde.core.files import check_upload, download_response
from pharmagarde.core.i18n import translated
from pharmagarde.lib.uploads import UploadError, display_name, storage_name

from .. import clocks, services
from ..access import (
    get_incident_or_404,
    get_reflexstep_or_404,
    get_timelinefile_or_404,
    sees_all,
    visible_incidents,
)
from ..forms import CloseForm, DeclareForm, IncidentForm, KindForm, NoteForm, ReopenForm
from ..models import Incident, RecordVersion
from ..playbooks import playbook
from ..roles import REGISTER_ROLES

PAGE_SIZE = 50


@org_view(write=True)
def incident_declare(request):
    """Screen 1: what happens (one tap). Screen 2: what is seen, personal data, when."""
    kind = request.POST.get("kind") or request.GET.get("type")
    if kind not in Incident.Kind.values:
        form = KindForm(request.GET or None) if "type" in request.GET else KindForm()
        return render(request, "incidents/declare_kind.html", {"form": form},
                      status=422 if "type" in request.GET else 200)
    if request.method == "POST":
        form = DeclareForm(request.POST)
        if form.is_valid():
            incident = services.incident_declare(
                acting_user=request.user, organisation=request.organisation,
                kind=form.cleaned_data["kind"], description=form.cleaned_data["description"],
                noticed_at=form.cleaned_data["noticed_at"],
                started_at=form.cleaned_data["started_at"],
                personal_data=form.cleaned_data["personal_data"], request=request)
            messages.success(request, _("Incident déclaré. Suivez les réflexes ci-dessous, "
                                        "dans l'ordre."))
            return redirect("incident_detail", request.organisation.slug, incident.pk)
    else:
        form = DeclareForm(initial={"kind": kind, "noticed_at": timezone.localtime()})
    return render(request, "incidents/declare_details.html",
                  {"form": form, "kind": Incident.Kind(kind), "playbook": playbook(kind)},
                  status=422 if form.errors else 200)


@org_view
def incident_list(request):
    """The organisation's incidents (a collaborateur: those they declared), newest first,
    filtered by state. Four queries whatever the number."""
    incidents = visible_incidents(request).select_related("breach")
    status = request.GET.get("etat", "")
    if status in Incident.Status.values:
        incidents = incidents.filter(status=status)
    page = Paginator(incidents.order_by("-noticed_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "incidents/incident_list.html",
                  {"page": page, "status": status, "statuses": Incident.Status.choices,
                   "sees_all": sees_all(request)})


@org_view
def incident_detail(request, incident_id):
    incident = get_incident_or_404(request, incident_id)
    steps = list(incident.steps.select_related("done_by"))
    timeline = list(incident.timeline.select_related("author").prefetch_related("files"))
    book = playbook(incident.kind)
    calls = {step.id: step.call for step in book.steps}
    for step in steps:
        step.call = calls.get(step.key, ())
    return render(request, "incidents/incident_detail.html", {
        "incident": incident, "steps": steps, "timeline": timeline,
        "done": sum(1 for step in steps if step.done_at), "note_form": NoteForm(),
        "sees_all": sees_all(request),
        "breach": getattr(incident, "breach", None) if sees_all(request) else None,
        "clocks": clocks.of_incident(incident, now=timezone.now(),
                                     organisation=request.organisation)
        if sees_all(request) else [],
        "versions": RecordVersion.objects.filter(
            organisation=request.organisation, record_type="incident",
            record_id=incident.pk).select_related("author")[:20] if sees_all(request) else [],
    })


@org_view(write=True)
@require_POST
def step_toggle(request, reflexstep_id):
    step = get_reflexstep_or_404(request, reflexstep_id)
    services.step_toggle(acting_user=request.user, step=step,
                         done=request.POST.get("done") == "1", request=request)
    return redirect(f"{_detail_url(request, step.incident_id)}#reflexe-{step.pk}")


@org_view(write=True)
@require_POST
def note_add(request, incident_id):
    incident = get_incident_or_404(request, incident_id)
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        attachment = None
        uploaded = form.cleaned_data["file"]
        try:
            if uploaded is not None or getattr(request, "upload_too_large", False):
                content_type = check_upload(request, uploaded)
                name = display_name(uploaded.name)
                attachment = (uploaded, content_type, storage_name(name), name)
            services.note_add(acting_user=request.user, incident=incident,
                              text=form.cleaned_data["text"], at=form.cleaned_data["at"],
                              attachment=attachment, request=request)
        except UploadError as error:
            form.add_error("file", translated(error.args[0]))
        except ValidationError as invalid:
            form.add_error("file", " ".join(invalid.messages))
        else:
            messages.success(request, _("Ajouté au fil de l'incident."))
            return redirect(f"{_detail_url(request, incident.pk)}#fil")
    return render(request, "incidents/note_form.html", {"incident": incident, "form": form},
                  status=422)


@org_view
def timelinefile_download(request, timelinefile_id):
    return download_response(get_timelinefile_or_404(request, timelinefile_id))


@org_view(write=True)
def incident_edit(request, incident_id):
    incident = get_incident_or_404(request, incident_id)
    if incident.status == Incident.Status.CLOSED:
        messages.error(request, _("Cet incident est clos : rouvrez-le pour le modifier."))
        return redirect("incident_detail", request.organisation.slug, incident.pk)
    form = IncidentForm(request.POST or None, instance=Incident.objects.get(pk=incident.pk))
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.incident_update(acting_user=request.user, incident=incident,
                                     values=values, revision=form.cleaned_data["revision"],
                                     request=request)
        except services.RecordConflict as error:
            conflict = error.current
        else:
            messages.success(request, _("Incident enregistré."))
            return redirect("incident_detail", request.organisation.slug, incident.pk)
    return render(request, "incidents/incident_form.html",
                  {"incident": incident, "form": form, "conflict": conflict},
                  status=409 if conflict else 422 if form.errors else 200)


@org_view(write=True, roles=REGISTER_ROLES)
def incident_close(request, incident_id):
    incident = get_incident_or_404(request, incident_id)
    if incident.status == Incident.Status.CLOSED:
        return redirect("incident_detail", request.organisation.slug, incident.pk)
    form = CloseForm(request.POST or None, initial={"revision": incident.revision,
                                                    "lessons": incident.lessons})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_close(acting_user=request.user, incident=incident,
                                    lessons=form.cleaned_data["lessons"],
                                    revision=form.cleaned_data["revision"], request=request)
        except services.RecordConflict as error:
            conflict = error.current
        else:
            messages.success(request, _("Incident clos. Les mesures du retour d'expérience "
                                        "sont au plan d'action."))
            return redirect("incident_detail", request.organisation.slug, incident.pk)
    return render(request, "incidents/incident_close.html",
                  {"incident": incident, "form": form, "conflict": conflict},
                  status=409 if conflict else 422 if form.errors else 200)


@org_view(write=True, roles=REGISTER_ROLES)
def incident_reopen(request, incident_id):
    incident = get_incident_or_404(request, incident_id)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.incident_reopen(acting_user=request.user, incident=incident,
                                 reason=form.cleaned_data["reason"], request=request)
        messages.success(request, _("Incident rouvert."))
        return redirect("incident_detail", request.organisation.slug, incident.pk)
    return render(request, "incidents/incident_reopen.html",
                  {"incident": incident, "form": form}, status=422 if form.errors else 200)


def _detail_url(request, incident_id):
    from django.urls import reverse

    return reverse("incident_detail", args=[request.organisation.slug, incident_id])


urlpatterns = [
    path("declarer/", incident_declare, name="incident_declare"),
    path("", incident_list, name="incident_list"),
    path("<int:incident_id>/", incident_detail, name="incident_detail"),
    path("<int:incident_id>/modifier/", incident_edit, name="incident_edit"),
    path("<int:incident_id>/fil/", note_add, name="incident_note_add"),
    path("<int:incident_id>/clore/", incident_close, name="incident_close"),
    path("<int:incident_id>/rouvrir/", incident_reopen, name="incident_reopen"),
    path("reflexes/<int:reflexstep_id>/", step_toggle, name="incident_step_toggle"),
    path("fichiers/<int:timelinefile_id>/", timelinefile_download,
         name="incident_file_download"),
]
