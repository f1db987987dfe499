"""Reads of the diagnostic that cross relations: previous assessment, peer comparison,
comparison between two assessments, and the words that explain a maturity level."""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, FloatField, OuterRef, Subquery, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from . import referential as referentials
from .models import Assessment
from .scoring import MATURITY_LEVELS, maturity

# Peer averages are shown only from this many other organisations, so that no single
# organisation's answers can be inferred from them.
PEER_MINIMUM = 5

LEVEL_EXPLANATIONS = {
    0: _("Répondez aux questions pour obtenir votre niveau."),
    1: _("Les protections de base manquent : une attaque courante (rançongiciel, faux "
         "courriel) aurait de grandes chances de bloquer votre activité."),
    2: _("Les premières protections existent, mais des failles importantes restent "
         "ouvertes : commencez par les mesures prioritaires."),
    3: _("Les bonnes pratiques essentielles sont en place : il reste à les compléter et à "
         "les vérifier régulièrement."),
    4: _("Presque toutes les mesures sont appliquées : entretenez-les et testez-les "
         "(restauration des sauvegardes, exercices)."),
}


def level_bands():
    """[(from, to, level, label)] for the explanation of the formula."""
    bands, low = [], 0
    for ceiling, level, label in MATURITY_LEVELS:
        bands.append((low, min(ceiling, 100) if ceiling > 100 else ceiling - 1, level, label))
        low = ceiling
    return bands


def level_label(level):
    if not level:
        return _("Non évalué")
    return next(label for _ceiling, lv, label in MATURITY_LEVELS if lv == level)


def level_explanation(level):
    return LEVEL_EXPLANATIONS.get(level, LEVEL_EXPLANATIONS[0])


def level_capped(result):
    """True when a critical gap holds the level below what the score alone would give."""
    return result.score is not None and maturity(result.score, False)[0] > result.level


def latest_completed(organisation):
    return (organisation.assessments.filter(status=Assessment.Status.COMPLETED)
            .order_by("-completed_at", "-id").first())


def previous_assessment(assessment):
    """The organisation's last completed assessment before this one (None if none)."""
    queryset = Assessment.objects.filter(
        organisation_id=assessment.organisation_id, status=Assessment.Status.COMPLETED,
    ).exclude(pk=assessment.pk)
    if assessment.completed_at is not None:
        queryset = queryset.filter(completed_at__lt=assessment.completed_at)
    else:
        queryset = queryset.filter(started_at__lte=assessment.started_at)
    return queryset.order_by("-completed_at", "-id").first()


@dataclass
class PeerComparison:
    count: int
    score: float | None = None
    theme_scores: dict = field(default_factory=dict)

    @property
    def shown(self):
        return self.count >= PEER_MINIMUM


def _latest_completed(**filters):
    """The latest completed assessment of each organisation matching `filters`."""
    completed = Assessment.Status.COMPLETED
    latest_of_each = Assessment.objects.filter(
        organisation=OuterRef("organisation"), status=completed,
    ).order_by("-completed_at", "-id").values("pk")[:1]
    return Assessment.objects.filter(status=completed, pk=Subquery(latest_of_each),
                                     **filters)


def _totals(assessments, theme_ids):
    """Sums and counts of the overall score and of each theme's score, in one query."""
    aggregates = {"n": Count("id"), "score": Sum("score")}
    for index, theme_id in enumerate(theme_ids):
        value = Cast(KT(f"theme_scores__{theme_id}"), FloatField())
        aggregates[f"t{index}"] = Sum(value)
        aggregates[f"c{index}"] = Count(value)
    return assessments.aggregate(**aggregates)


def kind_totals(kind, theme_ids):
    """Totals over every organisation of a kind, cached for PEER_CACHE_SECONDS.

    At national scale this aggregate reads thousands of assessments (bench/diagnostic.py:
    ~170 ms for 22,000 organisations on PostgreSQL); averages that are a few minutes old
    are fine for a comparison.
    """
    key = "peers:" + hashlib.sha256(f"{kind}|{'|'.join(theme_ids)}".encode()).hexdigest()
    timeout = getattr(settings, "PEER_CACHE_SECONDS", 600)
    return cache.get_or_set(
        key, lambda: _totals(_latest_completed(organisation_kind=kind), theme_ids), timeout)


