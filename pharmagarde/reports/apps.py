from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.registry import AppDeclaration, NavEntry

from .roles import READERS


class ReportsConfig(AppConfig):
    name = "pharmagarde.reports"
    label = "reports"
    verbose_name = "Dossiers de preuves"
    pharmagarde = AppDeclaration(
        url_prefix="dossiers/",
        urls="pharmagarde.reports.urls",
        nav=(NavEntry(_("Dossiers de preuves"), "reports_home", order=70, roles=READERS),),
        audit_labels="pharmagarde.reports.audit_actions.ACTIONS",
        access_walk="pharmagarde.reports.access.make_walk_objects",
        pack_sections="pharmagarde.reports.pack_sections.sections",
        demo="pharmagarde.reports.demo.load",
    )
