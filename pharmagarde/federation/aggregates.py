"""What a federation publishes about its members, from one value per independent unit.

Plain data in (`Unit`s, the metric catalogue), plain JSON-able data out (Snapshot.data):
no query here, so that the rules are tested on their own and the snapshot (snapshots.py)
only gathers the units. Every figure follows lib/smallcells.py:

- the distribution tables (profession, region or size band × maturity level, with their
  margins) count units and go through `suppress_table`: no cell of fewer than 11 units,
  and more cells hidden until no hidden one follows from the totals;
- means are noised (`publish_mean`), from 11 units;
- pooled rates (training, phishing) need 11 units, no unit with more than 85 % of the
  denominator, and carry Laplace noise of the largest unit's weight;
- shares (restore tests, tested plans, the most frequent gaps) need 11 units and count
  with Laplace noise of one unit.

Noise is drawn here, once per snapshot: every reader sees the same numbers.
A hidden figure carries its reason, one of FEW, DOMINANT, SECONDARY.
"""

from collections import Counter
from dataclasses import dataclass, field

from pharmagarde.core.metrics import RATE, SHARE
from pharmagarde.lib import smallcells

# Why a figure is hidden (the dashboard's footnotes).
FEW, DOMINANT, SECONDARY = "few", "dominant", "secondary"
_REASONS = {smallcells.FEW_UNITS: FEW, smallcells.DOMINANT_UNIT: DOMINANT,
            smallcells.PROTECTS_ANOTHER: SECONDARY}

# Maturity levels by diagnostic score: (key, lowest score).
LEVELS = (("initial", 0), ("progres", 40), ("etabli", 60), ("avance", 80))
DIMENSIONS = ("kind", "region", "size_band")
SCORE_KEY = "diagnostic.score"
THEME_PREFIX = "diagnostic.theme."
RATE_KEYS = ("awareness.training_done", "awareness.phishing_click",
             "awareness.phishing_report")
SHARE_KEYS = ("continuity.restore_fresh", "continuity.plan_tested")
GAP_BELOW = 50
GAPS_SHOWN = 5
TREND_LENGTH = 12


@dataclass
class Unit:
    """One independent unit: the profession, region and size band it is counted under,
    and its values (a SCORE is the mean over its organisations, a RATE the sum of their
    counts, a SHARE the fraction of them that have it)."""

    kind: str
    region: str
    size_band: str
    values: dict = field(default_factory=dict)


def level_of(score: float) -> str:
    found = LEVELS[0][0]
    for key, lowest in LEVELS:
        if score >= lowest:
            found = key
    return found


def merge(values_of_organisations: list[dict], catalogue: dict) -> dict:
    """The values of one unit from those of its organisations (see Unit)."""
    merged = {}
    for key, metric in catalogue.items():
        present = [v[key] for v in values_of_organisations if key in v]
        if not present:
            continue
        if metric.kind == RATE:
            merged[key] = [sum(p[0] for p in present), sum(p[1] for p in present)]
        elif metric.kind == SHARE:
            merged[key] = sum(1 for p in present if p) / len(present)
        else:
            merged[key] = sum(present) / len(present)
    return merged


def _reason(message) -> str | None:
    if message is None:
        return None
    return _REASONS.get(getattr(message, "template", None), SECONDARY)


def _figure(value, units: int, reason: str | None) -> dict:
    return {"value": None if reason else value, "units": units, "reason": reason}


