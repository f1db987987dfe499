"""Continuity as a source of the action plan: the findings of crisis exercises and the
restore tests that failed or are overdue. Each part lists its own `items(organisation) ->
[PlanItem]` in PROVIDERS; keys are prefixed by the part ("exercice:…", "restauration:…")."""

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from pharmagarde.actions.services import plan_reconcile
from pharmagarde.actions.sources import OriginSource

PROVIDERS: tuple[str, ...] = (
    "pharmagarde.continuity.restore_services.items",
    "pharmagarde.continuity.exercise_services.items",
)


class ContinuitySource(OriginSource):
    name = "continuite"
    label = _("Continuité d'activité")
    resolved_label = _("Réglée côté continuité")
    origin_note = _("Vient d'un exercice de crise ou d'un test de restauration.")


SOURCE = ContinuitySource()


def plan_items(organisation) -> list:
    return [item for path in PROVIDERS for item in import_string(path)(organisation)]


def plan_sync(*, organisation, acting_user=None):
    return plan_reconcile(acting_user=acting_user, organisation=organisation,
                          source=SOURCE.name, items=plan_items(organisation))
