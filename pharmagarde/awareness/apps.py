from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.registry import AppDeclaration, NavEntry


class AwarenessConfig(AppConfig):
    name = "pharmagarde.awareness"
    label = "awareness"
    verbose_name = _("Sensibilisation")
    pharmagarde = AppDeclaration(
        url_prefix="sensibilisation/",
        urls="pharmagarde.awareness.urls",
        public_urls="pharmagarde.awareness.public_urls",
        nav=(NavEntry(_("Sensibilisation"), "awareness_home", order=47),),
        audit_labels="pharmagarde.awareness.audit_actions.ACTIONS",
        demo="pharmagarde.awareness.demo.load",
        access_walk="pharmagarde.awareness.access.make_walk_objects",
        reminders="pharmagarde.awareness.training_services.due",
        periodic=("pharmagarde.awareness.sending.resume_stalled",
                  "pharmagarde.awareness.imap.poll_all"),
        account_prefix="sensibilisation/",
        account_urls="pharmagarde.awareness.account_urls",
        pack_sections="pharmagarde.awareness.pack_sections.sections",
        portfolio="pharmagarde.awareness.portfolio.summaries",
        federation_metrics="pharmagarde.awareness.federation_metrics.SOURCE",
    )
