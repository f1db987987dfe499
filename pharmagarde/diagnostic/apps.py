from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.registry import AppDeclaration, DashboardCard, NavEntry


class DiagnosticConfig(AppConfig):
    name = "pharmagarde.diagnostic"
    label = "diagnostic"
    verbose_name = "Diagnostic"
    pharmagarde = AppDeclaration(
        url_prefix="diagnostic/",
        urls="pharmagarde.diagnostic.urls",
        nav=(NavEntry(_("Diagnostic"), "assessment_list", order=10),),
        audit_labels="pharmagarde.diagnostic.audit_actions.ACTIONS",
        dashboard=(DashboardCard("diagnostic/_dashboard_card.html",
                                 "pharmagarde.diagnostic.selectors.dashboard_card", order=10),),
        demo="pharmagarde.diagnostic.demo.load",
        access_walk="pharmagarde.diagnostic.access.make_walk_objects",
        periodic=("pharmagarde.diagnostic.peers.build_snapshots",),
        plan_sources=("pharmagarde.diagnostic.plan_source.SOURCE",),
        pack_sections="pharmagarde.diagnostic.pack_sections.sections",
        portfolio="pharmagarde.diagnostic.portfolio.summaries",
        federation_metrics="pharmagarde.diagnostic.federation_metrics.SOURCE",
    )
