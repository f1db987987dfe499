from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.registry import AppDeclaration, DashboardCard, NavEntry


class ActionsConfig(AppConfig):
    name = "pharmagarde.actions"
    label = "actions"
    verbose_name = "Plan d'action"
    pharmagarde = AppDeclaration(
        url_prefix="plan/",
        urls="pharmagarde.actions.urls",
        nav=(NavEntry(_("Plan d'action"), "action_list", order=20),),
        audit_labels="pharmagarde.actions.audit_actions.ACTIONS",
        dashboard=(
            DashboardCard("actions/_dashboard_overdue.html",
                          "pharmagarde.actions.selectors.dashboard_overdue", order=20, wide=True),
            DashboardCard("actions/_dashboard_card.html",
                          "pharmagarde.actions.selectors.dashboard_card", order=20),
        ),
        demo="pharmagarde.actions.demo.load",
        access_walk="pharmagarde.actions.access.make_walk_objects",
        reminders="pharmagarde.actions.reminders.due",
        pack_sections="pharmagarde.actions.pack_sections.sections",
        portfolio="pharmagarde.actions.portfolio.summaries",
        federation_metrics="pharmagarde.actions.federation_metrics.SOURCE",
    )
