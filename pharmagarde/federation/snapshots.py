"""One snapshot per federation and period: what its dashboard and its members read.

The model is the diagnostic's peer comparison (diagnostic/peers.py): the periods of
core.selectors.period_start; the members who had joined *before the period began*; their
values *as of the period start* (values.collect for the members on this server, each remote
member's latest signed contribution dated before it); independent units
(core.selectors.independent_units; a remote member is one unit); noise drawn once
(aggregates.py). Joining, leaving, rejoining or changing one's own data within a period
moves nothing until the next one, and every reader sees the same numbers.

The scheduler builds each period's snapshots ahead (`build_snapshots`, declared as periodic
work); if it has not run yet, the first reader computes it and a unique constraint settles
a race. Reading one costs one indexed query.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from pharmagarde.core.models import Organisation, OrganisationKind
from pharmagarde.core.selectors import independent_units, period_start

from . import aggregates, values
from .models import Contribution, FederationMember, Snapshot

# Thirteen months: a yearly export, sent a little late, still counts.
CONTRIBUTION_MAX_AGE = timedelta(days=396)


def _members_before(federation_id: int, start: datetime) -> list[FederationMember]:
    return list(FederationMember.objects.filter(
        organisation_id=federation_id, status=FederationMember.Status.MEMBER)
        .annotate(joined=Coalesce("answered_at", "invited_at")).filter(joined__lt=start)
        .select_related("member").only(
            "pk", "member_id", "kind", "region", "size_band", "key_fingerprint",
            "member__kind", "member__region", "member__size_band"))


def _latest_contributions(remote_ids: list[int], start: datetime) -> dict[int, dict]:
    """Each remote member's latest contribution dated before `start` and not older than
    CONTRIBUTION_MAX_AGE: a structure that stopped sending (its server gone, its key
    replaced and the old entry left) stops counting, rather than counting forever on
    values of long ago."""
    found = {}
    for member_id, contributed in (Contribution.objects.filter(
            federation_member_id__in=remote_ids, as_of__lt=start,
            as_of__gte=start - CONTRIBUTION_MAX_AGE)
            .order_by("federation_member_id", F("as_of").desc())
            .values_list("federation_member_id", "values")):
        found.setdefault(member_id, contributed or {})
    return found


def units_of(federation_id: int, start: datetime) -> list[aggregates.Unit]:
    """The federation's independent units as of `start`, with their values. A bounded
    number of queries: members, memberships and identifiers, each app's values, the
    remote contributions."""
    members = _members_before(federation_id, start)
    local = {m.member_id: m.member for m in members if m.member_id is not None}
    remote = [m for m in members if m.member_id is None]
    catalogue = values.catalogue()
    found = values.collect(set(local), start) if local else {}
    units = []
    for group in independent_units(set(local)):
        ordered = sorted(group)
        first = local[ordered[0]]
        merged = aggregates.merge([found.get(org_id, {}) for org_id in ordered], catalogue)
        units.append(aggregates.Unit(first.kind, first.region, first.size_band, merged,
                                     ident="o:" + ",".join(map(str, ordered))))
    contributions = _latest_contributions([m.pk for m in remote], start)
    for member in remote:
        if member.pk in contributions:
            contributed = {key: value for key, value in contributions[member.pk].items()
                           if key in catalogue and values.is_valid(catalogue[key], value)}
            units.append(aggregates.Unit(member.kind, member.region, member.size_band,
                                         aggregates.merge([contributed], catalogue),
                                         remote=True, ident=f"r:{member.pk}"))
    return units


def _trend(federation_id: int, start: datetime, current: dict) -> list[dict]:
    earlier = list(Snapshot.objects.filter(organisation_id=federation_id,
                                           period_start__lt=start)
                   .order_by("-period_start")
                   .values_list("period_start", "units", "data")[:aggregates.TREND_LENGTH - 1])
    points = [{"period": start.isoformat(), "units": current["units"],
               "mean": current["means"]["overall"]["value"]}]
    for moment, units, data in earlier:
        overall = (data or {}).get("means", {}).get("overall", {})
        points.append({"period": moment.isoformat(), "units": units,
                       "mean": overall.get("value")})
    return list(reversed(points))


def _draws_before(federation_id: int, start: datetime) -> dict:
    """The previous snapshot's figures by what they were drawn from (aggregates.once)."""
    data = (Snapshot.objects.filter(organisation_id=federation_id, period_start__lt=start)
            .order_by("-period_start").values_list("data", flat=True).first())
    return (data or {}).get("draws", {})


def _secret() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"pharmagarde:federation-draws",
                    hashlib.sha256).digest()


def compute(federation_id: int, start: datetime, *, rng=None) -> dict:
    """The snapshot's data. A figure whose units and values are those of a figure of the
    previous snapshot keeps its published value (its noise is not drawn again: twelve
    draws of an unchanged mean would average the noise away)."""
    data = aggregates.compute(units_of(federation_id, start), values.catalogue(),
                              epsilon=settings.PEER_EPSILON, rng=rng,
                              earlier=_draws_before(federation_id, start), secret=_secret())
    data["period_start"] = start.isoformat()
    data["trend"] = _trend(federation_id, start, data)
    return data


def snapshot(federation: Organisation, *, now: datetime | None = None) -> Snapshot:
    """The current period's snapshot, computed by the first process that asks."""
    start = period_start(now)
    found = Snapshot.objects.filter(organisation=federation, period_start=start).first()
    if found is not None:
        return found
    data = compute(federation.pk, start)
    try:
        with transaction.atomic():
            return Snapshot.objects.create(organisation=federation, period_start=start,
                                           units=data["units"], data=data)
    except IntegrityError:
        # Another process computed it first: everyone must see the same noise.
        return Snapshot.objects.get(organisation=federation, period_start=start)


def latest_snapshots(federation_ids: set[int]) -> dict[int, Snapshot]:
    """{federation id: its latest snapshot} among those that have one; one query."""
    latest = Snapshot.objects.filter(organisation=OuterRef("organisation")).order_by(
        "-period_start").values("pk")[:1]
    return {row.organisation_id: row for row in Snapshot.objects.filter(
        organisation_id__in=federation_ids, pk=Subquery(latest))}


def build_snapshots(now: datetime | None = None) -> int:
    """The current period's snapshot of every federation, built ahead by the scheduler
    (AppDeclaration.periodic); returns how many it built. Two queries when they all
    exist."""
    start = period_start(now)
    federations = set(Organisation.objects.filter(kind=OrganisationKind.FEDERATION)
                      .values_list("pk", flat=True))
    missing = federations - set(Snapshot.objects.filter(period_start=start)
                                .values_list("organisation_id", flat=True))
    built = 0
    for federation in Organisation.objects.filter(pk__in=missing).order_by("pk"):
        snapshot(federation, now=now)
        built += 1
    return built
