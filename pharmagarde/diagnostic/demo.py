"""Demonstration diagnostic: a finished assessment of the officine, a month old, which
fills its action plan (the plan's own demo then schedules a few actions).

Answers are drawn from the question ids (not at random), so every installation shows the
same, plausible picture: some good practices, some gaps, a few "Je ne sais pas".
"""

import hashlib
from datetime import timedelta

from django.utils import timezone

from pharmagarde.core.registry import DemoData

from . import services as diagnostic
from .models import Assessment
from .scoring import AnswerValue, is_visible


def _draw(question_id):
    return int(hashlib.sha256(question_id.encode()).hexdigest(), 16)


def demo_answer(question):
    """A deterministic answer: about one in eight "Je ne sais pas", others spread."""
    number = _draw(question.id)
    if question.dont_know and number % 8 == 0:
        return [], True
    scoring = [c for c in question.choices if not c.exclusive]
    if question.kind == "multiple":
        return [c.id for c in scoring[: 1 + number % len(scoring)]], False
    return [scoring[number % len(scoring)].id], False


def answer_everything(assessment, acting_user):
    answers, visible = {}, set()
    for theme in assessment.themes():
        for question in theme.questions:
            if not is_visible(question, answers, visible):
                continue
            visible.add(question.id)
            choice_ids, dont_know = demo_answer(question)
            diagnostic.answer_save(acting_user=acting_user, assessment=assessment,
                                   question_id=question.id, choice_ids=choice_ids,
                                   dont_know=dont_know)
            answers[question.id] = AnswerValue(tuple(choice_ids), dont_know)


def load(demo: DemoData) -> None:
    """Create the officine's demo assessment once (it fills the plan)."""
    organisation = demo.organisations["officine"]
    if organisation.assessments.exists():
        return
    acting_user = demo.responsables["officine"]
    assessment = diagnostic.assessment_start(acting_user=acting_user,
                                             organisation=organisation)
    answer_everything(assessment, acting_user)
    diagnostic.assessment_complete(acting_user=acting_user, assessment=assessment)
    # Dated a month ago, as if the titulaire had done it then and worked on the plan since.
    month_ago = timezone.now() - timedelta(days=30)
    Assessment.objects.filter(pk=assessment.pk).update(started_at=month_ago,
                                                       completed_at=month_ago)
    demo.count("diagnostics")
