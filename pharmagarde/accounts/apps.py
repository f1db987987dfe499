from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pharmagarde.accounts"
    label = "accounts"
    verbose_name = "Comptes"
