from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .models import Membership
from .registry import nav_entries, serves


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def org_nav(request, membership, *, prominent=False):
    """The organisation's navigation for this member: every installed app's entries that
    their role sees, in order, the current page marked (core/registry.py); with
    prominent=True, only the entries shown as buttons on every page."""
    slug, links = membership.organisation.slug, []
    for entry in nav_entries():
        if entry.roles is not None and membership.role not in entry.roles:
            continue
        if not serves(entry.audience, membership.organisation):
            continue
        if prominent and not entry.prominent:
            continue
        url = reverse(entry.url_name, args=[slug])
        current = request.path == url if entry.exact else request.path.startswith(url)
        links.append(NavLink(entry.label, url, current))
    return links


def organisations(request):
    """The organisations the signed-in user can switch between, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def my_memberships():
        return list(
            Membership.objects.filter(user=user).select_related("organisation")
            .order_by("organisation__name")
        )

    # Lazy: pages that never show the switcher (errors, mails) make no query.
    membership = getattr(request, "membership", None)
    return {
        "my_memberships": SimpleLazyObject(my_memberships),
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": membership,
        "org_nav": SimpleLazyObject(lambda: org_nav(request, membership)) if membership else [],
        "org_shortcuts": SimpleLazyObject(lambda: org_nav(request, membership, prominent=True))
        if membership else [],
    }
