from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "account.preferences_changed": _("Préférences de courriel modifiées"),
    "account.digest_unsubscribed": _("Résumé hebdomadaire désactivé par le lien du courriel"),
}
