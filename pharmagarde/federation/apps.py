from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.registry import FEDERATIONS, AppDeclaration, DashboardCard, NavEntry

# Who in a member organisation sees its place in its federations.
READERS = frozenset({"responsable", "referent", "dpo", "auditeur"})


class FederationConfig(AppConfig):
    name = "pharmagarde.federation"
    label = "federation"
    verbose_name = "Fédérations"
    pharmagarde = AppDeclaration(
        url_prefix="federation/",
        urls="pharmagarde.federation.urls",
        account_prefix="federations/",
        account_urls="pharmagarde.federation.account_urls",
        nav=(
            NavEntry(_("Tableau de bord de la fédération"), "federation_dashboard", order=5,
                     audience=FEDERATIONS, exact=True),
            NavEntry(_("Structures membres"), "federation_members", order=10,
                     audience=FEDERATIONS),
            NavEntry(_("Mes fédérations"), "federation_mine", order=75, roles=READERS),
        ),
        dashboard=(DashboardCard("federation/_dashboard_card.html",
                                 "pharmagarde.federation.views.mine.dashboard_card", order=75),),
        audit_labels="pharmagarde.federation.audit_actions.ACTIONS",
        access_walk="pharmagarde.federation.access.make_walk_objects",
        periodic=("pharmagarde.federation.snapshots.build_snapshots",),
        demo="pharmagarde.federation.demo.load",
    )
