from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.registry import AppDeclaration, DashboardCard, NavEntry

from .roles import REGISTER_ROLES


class IncidentsConfig(AppConfig):
    name = "pharmagarde.incidents"
    label = "incidents"
    verbose_name = "Incidents"
    pharmagarde = AppDeclaration(
        url_prefix="incidents/",
        urls="pharmagarde.incidents.urls",
        nav=(NavEntry(_("Signaler un incident"), "incident_declare", order=1, exact=True,
                      prominent=True),
             NavEntry(_("Incidents"), "incident_list", order=40),
             NavEntry(_("Registre des violations"), "breach_list", order=41,
                      roles=REGISTER_ROLES)),
        audit_labels="pharmagarde.incidents.audit_actions.ACTIONS",
        dashboard=(DashboardCard("incidents/_dashboard_card.html",
                                 "pharmagarde.incidents.selectors.dashboard_card", order=5,
                                 wide=True),),
        todo="pharmagarde.incidents.selectors.todo",
        todo_order=5,
        demo="pharmagarde.incidents.demo.load",
        access_walk="pharmagarde.incidents.access.make_walk_objects",
        reminders="pharmagarde.incidents.reminders.due",
        plan_sources=("pharmagarde.incidents.plan_source.SOURCE",),
        pack_sections="pharmagarde.incidents.pack_sections.sections",
        portfolio="pharmagarde.incidents.portfolio.summaries",
    )
