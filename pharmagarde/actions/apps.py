from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "pharmagarde.actions"
    label = "actions"
    verbose_name = "Plan d'action"

    def ready(self):
        from pharmagarde.core.audit import register_actions

        from .audit_actions import ACTIONS

        register_actions(ACTIONS)
