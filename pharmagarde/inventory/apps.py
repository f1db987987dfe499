from django.apps import AppConfig

from pharmagarde.core.registry import AppDeclaration


class InventoryConfig(AppConfig):
    name = "pharmagarde.inventory"
    label = "inventory"
    verbose_name = "Inventaire"
    pharmagarde = AppDeclaration()
