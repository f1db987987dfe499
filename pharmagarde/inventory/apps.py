from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.registry import AppDeclaration, DashboardCard, NavEntry


class InventoryConfig(AppConfig):
    name = "pharmagarde.inventory"
    label = "inventory"
    verbose_name = "Inventaire"
    pharmagarde = AppDeclaration(
        url_prefix="inventaire/",
        urls="pharmagarde.inventory.urls",
        nav=(NavEntry(_("Inventaire"), "inventory_home", order=25),),
        audit_labels="pharmagarde.inventory.audit_actions.ACTIONS",
        dashboard=(DashboardCard("inventory/_dashboard_card.html",
                                 "pharmagarde.inventory.selectors.dashboard_card", order=25),),
        todo="pharmagarde.inventory.selectors.todo",
        todo_order=30,
        demo="pharmagarde.inventory.demo.load",
        access_walk="pharmagarde.inventory.access.make_walk_objects",
        plan_sources=("pharmagarde.inventory.plan_source.SOURCE",),
        answer_proposals="pharmagarde.inventory.proposals.proposals",
        pack_sections="pharmagarde.inventory.pack_sections.sections",
        portfolio="pharmagarde.inventory.portfolio.summaries",
    )
