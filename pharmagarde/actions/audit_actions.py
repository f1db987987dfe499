from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "action.created": _("Action ajoutée au plan"),
    "action.updated": _("Action modifiée"),
    "action.closed": _("Action terminée"),
    "action.deleted": _("Action supprimée"),
    "action.evidence_added": _("Preuve jointe à une action"),
    "action.evidence_removed": _("Preuve retirée d'une action"),
    # By a source (the diagnostic…): details name it ("origine") and count the changes.
    "plan.synced": _("Plan d'action mis à jour automatiquement"),
    "plan.exported": _("Plan d'action exporté"),
}
