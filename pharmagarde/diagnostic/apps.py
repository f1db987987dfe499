from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "pharmagarde.diagnostic"
    label = "diagnostic"
    verbose_name = "Diagnostic"

    def ready(self):
        from pharmagarde.core.audit import register_actions

        from .audit_actions import ACTIONS

        register_actions(ACTIONS)
