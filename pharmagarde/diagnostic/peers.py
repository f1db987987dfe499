"""The anonymous comparison with organisations of the same kind.

The attack it answers (issue 6): anyone can create organisations. An account that created
five laboratories recovered another laboratory's score to 0.1 point by subtracting its own
four from the "average of the others" each of its laboratories was shown. Now:

- the average is one snapshot per kind and per period (PEER_SNAPSHOT_DAYS), computed from
  the assessments completed *before the period began*, the same for every reader: adding,
  removing or re-answering one's own organisations changes nothing until the next period,
  and two of one's own organisations see the same numbers;
- organisations count as independent units (shared member, same creator, same
  identifier: lib/smallcells.py), at least 11 of them;
- each published value carries Laplace noise drawn once for the snapshot, and is rounded:
  even an attacker who controls every other unit learns nothing useful about the last one.

A snapshot costs one indexed read once it exists. Its computation reads the latest
completed assessment of each organisation of the kind and their memberships, once per
kind and period (about 1.4 s for 20,000 organisations): the scheduler builds each period's
snapshots ahead (`build_snapshots`, declared as periodic work), so no reader waits; if it
has not run yet, whichever process asks first computes it (a unique constraint settles a
race).
"""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from pharmagarde.core.selectors import independent_units, period_start
from pharmagarde.lib import smallcells

from .models import Assessment, PeerSnapshot


def _latest_completed_before(kind: str, moment: datetime):
    """Each organisation's latest assessment of `kind` completed before `moment` (the same
    "latest" as everywhere: AssessmentQuerySet.latest_first)."""
    return Assessment.objects.latest_completed_before(moment, kind=kind).values_list(
        "organisation_id", "score", "theme_scores")


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def compute(kind: str, start: datetime) -> dict:
    """The published values for `kind` from the assessments completed before `start`."""
    rows = {org_id: (score, theme_scores or {})
            for org_id, score, theme_scores in _latest_completed_before(kind, start)}
    units = independent_units(set(rows))
    epsilon = settings.PEER_EPSILON
    overall = smallcells.publish_mean(
        [v for v in (_mean(rows[o][0] for o in unit) for unit in units) if v is not None],
        epsilon=epsilon)
    theme_ids = {theme_id for _score, themes in rows.values() for theme_id in themes}
    theme_scores = {}
    for theme_id in sorted(theme_ids):
        values = [_mean(rows[o][1].get(theme_id) for o in unit) for unit in units]
        published = smallcells.publish_mean([v for v in values if v is not None],
                                            epsilon=epsilon)
        if published.shown:
            theme_scores[theme_id] = published.value
    return {"units": overall.units, "score": overall.value,
            "theme_scores": theme_scores if overall.shown else {}}


def snapshot(kind: str, *, now: datetime | None = None) -> PeerSnapshot:
    """The snapshot of the current period, computed by the first process that asks."""
    start = period_start(now)
    found = PeerSnapshot.objects.filter(kind=kind, period_start=start).first()
    if found is not None:
        return found
    values = compute(kind, start)
    try:
        with transaction.atomic():
            return PeerSnapshot.objects.create(kind=kind, period_start=start, **values)
    except IntegrityError:
        # Another process computed it first: everyone must see the same noise.
        return PeerSnapshot.objects.get(kind=kind, period_start=start)


def build_snapshots(now: datetime | None = None) -> int:
    """The current period's snapshot of every kind that has completed assessments, built
    ahead by the scheduler (AppDeclaration.periodic); returns how many it built. Two
    queries when they all exist."""
    start = period_start(now)
    kinds = set(Assessment.objects.filter(status=Assessment.Status.COMPLETED)
                .values_list("organisation_kind", flat=True).distinct())
    missing = kinds - set(PeerSnapshot.objects.filter(period_start=start)
                          .values_list("kind", flat=True))
    for kind in sorted(missing):
        snapshot(kind, now=now)
    return len(missing)
