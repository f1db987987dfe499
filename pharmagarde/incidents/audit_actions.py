from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "incident.declared": _("Incident déclaré"),
    "incident.updated": _("Incident modifié"),
    "incident.step_done": _("Réflexe coché"),
    "incident.step_undone": _("Réflexe décoché"),
    "incident.note_added": _("Note ajoutée au fil de l'incident"),
    "incident.file_added": _("Pièce jointe ajoutée à un incident"),
    "incident.closed": _("Incident clos"),
    "incident.reopened": _("Incident rouvert"),
    "incident.obligation_recorded": _("Démarche d'un incident enregistrée"),
    "incident.profile_changed": _("Profil de réponse aux incidents modifié"),
    "incident.contact_saved": _("Contact d'urgence enregistré"),
    "incident.contact_deleted": _("Contact d'urgence supprimé"),
    "incident.draft_downloaded": _("Brouillon de déclaration téléchargé"),
    "breach.opened": _("Violation de données inscrite au registre"),
    "breach.updated": _("Fiche du registre des violations modifiée"),
    "breach.decided": _("Décision sur une violation de données"),
    "breach.closed": _("Fiche du registre des violations close"),
    "breach.reopened": _("Fiche du registre des violations rouverte"),
    "breach.exported": _("Registre des violations exporté"),
}
