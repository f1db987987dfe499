"""The lessons of closed incidents as a source of the action plan: one action per line of
an incident's « retour d'expérience ». Declared in apps.py (`plan_sources=`)."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from pharmagarde.actions.services import plan_reconcile
from pharmagarde.actions.sources import ClosedItem, Closes, PlanItem, Source

from .models import Incident


class IncidentSource(Source):
    name = "incidents"
    label = _("Retours d'expérience des incidents")
    resolved_label = _("Retirée du retour d'expérience")
    origin_note = _("Vient du retour d'expérience d'un incident clos.")

    def describe(self, actions: Sequence) -> dict:
        return {action.pk: Closes(
            heading=str(_("Incident d'origine")),
            summary=(action.source_data or {}).get("incident", ""),
            items=(ClosedItem((action.source_data or {}).get("incident", "")),),
            done_note=str(_("L'action reste au plan tant que la ligne figure au retour "
                            "d'expérience de l'incident.")))
            for action in actions if action.source == self.name}


SOURCE = IncidentSource()


def lesson_lines(lessons: str) -> list[str]:
    """The measures of a review: one per non-empty line, list marks removed."""
    return [line.strip().lstrip("-•*").strip() for line in lessons.splitlines()
            if line.strip().lstrip("-•*").strip()]


def plan_items(organisation) -> list[PlanItem]:
    items = []
    for pk, number, kind, lessons in (Incident.objects.filter(
            organisation=organisation, status=Incident.Status.CLOSED).exclude(lessons="")
            .order_by("number").values_list("pk", "number", "kind", "lessons")):
        label = f"INC-{number:04d} ({Incident.Kind(kind).label})"
        for index, line in enumerate(lesson_lines(lessons), start=1):
            items.append(PlanItem(
                key=f"incident:{pk}:{index}", title=line[:200],
                why=f"Retour d'expérience de l'incident {label}.", priority=150 + index,
                criticality="majeure", data={"incident": label}))
    return items


def plan_sync(*, organisation, acting_user=None):
    return plan_reconcile(acting_user=acting_user, organisation=organisation,
                          source=SOURCE.name, items=plan_items(organisation))
