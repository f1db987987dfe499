from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "inventory.item_created": _("Élément ajouté à l'inventaire"),
    "inventory.item_updated": _("Élément de l'inventaire modifié"),
    "inventory.item_deleted": _("Élément retiré de l'inventaire"),
    "inventory.bulk_deleted": _("Éléments retirés de l'inventaire (par lot)"),
    "inventory.exported": _("Inventaire exporté"),
    "inventory.imported": _("Import dans l'inventaire"),
    "inventory.finding_accepted": _("Constat accepté comme risque"),
    "inventory.finding_reopened": _("Constat rouvert"),
}
