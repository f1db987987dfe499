"""Every app's values for the federations, in one place (core/metrics.py).

`catalogue()` is the list of metrics the apps declare (AppDeclaration.federation_metrics),
the only keys a federation aggregates and a signed aggregate may carry (signing.py);
`collect()` asks each app once for the values of many organisations: a bounded number of
queries whatever their number (each source's own bound, two to three per chunk of 20,000).
"""

import datetime
import math

from pharmagarde.core import registry
from pharmagarde.core.metrics import RATE, SCORE, SHARE, Metric, MetricSource


def sources() -> list[MetricSource]:
    return registry.hooks("federation_metrics")


def catalogue() -> dict[str, Metric]:
    """{metric key: Metric} over every installed app, in INSTALLED_APPS order."""
    found = {}
    for source in sources():
        for metric in source.metrics:
            if metric.key in found:
                raise ValueError(f"Deux applications déclarent la mesure {metric.key!r}.")
            found[metric.key] = metric
    return found


def collect(organisation_ids, moment: datetime.datetime) -> dict[int, dict]:
    """{organisation id: {metric key: value}} as of `moment`, for every organisation asked
    about (an empty dict for one without any value): each app's source called once."""
    organisation_ids = set(organisation_ids)
    found: dict[int, dict] = {organisation_id: {} for organisation_id in organisation_ids}
    if not organisation_ids:
        return found
    for source in sources():
        keys = {metric.key for metric in source.metrics}
        for organisation_id, entry in source.values(organisation_ids, moment).items():
            if organisation_id in found:
                found[organisation_id].update(
                    (key, value) for key, value in entry.items() if key in keys)
    return found


def is_valid(metric: Metric, value) -> bool:
    """Whether `value` is a value of `metric` (core/metrics.py): a finite number within
    [low, high] for a score, a pair of counts 0 ≤ numerator ≤ denominator for a rate, a
    bool for a share. Nothing else can pass: no text, no list of more than two counts."""
    if metric.kind == SHARE:
        return isinstance(value, bool)
    if metric.kind == RATE:
        return (isinstance(value, list | tuple) and len(value) == 2
                and all(isinstance(count, int) and not isinstance(count, bool)
                        for count in value)
                and 0 <= value[0] <= value[1] and value[1] <= 10**9)
    if metric.kind == SCORE:
        return (isinstance(value, int | float) and not isinstance(value, bool)
                and math.isfinite(value) and metric.low <= value <= metric.high)
    return False
