from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pharmagarde.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from . import signals  # noqa: F401  (throttling counters, password audit)
