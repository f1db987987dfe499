"""Scoring of an assessment: framework-free, documented in docs/scoring.md.

- Each answered question gets a ratio between 0 and 1: the chosen choice's score divided by
  the best possible score (for a multiple-choice question, the sum of the chosen scores, or
  the score of the exclusive choice alone, over the sum of all scores). "Je ne sais pas"
  counts 0 and is a gap.
- A question shown only for some answers of another question (show_if) counts only when it
  is shown. Unanswered questions do not count in the score; they count in the progress.
- An unscored question (`scored: false`, a gate such as "Avez-vous un Wi-Fi ?") counts in the
  progress like any other, and nowhere else: no ratio, no gap, no measure. Only its answer
  matters, to show or hide the questions that depend on it.
- A theme's score is the weighted mean of its answered questions' ratios, × 100.
- The overall score is the weighted mean of all answered questions' ratios, × 100, so a theme
  weighs as much as its questions do.
- The maturity level follows the overall score, but a critical question answered 0 (or "Je ne
  sais pas") caps it at level 2: one open door is enough for an attacker.
- Every question with a ratio below 1 is a gap. Its measure is recommended at the basic level
  when the ratio is below 0.5 (or unknown), at the advanced level otherwise.
"""

from dataclasses import dataclass, field

# The only Django import: level names are shown to people, in their language.
from django.utils.translation import gettext_lazy as _

CRITICALITY_RANK = {"critique": 0, "majeure": 1, "normale": 2}
MATURITY_LEVELS = [
    (25, 1, _("Vulnérable")),
    (50, 2, _("Bases en place")),
    (75, 3, _("Maîtrisé")),
    (101, 4, _("Avancé")),
]
CRITICAL_GAP_CAP = 2


@dataclass(frozen=True)
class AnswerValue:
    choice_ids: tuple = ()
    dont_know: bool = False


@dataclass
class Gap:
    question: object
    ratio: float
    dont_know: bool

    @property
    def measure(self):
        return self.question.measure

    @property
    def level(self):
        return "basic" if self.dont_know or self.ratio < 0.5 or not self.measure.advanced \
            else "advanced"

    @property
    def sort_key(self):
        return (CRITICALITY_RANK[self.question.criticality], self.measure.priority,
                -self.question.weight, self.ratio, self.question.id)


@dataclass
class ThemeResult:
    theme: object
    score: float | None
    answered: int
    visible: int
    gaps: list = field(default_factory=list)


@dataclass
class Result:
    themes: list
    score: float | None
    answered: int
    visible: int
    gaps: list
    level: int
    level_label: str

    @property
    def progress(self):
        return round(100 * self.answered / self.visible) if self.visible else 0

    @property
    def complete(self):
        return self.visible > 0 and self.answered == self.visible

    def priority_measures(self, count=6):
        """The first `count` distinct measures among the gaps, most urgent first."""
        seen, result = set(), []
        for gap in self.gaps:
            if gap.measure.id not in seen:
                seen.add(gap.measure.id)
                result.append(gap)
        return result[:count], result[count:]


def is_visible(question, answers, visible_ids):
    if not question.show_if_question:
        return True
    if question.show_if_question not in visible_ids:
        return False
    parent = answers.get(question.show_if_question)
    return parent is not None and bool(set(parent.choice_ids) & set(question.show_if_choices))


def visible_questions(questions, answers, visible_ids=None):
    """Questions in order, without those whose condition is not met (parents come first)."""
    visible_ids = set() if visible_ids is None else visible_ids
    result = []
    for question in questions:
        if is_visible(question, answers, visible_ids):
            visible_ids.add(question.id)
            result.append(question)
    return result


def is_answered(question, answer):
    if answer is None:
        return False
    return answer.dont_know or any(question.choice(cid) for cid in answer.choice_ids)


def question_ratio(question, answer):
    """Between 0 and 1, or None when the question is not answered or not scored."""
    if not question.scored or answer is None:
        return None
    if answer.dont_know:
        return 0.0
    chosen = [c for c in (question.choice(cid) for cid in answer.choice_ids) if c is not None]
    if not chosen:
        return None
    exclusive = [c for c in chosen if c.exclusive]
    if exclusive:
        chosen = exclusive[:1]
    total = sum(c.score for c in chosen) if question.kind == "multiple" else chosen[0].score
    return min(total / question.max_score, 1.0)


def weighted_mean(pairs):
    weights = sum(weight for weight, _ in pairs)
    return round(100 * sum(weight * ratio for weight, ratio in pairs) / weights, 1) \
        if weights else None


def maturity(score, has_critical_gap):
    if score is None:
        return 0, _("Non évalué")
    level, label = next((lv, lb) for ceiling, lv, lb in MATURITY_LEVELS if score < ceiling)
    if has_critical_gap and level > CRITICAL_GAP_CAP:
        level, label = CRITICAL_GAP_CAP, MATURITY_LEVELS[CRITICAL_GAP_CAP - 1][2]
    return level, label


def score_assessment(themes, answers):
    """themes: the organisation's applicable themes; answers: {question_id: AnswerValue}."""
    visible_ids = set()
    all_pairs, all_gaps, theme_results = [], [], []
    answered = visible = 0
    for theme in themes:
        pairs, gaps = [], []
        shown = visible_questions(theme.questions, answers, visible_ids)
        theme_answered = 0
        for question in shown:
            answer = answers.get(question.id)
            theme_answered += is_answered(question, answer)
            ratio = question_ratio(question, answer)
            if ratio is None:
                continue
            pairs.append((question.weight, ratio))
            if ratio < 1:
                gaps.append(Gap(question, ratio, answer.dont_know))
        theme_results.append(ThemeResult(theme, weighted_mean(pairs), theme_answered,
                                         len(shown), sorted(gaps, key=lambda g: g.sort_key)))
        all_pairs += pairs
        all_gaps += gaps
        answered += theme_answered
        visible += len(shown)
    score = weighted_mean(all_pairs)
    critical_gap = any(g.question.criticality == "critique" and g.ratio == 0 for g in all_gaps)
    level, label = maturity(score, critical_gap)
    return Result(theme_results, score, answered, visible,
                  sorted(all_gaps, key=lambda g: g.sort_key), level, label)
