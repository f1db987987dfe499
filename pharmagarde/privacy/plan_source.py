"""Data protection as a source of the action plan: the processors' missing clauses, expired
reviews and unsafe remote access, and the measures planned by impact assessments. Each part
lists its own `items(organisation) -> [PlanItem]` in PROVIDERS; keys are prefixed by the
part ("sous-traitant:…", "aipd:…")."""

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from pharmagarde.actions.services import plan_reconcile
from pharmagarde.actions.sources import OriginSource

PROVIDERS: tuple[str, ...] = (
    "pharmagarde.privacy.processor_services.items",
    "pharmagarde.privacy.dpia_services.items",
)


class PrivacySource(OriginSource):
    name = "rgpd"
    label = _("Protection des données")
    resolved_label = _("Réglée côté protection des données")
    origin_note = _("Vient d'un sous-traitant ou d'une analyse d'impact.")


SOURCE = PrivacySource()


def plan_items(organisation) -> list:
    return [item for path in PROVIDERS for item in import_string(path)(organisation)]


def plan_sync(*, organisation, acting_user=None):
    """Hand the plan the current list; called after every change that may alter it."""
    return plan_reconcile(acting_user=acting_user, organisation=organisation,
                          source=SOURCE.name, items=plan_items(organisation))
