from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "assessment.started": _("Diagnostic commencé"),
    "assessment.answered": _("Réponse au diagnostic enregistrée"),
    "assessment.completed": _("Diagnostic terminé"),
    "assessment.evidence_added": _("Preuve jointe à une réponse"),
    "assessment.evidence_removed": _("Preuve retirée d'une réponse"),
}
