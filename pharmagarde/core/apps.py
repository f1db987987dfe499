from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "pharmagarde.core"
    label = "core"
    verbose_name = "Organisations"

    def ready(self):
        from . import signals  # noqa: F401  (audit of sign-ins)
