"""Fetching the reports app's objects through the organisation (core.access), and the
objects the access walk tries across organisations."""

from pharmagarde.core.access import get_owned_or_404

from .models import Pack, SignOff


def get_pack_or_404(request, pk) -> Pack:
    return get_owned_or_404(request, Pack.objects.all(), pk)


def get_signoff_or_404(request, pk) -> SignOff:
    return get_owned_or_404(request, SignOff.objects.all(), pk)


def make_walk_objects(organisation) -> None:
    import datetime

    Pack.objects.create(organisation=organisation, regime="general",
                        as_of=datetime.date(2026, 1, 5))
    SignOff.objects.create(organisation=organisation, approved_by_label="Parcours",
                           plan_summary={}, plan_digest="0" * 64)
