from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "federation.invited": _("Structure invitée dans la fédération"),
    "federation.joined": _("Fédération rejointe"),
    "federation.declined": _("Invitation de la fédération refusée"),
    "federation.left": _("Fédération quittée"),
    "federation.removed": _("Structure retirée de la fédération"),
    "federation.remote_added": _("Structure distante ajoutée par sa clé"),
    "federation.exported": _("Agrégats signés exportés"),
    "federation.imported": _("Agrégats signés importés"),
}
