from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "awareness.campaign_created": _("Campagne d'hameçonnage préparée"),
    "awareness.campaign_updated": _("Campagne d'hameçonnage modifiée"),
    "awareness.campaign_launched": _("Campagne d'hameçonnage lancée"),
    "awareness.campaign_paused": _("Campagne d'hameçonnage mise en pause"),
    "awareness.campaign_resumed": _("Campagne d'hameçonnage reprise"),
    "awareness.campaign_stopped": _("Campagne d'hameçonnage arrêtée"),
    "awareness.campaign_exported": _("Résultats d'une campagne exportés"),
    "awareness.profile_saved": _("Profil d'envoi enregistré"),
    "awareness.profile_tested": _("Profil d'envoi testé"),
    "awareness.template_saved": _("Modèle d'hameçonnage enregistré"),
    "awareness.test_sent": _("Message de test envoyé"),
    "awareness.group_saved": _("Groupe du personnel enregistré"),
    "awareness.groups_imported": _("Groupes de l'annuaire importés"),
    "awareness.mailbox_saved": _("Boîte de signalement enregistrée"),
    "awareness.mailbox_tested": _("Boîte de signalement testée"),
    "awareness.module_assigned": _("Module de formation assigné"),
    "awareness.module_completed": _("Module de formation terminé"),
    "awareness.certificate_downloaded": _("Attestation de formation téléchargée"),
    "awareness.training_exported": _("Suivi de la formation exporté"),
}
