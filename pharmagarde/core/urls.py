"""Core URLs. Everything tenant-owned lives under /o/<org_slug>/ and uses core.access;
each app adds its pages there through its declaration (core/registry.py)."""

from django.urls import include, path

from .registry import declarations
from .views import (
    audit_log,
    dashboard,
    home,
    instance,
    invitations,
    members,
    organisation,
    people,
    portfolio,
)

org_patterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("structure/", organisation.organisation_edit, name="organisation_edit"),
    path("membres/", members.member_list, name="member_list"),
    path("membres/<int:membership_id>/role/", members.member_role, name="member_role"),
    path("membres/<int:membership_id>/retirer/", members.member_remove, name="member_remove"),
    path("invitations/nouvelle/", invitations.invitation_new, name="invitation_new"),
    path("invitations/<int:invitation_id>/annuler/", invitations.invitation_revoke,
         name="invitation_revoke"),
    path("personnel/", people.person_list, name="person_list"),
    path("personnel/nouveau/", people.person_new, name="person_new"),
    path("personnel/<int:person_id>/", people.person_edit, name="person_edit"),
    path("personnel/<int:person_id>/supprimer/", people.person_delete, name="person_delete"),
    path("journal/", audit_log.audit_log, name="audit_log"),
    path("journal/export.csv", audit_log.audit_log_csv, name="audit_log_csv"),
]
# Each app's own pages, under the prefix it declares (core/registry.py).
org_patterns += [path(declaration.url_prefix, include(declaration.urls))
                 for _label, declaration in declarations() if declaration.urls]

urlpatterns = [
    path("", home.home, name="home"),
    path("structures/nouvelle/", organisation.organisation_new, name="organisation_new"),
    path("invitation/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    # The instance administrator's (superusers) pages.
    path("instance/sauvegardes/", instance.instance_backups, name="instance_backups"),
    path("o/<slug:org_slug>/", include(org_patterns)),
    # One page across every organisation the user belongs to (core.access.account_view).
    path("mes-structures/", portfolio.portfolio, name="portfolio"),
]
# Each app's pages across one's organisations, under /mes-structures/<its prefix>.
urlpatterns += [path("mes-structures/" + declaration.account_prefix,
                     include(declaration.account_urls))
                for _label, declaration in declarations() if declaration.account_urls]
# Each app's public pages (tokens, no account), under the prefix it declares.
urlpatterns += [path(declaration.public_prefix, include(declaration.public_urls))
                for _label, declaration in declarations() if declaration.public_urls]
