from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .registry import ALL, AppDeclaration, DashboardCard, NavEntry

RESPONSABLES = frozenset({"responsable"})


class CoreConfig(AppConfig):
    name = "pharmagarde.core"
    label = "core"
    verbose_name = "Organisations"
    # Core declares itself like any app; its URLs are core/urls.py itself.
    pharmagarde = AppDeclaration(
        nav=(
            NavEntry(_("Tableau de bord"), "dashboard", order=0, exact=True, audience=ALL),
            NavEntry(_("Personnel"), "person_list", order=80, exact=True),
            NavEntry(_("Membres et accès"), "member_list", order=85, exact=True,
                     audience=ALL),
            NavEntry(_("Fiche de la structure"), "organisation_edit", order=90,
                     roles=RESPONSABLES, exact=True, audience=ALL),
            NavEntry(_("Journal d'audit"), "audit_log", order=95, roles=RESPONSABLES,
                     exact=True, audience=ALL),
        ),
        dashboard=(
            DashboardCard("core/_dashboard_people.html",
                          "pharmagarde.core.selectors.dashboard_people", order=80),
            DashboardCard("core/_dashboard_members.html",
                          "pharmagarde.core.selectors.dashboard_members", order=85,
                          audience=ALL),
        ),
        todo="pharmagarde.core.selectors.dashboard_todo",
        todo_order=10,
        access_walk="pharmagarde.core.access.make_walk_objects",
        pack_sections="pharmagarde.core.pack_sections.sections",
    )

    def ready(self):
        from . import audit, registry, signals  # noqa: F401  (signals: audit of sign-ins)

        # Every app's audit labels, read from its declaration: core imports no app.
        for _label, declaration in registry.declarations():
            if declaration.audit_labels:
                audit.register_actions(registry.resolve(declaration.audit_labels))