def peer_comparison(assessment, theme_ids):
    """Average of the latest completed assessment of every *other* organisation of the same
    kind: overall score and the score of each theme in `theme_ids`.

    The kind's totals (cached) minus the organisation's own latest assessment, if it has
    one. Nothing is returned about any single organisation; the averages are left empty
    below PEER_MINIMUM organisations (and a theme's average below PEER_MINIMUM scores).
    """
    theme_ids = list(theme_ids)
    totals = dict(kind_totals(assessment.organisation_kind, theme_ids))
    own = _latest_completed(organisation_id=assessment.organisation_id,
                            organisation_kind=assessment.organisation_kind)
    own_totals = _totals(own, theme_ids) if totals["n"] else {}
    for name, value in own_totals.items():
        totals[name] = (totals[name] or 0) - (value or 0)
    comparison = PeerComparison(count=totals["n"])
    if not comparison.shown:
        return comparison
    comparison.score = _average(totals["score"], totals["n"])
    comparison.theme_scores = {
        theme_id: _average(totals[f"t{index}"], totals[f"c{index}"])
        for index, theme_id in enumerate(theme_ids)
        if totals[f"c{index}"] >= PEER_MINIMUM
    }
    return comparison


def _average(total, count):
    return _round(total / count) if count and total is not None else None


def _round(value):
    return None if value is None else round(value, 1)


@dataclass
class ThemeComparison:
    theme: object
    score: float | None
    previous: float | None = None
    peers: float | None = None

    @property
    def change(self):
        if self.score is None or self.previous is None:
            return None
        return round(self.score - self.previous, 1)

    @property
    def change_display(self):
        return signed_points(self.change)


def signed_points(value):
    """'+5', '−3,5' (a real minus sign), '0' or '' for no value."""
    if value is None:
        return ""
    text = number_format(abs(value), decimal_pos=1 if value % 1 else 0)
    return f"+{text}" if value > 0 else f"\u2212{text}" if value < 0 else "0"


def _gap_ids(result):
    return {gap.question.id for gap in result.gaps}


def compare_with_previous(result, answers, previous, previous_answers):
    """New gaps (there now, not before) and closed gaps (there before, answered well now).

    `answers` and `previous_answers` are the two assessments' answer values by question id.
    A question not answered yet in the current assessment is neither new nor closed.
    """
    previous_result = previous.result(previous_answers)
    before, now = _gap_ids(previous_result), _gap_ids(result)
    questions = {q.id for theme in result.themes for q in theme.theme.questions}
    new = [gap for gap in result.gaps if gap.question.id not in before]
    closed = [gap for gap in previous_result.gaps
              if gap.question.id not in now and gap.question.id in questions
              and gap.question.id in answers]
    return previous_result, new, closed


def theme_rows(result, previous_scores=None, peer_scores=None):
    previous_scores, peer_scores = previous_scores or {}, peer_scores or {}
    return [ThemeComparison(t.theme, t.score, previous_scores.get(t.theme.id),
                            peer_scores.get(t.theme.id)) for t in result.themes]


def version_changes(assessment):
    """Question changes from the assessment's version to the latest, limited to the
    questions that concern this kind and size of organisation."""
    old = assessment.referential
    latest = referentials.latest_version()
    new = referentials.get_referential(latest)
    diff = referentials.compare_versions(old, new)
    kind, size = assessment.organisation_kind, assessment.size_band

    def concerned(*questions):
        return any(q is not None and q.applies(kind, size) for q in questions)

    return {
        "latest": latest,
        "added": [new.questions[q] for q in diff["added"] if concerned(new.questions[q])],
        "removed": [old.questions[q] for q in diff["removed"] if concerned(old.questions[q])],
        "changed": [(old.questions[q], new.questions[q]) for q in diff["changed"]
                    if concerned(old.questions[q], new.questions[q])],
    }


def is_outdated(assessment):
    """True when a newer version of the questionnaire exists."""
    return assessment.referential_version != referentials.latest_version()
