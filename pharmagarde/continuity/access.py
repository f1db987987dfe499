"""The continuity app's objects, fetched through the current organisation (core.access)."""

from django.http import HttpRequest

from pharmagarde.core.access import get_owned_or_404

from .models import (
    ContinuityPlan,
    CriticalActivity,
    Exercise,
    ExerciseEvent,
    RestoreEvidence,
    RestoreTest,
)


def get_criticalactivity_or_404(request: HttpRequest, pk) -> CriticalActivity:
    return get_owned_or_404(request, CriticalActivity.objects.all(), pk)


def get_restoretest_or_404(request: HttpRequest, pk) -> RestoreTest:
    return get_owned_or_404(request, RestoreTest.objects.select_related("backup", "activity"),
                            pk)


def get_restoreevidence_or_404(request: HttpRequest, pk) -> RestoreEvidence:
    return get_owned_or_404(request, RestoreEvidence.objects.all(), pk)


def get_exercise_or_404(request: HttpRequest, pk) -> Exercise:
    return get_owned_or_404(request, Exercise.objects.all(), pk)


def get_exerciseevent_or_404(request: HttpRequest, pk) -> ExerciseEvent:
    return get_owned_or_404(request, ExerciseEvent.objects.select_related("exercise"), pk)


def make_walk_objects(organisation) -> None:
    """One object of each of the continuity app's tenant models in `organisation`, for the
    access walk (tests/test_access_walk.py)."""
    import datetime

    from django.utils import timezone

    ContinuityPlan.objects.create(organisation=organisation)
    activity = CriticalActivity.objects.create(organisation=organisation, name="Parcours")
    test = RestoreTest.objects.create(organisation=organisation, activity=activity,
                                      tested_on=datetime.date(2026, 1, 5), what="Parcours",
                                      duration_minutes=10, result="reussi")
    RestoreEvidence.objects.create(organisation=organisation, test=test, file="walk.txt",
                                   original_name="walk.txt", size=1, content_type="text/plain")
    exercise = Exercise.objects.create(organisation=organisation, scenario="parcours",
                                       title="Parcours")
    ExerciseEvent.objects.create(organisation=organisation, exercise=exercise,
                                 kind="observation", at=timezone.now(), text="Parcours")