class _Publisher:
    def __init__(self, units: list[Unit], catalogue: dict, *, epsilon: float, rng=None):
        self.units, self.catalogue, self.epsilon, self.rng = units, catalogue, epsilon, rng

    def noise(self, scale: float) -> float:
        return smallcells.laplace(scale, rng=self.rng) if scale > 0 else 0.0

    # -- distribution tables ------------------------------------------------------------
    def distribution(self, dimension: str) -> dict:
        scored = [u for u in self.units if SCORE_KEY in u.values]
        counts = Counter((getattr(u, dimension) or "", level_of(u.values[SCORE_KEY]))
                         for u in scored)
        rows = sorted({row for row, _level in counts})
        levels = [key for key, _lowest in LEVELS]
        cells = {}
        for row in rows:
            for level in levels:
                cells[(row, level)] = counts.get((row, level), 0)
            cells[(row, smallcells.TOTAL)] = sum(counts.get((row, lv), 0) for lv in levels)
        for level in levels:
            cells[(smallcells.TOTAL, level)] = sum(counts.get((r, level), 0) for r in rows)
        cells[(smallcells.TOTAL, smallcells.TOTAL)] = len(scored)
        reasons = smallcells.suppress_table({
            key: smallcells.Cell(units=n, value=n, largest_share=1 / n if n else 0.0)
            for key, n in cells.items()})

        def cell(key):
            return _figure(cells[key], cells[key], _reason(reasons[key]))

        return {"rows": [{"key": row, "cells": [cell((row, lv)) for lv in levels],
                          "total": cell((row, smallcells.TOTAL))} for row in rows],
                "totals": [cell((smallcells.TOTAL, lv)) for lv in levels],
                "grand": cell((smallcells.TOTAL, smallcells.TOTAL))}

    # -- means --------------------------------------------------------------------------
    def mean(self, units: list[Unit], key: str = SCORE_KEY) -> dict:
        metric = self.catalogue.get(key)
        values = [u.values[key] for u in units if key in u.values]
        low, high = (metric.low, metric.high) if metric else (0.0, 100.0)
        reason = _reason(smallcells.primary_suppressed(smallcells.Cell(
            units=len(values), value=None,
            largest_share=smallcells.share_of_largest(dict(enumerate(values))))))
        if reason or not values:
            return _figure(None, len(values), reason or FEW)
        published = smallcells.publish_mean(values, low=low, high=high, epsilon=self.epsilon,
                                            rng=self.rng)
        return _figure(published.value, published.units, None if published.shown else FEW)

    def by(self, dimension: str, figure) -> dict:
        groups: dict[str, list[Unit]] = {}
        for unit in self.units:
            groups.setdefault(getattr(unit, dimension) or "", []).append(unit)
        return {key: figure(members) for key, members in sorted(groups.items())}

    # -- pooled rates -------------------------------------------------------------------
    def rate(self, units: list[Unit], key: str) -> dict:
        pairs = [u.values[key] for u in units
                 if key in u.values and u.values[key][1] > 0]
        denominators = {index: pair[1] for index, pair in enumerate(pairs)}
        largest = smallcells.share_of_largest(denominators)
        reason = _reason(smallcells.primary_suppressed(smallcells.Cell(
            units=len(pairs), value=None, largest_share=largest)))
        if reason or not pairs:
            return _figure(None, len(pairs), reason or FEW)
        # One unit moves the pooled rate by at most its weight in the denominator.
        rate = sum(p[0] for p in pairs) / sum(denominators.values())
        noisy = rate + self.noise(largest / self.epsilon)
        return _figure(round(100 * min(max(noisy, 0.0), 1.0)), len(pairs), None)

    # -- shares -------------------------------------------------------------------------
    def share(self, units: list[Unit], key: str, weight=float) -> dict:
        """The share of units that have `key` (a unit's weight: the fraction of its
        organisations that have it, or what `weight` says of its value)."""
        present = [u.values[key] for u in units if key in u.values]
        reason = _reason(smallcells.primary_suppressed(smallcells.Cell(
            units=len(present), value=None)))
        if reason or not present:
            return _figure(None, len(present), reason or FEW)
        # One unit moves the count by at most one.
        count = sum(weight(v) for v in present)
        noisy = min(max(count + self.noise(1 / self.epsilon), 0.0), len(present))
        return _figure(round(100 * noisy / len(present)), len(present), None)

    def gaps(self) -> list[dict]:
        themes = sorted({key for u in self.units for key in u.values
                         if key.startswith(THEME_PREFIX)})
        found = []
        for key in themes:
            figure = self.share(self.units, key, weight=lambda v: float(v < GAP_BELOW))
            if figure["value"] is not None:
                found.append({"key": key, **figure})
        found.sort(key=lambda figure: (-figure["value"], figure["key"]))
        return found[:GAPS_SHOWN]


def compute(units: list[Unit], catalogue: dict, *, epsilon: float = smallcells.EPSILON,
            rng=None) -> dict:
    """Snapshot.data for these units (without the trend, which needs earlier snapshots)."""
    publisher = _Publisher(units, catalogue, epsilon=epsilon, rng=rng)
    rates = {key: {"overall": publisher.rate(units, key),
                   "kind": publisher.by("kind", lambda group, key=key: publisher.rate(group,
                                                                                       key))}
             for key in RATE_KEYS if key in catalogue}
    return {
        "units": len(units),
        "minimum": smallcells.MINIMUM_UNITS,
        "distributions": {d: publisher.distribution(d) for d in DIMENSIONS},
        "means": {"overall": publisher.mean(units),
                  **{d: publisher.by(d, publisher.mean) for d in DIMENSIONS}},
        "gaps": publisher.gaps(),
        "rates": rates,
        "shares": {key: publisher.share(units, key) for key in SHARE_KEYS if key in catalogue},
    }
