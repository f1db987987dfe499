from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.registry import AppDeclaration, NavEntry


class PrivacyConfig(AppConfig):
    name = "pharmagarde.privacy"
    label = "privacy"
    verbose_name = "Protection des données"
    pharmagarde = AppDeclaration(
        url_prefix="donnees-personnelles/",
        urls="pharmagarde.privacy.urls",
        nav=(NavEntry(_("Données personnelles"), "privacy_home", order=42),),
        audit_labels="pharmagarde.privacy.audit_actions.ACTIONS",
        demo="pharmagarde.privacy.demo.load",
        access_walk="pharmagarde.privacy.access.make_walk_objects",
        reminders="pharmagarde.privacy.reminders.due",
        plan_sources=("pharmagarde.privacy.plan_source.SOURCE",),
        pack_sections="pharmagarde.privacy.pack_sections.sections",
        portfolio="pharmagarde.privacy.portfolio.summaries",
    )
