"""Reads of the diagnostic that cross relations: previous assessment, peer comparison,
comparison between two assessments, and the words that explain a maturity level."""

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from pharmagarde.lib import smallcells

from . import peers
from . import referential as referentials
from .models import Assessment
from .scoring import MATURITY_LEVELS, maturity

# Peer averages are shown only from this many independent organisations (peers.py).
PEER_MINIMUM = smallcells.MINIMUM_UNITS

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


def level_bands() -> list[tuple[int, int, int, str]]:
    """[(from, to, level, label)] for the explanation of the formula."""
    bands, low = [], 0
    for ceiling, level, label in MATURITY_LEVELS:
        bands.append((low, min(ceiling, 100) if ceiling > 100 else ceiling - 1, level, label))
        low = ceiling
    return bands


def level_label(level: int) -> str:
    if not level:
        return _("Non évalué")
    return next(label for _ceiling, lv, label in MATURITY_LEVELS if lv == level)


def level_explanation(level: int) -> str:
    return LEVEL_EXPLANATIONS.get(level, LEVEL_EXPLANATIONS[0])


def level_capped(result) -> bool:
    """True when a critical gap holds the level below what the score alone would give."""
    return result.score is not None and maturity(result.score, False)[0] > result.level


def latest_completed(organisation, *, before: Assessment | None = None) -> Assessment | None:
    """The organisation's latest completed assessment; with `before`, the latest one before
    that assessment: completed before it, or, while it is in progress, started before it.
    The one rule for "latest" and "previous" (results page, new assessment's proposals,
    dashboard)."""
    queryset = Assessment.objects.filter(organisation_id=organisation.pk).completed()
    if before is not None:
        queryset = queryset.exclude(pk=before.pk)
        if before.completed_at is not None:
            queryset = queryset.filter(completed_at__lt=before.completed_at)
        else:
            queryset = queryset.filter(started_at__lte=before.started_at)
    return queryset.latest_first().first()


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The organisation's last completed assessment before this one (None if none)."""
    return latest_completed(assessment.organisation, before=assessment)


@dataclass
class PeerComparison:
    """What the results page shows of the peers: the published snapshot (peers.py)."""

    count: int
    score: int | None = None
    theme_scores: dict = field(default_factory=dict)
    period_start: object = None

    @property
    def shown(self):
        return self.score is not None


def peer_comparison(assessment: Assessment, theme_ids) -> PeerComparison:
    """The anonymous averages of the organisations of the assessment's kind, from this
    period's snapshot: one indexed read once the snapshot exists (peers.py)."""
    published = peers.snapshot(assessment.organisation_kind)
    return PeerComparison(
        count=published.units, score=published.score, period_start=published.period_start,
        theme_scores={theme_id: published.theme_scores[theme_id] for theme_id in theme_ids
                      if theme_id in published.theme_scores},
    )


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


def signed_points(value: float | None) -> str:
    """'+5', '−3,5' (a real minus sign), '0' or '' for no value."""
    if value is None:
        return ""
    text = number_format(abs(value), decimal_pos=1 if value % 1 else 0)
    return f"+{text}" if value > 0 else f"\u2212{text}" if value < 0 else "0"


def _gap_ids(result):
    return {gap.question.id for gap in result.gaps}


def compare_with_previous(result, answers: dict, previous: Assessment,
                          previous_answers: dict) -> tuple:
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


def theme_rows(result, previous_scores: dict | None = None,
               peer_scores: dict | None = None) -> list[ThemeComparison]:
    previous_scores, peer_scores = previous_scores or {}, peer_scores or {}
    return [ThemeComparison(t.theme, t.score, previous_scores.get(t.theme.id),
                            peer_scores.get(t.theme.id)) for t in result.themes]


def version_changes(assessment: Assessment):
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


def is_outdated(assessment: Assessment) -> bool:
    """True when a newer version of the questionnaire exists."""
    return assessment.referential_version != referentials.latest_version()


@dataclass
class DashboardDiagnostic:
    latest: object = None  # the last completed assessment
    in_progress: object = None
    level_label: str = ""
    level_explanation: str = ""


def dashboard_card(request) -> dict:
    """The dashboard's card: the last completed assessment, with its level in words, and
    the one in progress. Two queries."""
    assessments = request.organisation.assessments.defer("theme_scores")
    summary = DashboardDiagnostic(
        latest=assessments.completed().latest_first().first(),
        in_progress=assessments.filter(status=Assessment.Status.IN_PROGRESS)
        .order_by("-started_at", "-id").first(),
    )
    if summary.latest is not None:
        summary.level_label = level_label(summary.latest.level)
        summary.level_explanation = level_explanation(summary.latest.level)
    return {"diagnostic": summary}
