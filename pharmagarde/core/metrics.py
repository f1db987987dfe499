"""What an app hands to the federations: values per organisation, scores and counts only.

An app declares `federation_metrics` (core/registry.py): a MetricSource with the metrics it
has and a function giving their values for many organisations at once. The federation
app aggregates them under the small-cell rules (lib/smallcells.py), and a member on its
own server exports the same values, signed. Never a name, an answer or a free text.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from pharmagarde.lib.dates import add_months

# How a metric is aggregated.
SCORE = "score"  # a number in [low, high] per organisation: a noised mean, a distribution
RATE = "rate"  # (numerator, denominator) counts per organisation: a pooled rate
SHARE = "share"  # a yes/no per organisation: the share of organisations


@dataclass(frozen=True)
class Metric:
    key: str  # « diagnostic.score », unique across apps
    label: str
    kind: str  # SCORE, RATE or SHARE
    low: float = 0.0
    high: float = 100.0
    # Higher is better (a score, a training rate) or worse (a click rate).
    higher_is_better: bool = True


@dataclass(frozen=True)
class MetricSource:
    metrics: tuple[Metric, ...]
    # values(organisation_ids, moment) -> {organisation id: {metric key: value}}: the
    # values as of `moment` (data recorded before it), a float for SCORE, a pair of ints
    # for RATE, a bool for SHARE; a metric the organisation has no data for is left out.
    # A bounded number of queries whatever the number of organisations.
    values: Callable[[set[int], datetime.datetime], dict[int, dict]]


def id_chunks(organisation_ids) -> list[list[int]]:
    """The ids in chunks small enough for one `organisation_id__in` each: 22,000
    organisations are two queries on PostgreSQL; SQLite takes fewer parameters a query."""
    size = 900 if connection.vendor == "sqlite" else 20_000
    ordered = sorted(organisation_ids)
    return [ordered[start:start + size] for start in range(0, len(ordered), size)]


def year_before(moment: datetime.datetime) -> datetime.datetime:
    """The start of the 12 months before `moment` (the rates' and shares' window)."""
    return add_months(moment, -12)
