"""The values diagnostic gives the federations (core/metrics.py): each organisation's
score and theme scores from its latest assessment completed before the moment asked for.

One query per chunk of organisations (core.metrics.id_chunks: one for up to 20,000 on
PostgreSQL), the same "latest" as the peer comparison (AssessmentQuerySet
.latest_completed_before).
"""

import datetime

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.metrics import SCORE, Metric, MetricSource, id_chunks

from . import referential as referentials
from .models import Assessment

SCORE_KEY = "diagnostic.score"
THEME_PREFIX = "diagnostic.theme."


def _themes() -> dict[str, str]:
    """{theme id: title} over every version of the questionnaire, the latest title kept:
    an assessment of an older version still counts under its themes."""
    themes = {}
    for version in referentials.available_versions():
        for theme in referentials.get_referential(version).themes:
            themes[theme.id] = theme.title
    return themes


def _metrics() -> tuple[Metric, ...]:
    overall = Metric(SCORE_KEY, _("Score du diagnostic"), SCORE)
    return (overall, *(Metric(THEME_PREFIX + theme_id,
                              format_lazy(_("Score du thème « {title} »"), title=title), SCORE)
                       for theme_id, title in _themes().items()))


def values(organisation_ids: set[int], moment: datetime.datetime) -> dict[int, dict]:
    known = {metric.key for metric in SOURCE.metrics}
    found = {}
    for chunk in id_chunks(organisation_ids):
        rows = (Assessment.objects.filter(organisation_id__in=chunk)
                .latest_completed_before(moment)
                .values_list("organisation_id", "score", "theme_scores"))
        for organisation_id, score, theme_scores in rows:
            if score is None:
                continue
            entry = {SCORE_KEY: float(score)}
            for theme_id, theme_score in (theme_scores or {}).items():
                key = THEME_PREFIX + theme_id
                if theme_score is not None and key in known:
                    entry[key] = float(theme_score)
            found[organisation_id] = entry
    return found


SOURCE = MetricSource(metrics=_metrics(), values=values)
