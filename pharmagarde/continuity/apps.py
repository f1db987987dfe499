from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.registry import AppDeclaration, NavEntry


class ContinuityConfig(AppConfig):
    name = "pharmagarde.continuity"
    label = "continuity"
    verbose_name = "Continuité"
    pharmagarde = AppDeclaration(
        url_prefix="continuite/",
        urls="pharmagarde.continuity.urls",
        nav=(NavEntry(_("Continuité d'activité"), "continuity_home", order=45),),
        audit_labels="pharmagarde.continuity.audit_actions.ACTIONS",
        demo="pharmagarde.continuity.demo.load",
        access_walk="pharmagarde.continuity.access.make_walk_objects",
        reminders="pharmagarde.continuity.reminders.due",
        plan_sources=("pharmagarde.continuity.plan_source.SOURCE",),
        pack_sections="pharmagarde.continuity.pack_sections.sections",
        portfolio="pharmagarde.continuity.portfolio.summaries",
        federation_metrics="pharmagarde.continuity.federation_metrics.SOURCE",
    )
