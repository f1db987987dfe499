"""The single access mechanism for tenant data.

Every view under /o/<org_slug>/ is wrapped in `@org_view`, which resolves the organisation
and the member's role or answers 404 (not a member: we do not even confirm the organisation
exists), 403 (a write by a read-only role, or a management page for a non-responsable), or
sends an anonymous visitor to the sign-in page. Objects are then fetched with
`get_<thing>_or_404(request, pk)`, a two-line wrapper of `get_owned_or_404` written by the
app that owns the model, which only ever looks inside `request.organisation`.

Refusals are the decorator's alone: `write=True` for a view that changes data (the
read-only role gets 403 whatever the method), `manage=True` for the responsables' pages,
`roles=` for pages kept to some roles.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import Invitation, Membership, Person
from .registry import MEMBERS, serves

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def org_view(view=None, *, manage: bool = False, write: bool = False,
             roles: frozenset[str] | None = None, audience: str = MEMBERS):
    """Resolve `org_slug` into request.organisation and request.membership.

    manage=True limits the view to responsables (members, settings, audit log); roles=
    to the roles given (the breach register: not the collaborateurs).
    write=True refuses the read-only role whatever the method (the view changes data, or
    shows a form that does). Any unsafe method (POST…) from a read-only member is refused
    with 403 in every case.
    audience: the kind of organisation the page is for (core.registry): by default the
    organisations that hold their own data; a federation gets 404 on them, and an
    ordinary organisation 404 on a federation's pages.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, org_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = (
                Membership.objects.select_related("organisation")
                .filter(user=request.user, organisation__slug=org_slug)
                .first()
            )
            if membership is None or not serves(audience, membership.organisation):
                raise Http404("Organisation introuvable.")
            if manage and not membership.can_manage:
                raise PermissionDenied("Réservé aux responsables de la structure.")
            if roles is not None and membership.role not in roles:
                raise PermissionDenied("Votre rôle ne donne pas accès à cette page.")
            if (write or request.method not in SAFE_METHODS) and not membership.can_write:
                raise PermissionDenied("Votre rôle donne un accès en lecture seule.")
            request.organisation = membership.organisation
            request.membership = membership
            if request.session.get("current_org") != org_slug:
                # Written only on a change: a session save is a database write.
                request.session["current_org"] = org_slug
            return view_func(request, *args, **kwargs)

        wrapper.org_view = True
        wrapper.audience = audience
        return wrapper

    return decorator(view) if view is not None else decorator


def account_view(view_func):
    """A page of the signed-in user across their organisations (/mes-structures/…):
    request.memberships holds every membership of the user, with its organisation. Such a
    page reads or writes an organisation's data only through `memberships_allowing`."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.memberships = list(
            Membership.objects.filter(user=request.user).select_related("organisation")
            .order_by("organisation__name", "organisation_id"))
        return view_func(request, *args, **kwargs)

    wrapper.account_view = True
    return wrapper


def memberships_allowing(request: HttpRequest, *, roles: frozenset[str] | None = None,
                         write: bool = False, audience: str = MEMBERS) -> list[Membership]:
    """The user's memberships (account_view) whose role gives what a page needs, the same
    rules as org_view: `roles` kept to those roles, `write` refuses the read-only role, and
    so does any unsafe method (POST…) whatever `write` says."""
    write = write or request.method not in SAFE_METHODS
    return [m for m in request.memberships
            if serves(audience, m.organisation)
            and (roles is None or m.role in roles)
            and (not write or m.can_write)]


def get_owned_or_404(request: HttpRequest, queryset: QuerySet, pk) -> Model:
    """Fetch one object of the current organisation, or 404 (a foreign or unknown id)."""
    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(queryset, pk=pk, organisation=request.organisation)


def get_person_or_404(request: HttpRequest, pk) -> Person:
    return get_owned_or_404(request, Person.objects.select_related("user"), pk)


def get_membership_or_404(request: HttpRequest, pk) -> Membership:
    return get_owned_or_404(request, Membership.objects.select_related("user"), pk)


def get_invitation_or_404(request: HttpRequest, pk) -> Invitation:
    return get_owned_or_404(request, Invitation.objects.all(), pk)


def make_walk_objects(organisation) -> None:
    """One object of each of core's tenant models in `organisation`, for the access walk
    (tests/test_access_walk.py tries them through another organisation's URLs)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from .models import Reminder, Role

    user = get_user_model().objects.create_user(
        username=f"walk-{organisation.slug}@walk.example",
        email=f"walk-{organisation.slug}@walk.example")
    Membership.objects.create(organisation=organisation, user=user, role=Role.COLLABORATEUR)
    Person.objects.create(organisation=organisation, first_name="Objet", last_name="Parcours")
    Invitation.objects.create(organisation=organisation, role=Role.COLLABORATEUR,
                              email=f"invite@{organisation.slug}.example",
                              token_hash="f" * 64, expires_at=timezone.now())
    Reminder.objects.create(organisation=organisation, user=user, key="walk",
                            occurrence="2026-01-05", subject="Rappel")
