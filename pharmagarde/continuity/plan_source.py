"""Continuity as a source of the action plan: the findings of crisis exercises and the
restore tests that failed or are overdue. Each part lists its own `items(organisation) ->
[PlanItem]` in `providers`; keys are prefixed by the part ("exercice:…", "restauration:…")."""

from django.utils.translation import gettext_lazy as _

from pharmagarde.actions.sources import OriginSource


class ContinuitySource(OriginSource):
    providers = (
        "pharmagarde.continuity.restore_services.items",
        "pharmagarde.continuity.exercise_services.items",
    )
    name = "continuite"
    label = _("Continuité d'activité")
    resolved_label = _("Réglée côté continuité")
    origin_note = _("Vient d'un exercice de crise ou d'un test de restauration.")


SOURCE = ContinuitySource()


# What the app's services call.
plan_items = SOURCE.items
plan_sync = SOURCE.sync
