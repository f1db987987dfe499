from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "action.created": _("Action ajoutée au plan"),
    "action.updated": _("Action modifiée"),
    "action.closed": _("Action terminée"),
    "action.deleted": _("Action supprimée"),
    "action.evidence_added": _("Preuve jointe à une action"),
    "action.evidence_removed": _("Preuve retirée d'une action"),
    "plan.synced": _("Plan d'action mis à jour depuis le diagnostic"),
    "plan.exported": _("Plan d'action exporté"),
}
