"""The values continuity gives the federations (core/metrics.py)."""

from pharmagarde.core.metrics import MetricSource


def values(organisation_ids, moment):
    return {}


SOURCE = MetricSource(metrics=(), values=values)
