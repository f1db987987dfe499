from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "federation.invited": _("Structure invitée dans la fédération"),
    "federation.joined": _("Fédération rejointe"),
    "federation.invitation_resent": _("Invitation de la fédération renvoyée"),
    "federation.invitation_cancelled": _("Invitation de la fédération annulée"),
    "federation.declined": _("Invitation de la fédération refusée"),
    "federation.left": _("Fédération quittée"),
    "federation.removed": _("Structure retirée de la fédération"),
    "federation.dashboard_exported": _("Tableau de bord de la fédération exporté"),
    "federation.remote_added": _("Structure distante ajoutée par sa clé"),
    "federation.exported": _("Agrégats signés exportés"),
    "federation.imported": _("Agrégats signés importés"),
    "federation.key_created": _("Clé de signature des agrégats créée"),
    "federation.key_replaced": _("Clé de signature des agrégats remplacée"),
}
