from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "pack.requested": _("Dossier de preuves demandé"),
    "pack.downloaded": _("Dossier de preuves téléchargé"),
    "signoff.recorded": _("Approbation du plan par la direction enregistrée"),
}
