"""Fetching the federation app's objects through the organisation (core.access), and the
objects the access walk tries across organisations."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from pharmagarde.core.access import get_owned_or_404

from .models import Contribution, FederationMember


def get_federationmember_or_404(request, pk) -> FederationMember:
    return get_owned_or_404(request, FederationMember.objects.select_related("member"), pk)


def get_own_federation_or_404(request, pk) -> FederationMember:
    """The current organisation's own membership of a federation (« Mes fédérations »):
    the row belongs to the federation, so it is looked up by `member`."""
    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(FederationMember.objects.select_related("organisation"),
                             pk=pk, member=request.organisation)


def get_pending_invitation_or_404(request, pk) -> FederationMember:
    """An invitation waiting for one of the current organisation's responsables
    (« Mes fédérations »): the row belongs to the federation, so it is looked up among
    the organisation's pending invitations."""
    from .selectors import pending_invitations

    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(pending_invitations(request.organisation, expired=True), pk=pk)


def get_contribution_or_404(request, pk) -> Contribution:
    return get_owned_or_404(request, Contribution.objects.all(), pk)


def make_walk_objects(organisation) -> None:
    """The walk's organisations are officines: the rows a federation owns are made in
    them all the same (the walk only needs a foreign id of each model)."""
    import datetime

    from .models import SigningKey, Snapshot

    member = FederationMember.objects.create(organisation=organisation, label="Parcours",
                                             key_fingerprint="f" * 64, public_key="k")
    moment = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    Contribution.objects.create(organisation=organisation, federation_member=member,
                                as_of=moment, document="{}")
    Snapshot.objects.create(organisation=organisation, period_start=moment)
    SigningKey.objects.create(organisation=organisation, private_key="x", public_key="k")
