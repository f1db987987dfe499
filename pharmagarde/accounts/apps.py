from django.apps import AppConfig

from pharmagarde.core.registry import AppDeclaration


class AccountsConfig(AppConfig):
    name = "pharmagarde.accounts"
    label = "accounts"
    verbose_name = "Comptes"
    pharmagarde = AppDeclaration(todo="pharmagarde.accounts.mfa.dashboard_todo", todo_order=0,
                                 audit_labels="pharmagarde.accounts.audit_actions.ACTIONS")

    def ready(self):
        from . import signals  # noqa: F401  (throttling counters, password audit)
