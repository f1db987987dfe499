"""Data protection as a source of the action plan: the processors' missing clauses, expired
reviews and unsafe remote access, and the measures planned by impact assessments. Each part
lists its own `items(organisation) -> [PlanItem]` in `providers`; keys are prefixed by the
part ("sous-traitant:…", "aipd:…")."""

from django.utils.translation import gettext_lazy as _

from pharmagarde.actions.sources import OriginSource


class PrivacySource(OriginSource):
    providers = (
        "pharmagarde.privacy.processor_services.items",
        "pharmagarde.privacy.dpia_services.items",
    )
    name = "rgpd"
    label = _("Protection des données")
    resolved_label = _("Réglée côté protection des données")
    origin_note = _("Vient d'un sous-traitant ou d'une analyse d'impact.")


SOURCE = PrivacySource()


# What the app's services call.
plan_items = SOURCE.items
plan_sync = SOURCE.sync
