"""The degraded-mode kit: what the team needs on paper when the computers are down — the
first reflexes, the emergency contacts, the crisis cell, the procedure of each critical
activity and the paper forms to fill in by hand. Shown as a page (kit/) and made as a PDF
to print and keep offline (kit.pdf), which marks the plan's kit as printed.

Every member reads it. A PDF made by a member who can write is the copy to keep: the plan
then shows when it was printed and whether the plan changed since. The auditor's
download is audited but changes nothing.
"""

from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from pharmagarde.core.access import org_view
from pharmagarde.core.documents import pdf_response
from pharmagarde.incidents.contacts import missing_slots, organisation_contacts
from pharmagarde.incidents.models import EmergencyContact
from pharmagarde.incidents.playbooks import playbook
from pharmagarde.inventory.models import Device, Software

from .. import forms_paper, plan_services
from ..models import CriticalActivity
from .plan import visited_plan


def lines(text: str) -> list[str]:
    """The non-empty lines of a text typed one step per line (leading dashes and
    numbers removed: the kit numbers them itself)."""
    found = []
    for line in text.splitlines():
        line = line.strip().lstrip("-•*").strip()
        head, _dot, rest = line.partition(". ")
        if head.isdigit() and rest:
            line = rest.strip()
        if line:
            found.append(line)
    return found


def kit_context(request, *, rows: int) -> dict:
    """Everything the kit shows. A fixed number of queries: the plan, its activities with
    their devices and software (two prefetches), the contacts."""
    organisation = request.organisation
    plan = visited_plan(request)
    activities = []
    if plan is not None:
        activities = list(
            CriticalActivity.objects.filter(organisation=organisation)
            .prefetch_related(
                Prefetch("devices", queryset=Device.objects.order_by("name", "pk")),
                Prefetch("software", queryset=Software.objects.order_by("name", "pk")))
            [:plan_services.MAX_ACTIVITIES])
    used = {key for item in activities for key in item.paper_forms}
    paper = forms_paper.forms_for(organisation.kind, used)
    titles = {form.key: form.title for form in paper}
    for item in activities:
        item.steps = lines(item.degraded_procedure)
        item.role_lines = lines(item.roles)
        item.return_steps = lines(item.return_to_normal)
        item.form_titles = [titles[key] for key in item.paper_forms if key in titles]
        item.inventory = [*item.devices.all(), *item.software.all()]
    sheets = [{"form": form, "rows": range(rows),
               "used_by": [item.name for item in activities if form.key in item.paper_forms]}
              for form in paper]
    contacts = organisation_contacts(organisation)
    steps = playbook("rancongiciel").steps_for(organisation.kind)
    return {
        "plan": plan, "activities": activities, "sheets": sheets, "contacts": contacts,
        "slots": missing_slots(contacts), "now": timezone.localtime(),
        "reflexes": [{"step": step,
                      "calls": [EmergencyContact.Kind(call).label for call in step.call]}
                     for step in steps]}


@org_view
@require_safe
def continuity_kit(request):
    context = kit_context(request, rows=forms_paper.PREVIEW_ROWS)
    context["can_write"] = request.membership.can_write
    return render(request, "continuity/kit.html", context)


@org_view
@require_safe
def continuity_kit_pdf(request):
    context = kit_context(request, rows=forms_paper.PRINTED_ROWS)
    plan = context["plan"]
    return pdf_response(
        request, "continuity/pdf/kit.html", context,
        stem=f"kit-mode-degrade-{request.organisation.slug}",
        audited=lambda: plan_services.kit_printed(
            acting_user=request.user, organisation=request.organisation,
            revision=plan.revision if plan else None, mark=request.membership.can_write,
            request=request))


urlpatterns = [
    path("kit/", continuity_kit, name="continuity_kit"),
    path("kit.pdf", continuity_kit_pdf, name="continuity_kit_pdf"),
]
