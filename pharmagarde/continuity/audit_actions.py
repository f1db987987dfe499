from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "continuity.activity_saved": _("Activité critique enregistrée"),
    "continuity.activity_deleted": _("Activité critique supprimée"),
    "continuity.plan_prefilled": _("Plan de continuité prérempli"),
    "continuity.plan_reviewed": _("Plan de continuité revu"),
    "continuity.crisis_cell_saved": _("Cellule de crise du plan de continuité enregistrée"),
    "continuity.kit_printed": _("Kit du mode dégradé imprimé"),
    "continuity.restore_logged": _("Test de restauration enregistré"),
    "continuity.restore_evidence_added": _("Preuve d'un test de restauration ajoutée"),
    "continuity.exercise_created": _("Exercice de crise préparé"),
    "continuity.exercise_started": _("Exercice de crise commencé"),
    "continuity.exercise_event": _("Événement d'un exercice noté"),
    "continuity.exercise_finished": _("Exercice de crise terminé"),
    "continuity.report_downloaded": _("Rapport d'exercice téléchargé"),
    "continuity.exercise_updated": _("Exercice de crise modifié"),
}
