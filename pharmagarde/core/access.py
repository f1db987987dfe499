"""The single access mechanism for tenant data.

Every view under /o/<org_slug>/ is wrapped in `@org_view`, which resolves the organisation
and the member's role or answers 404 (not a member: we do not even confirm the organisation
exists), 403 (a write by a read-only role, or a management page for a non-responsable), or
sends an anonymous visitor to the sign-in page. Objects are then fetched with
`get_<thing>_or_404(request, pk, write=False)`, built on `get_owned_or_404`, which only ever
looks inside `request.organisation`.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Invitation, Membership, Person

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def org_view(view=None, *, manage=False):
    """Resolve `org_slug` into request.organisation and request.membership.

    manage=True limits the view to responsables (members, settings, audit log).
    Any unsafe method (POST…) from a read-only member is refused with 403.
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
            if membership is None:
                raise Http404("Organisation introuvable.")
            if manage and not membership.can_manage:
                raise PermissionDenied("Réservé aux responsables de la structure.")
            if request.method not in SAFE_METHODS and not membership.can_write:
                raise PermissionDenied("Votre rôle donne un accès en lecture seule.")
            request.organisation = membership.organisation
            request.membership = membership
            if request.session.get("current_org") != org_slug:
                # Written only on a change: a session save is a database write.
                request.session["current_org"] = org_slug
            return view_func(request, *args, **kwargs)

        wrapper.org_view = True
        return wrapper

    return decorator(view) if view is not None else decorator


def get_owned_or_404(request, queryset, pk, *, write=False):
    """Fetch one object of the current organisation; 404 otherwise, 403 for a read-only write."""
    if write and not request.membership.can_write:
        raise PermissionDenied("Votre rôle donne un accès en lecture seule.")
    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(queryset, pk=pk, organisation=request.organisation)


def get_person_or_404(request, pk, write=False):
    return get_owned_or_404(request, Person.objects.select_related("user"), pk, write=write)


def get_membership_or_404(request, pk, write=False):
    return get_owned_or_404(request, Membership.objects.select_related("user"), pk, write=write)


def get_invitation_or_404(request, pk, write=False):
    return get_owned_or_404(request, Invitation.objects.all(), pk, write=write)


def get_assessment_or_404(request, pk, write=False):
    from pharmagarde.diagnostic.models import Assessment

    return get_owned_or_404(request, Assessment.objects.all(), pk, write=write)


def get_evidence_or_404(request, pk, write=False):
    from pharmagarde.diagnostic.models import Evidence

    return get_owned_or_404(request, Evidence.objects.select_related("answer"), pk, write=write)


def get_action_or_404(request, pk, write=False):
    from pharmagarde.actions.models import Action

    return get_owned_or_404(request, Action.objects.select_related("owner"), pk, write=write)


def get_actionevidence_or_404(request, pk, write=False):
    from pharmagarde.actions.models import ActionEvidence

    return get_owned_or_404(request, ActionEvidence.objects.select_related("action"), pk,
                            write=write)
