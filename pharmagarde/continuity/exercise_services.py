"""Running a crisis exercise, and what it feeds: every write (keyword-only arguments,
acting_user, one transaction, its audit entry), the action plan's items from the findings
of finished exercises, and the yearly exercise reminder.

An exercise goes « en préparation » → « en cours » → « terminé ». Each stimulus of its
scenario is released once (the database's one_release_per_inject constraint: a second
release, a double click or two facilitators at once, is a no-op); decisions and
observations are noted with their time. Finishing records the debrief and the findings,
one per line, each of which becomes an action of the plan. Moments are passed as `now`
(the views give timezone.now()), so that tests say the time.
"""

import datetime
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict, claim_revision
from pharmagarde.core.models import Organisation
from pharmagarde.core.reminders import Due

from . import scenarios
from .models import Exercise, ExerciseEvent

# Notes of one exercise (the page and its report show them all).
MAX_EVENTS = 300
# The note of a moment may be typed a little after it; never in the future.
CLOCK_SKEW = datetime.timedelta(minutes=5)


class ExerciseStateError(Exception):
    """The exercise is not at the stage this step needs (its message says why, in French)."""


class ExerciseConflict(RevisionConflict):
    """Someone else saved this exercise since the form was shown."""


def _now(now):
    return now or timezone.now()


def exercise_create(*, acting_user, organisation: Organisation, scenario: str,
                    title: str = "", planned_for: datetime.datetime | None = None,
                    participants: str = "", request=None) -> Exercise:
    """Prepare an exercise from a scenario of the library that applies to the
    organisation's kind (ValidationError on "scenario" otherwise)."""
    found = scenarios.scenario(scenario)
    if found is None or not found.applies(organisation.kind):
        raise ValidationError({"scenario": _("Choisissez un scénario de la bibliothèque.")})
    with transaction.atomic():
        exercise = Exercise.objects.create(
            organisation=organisation, scenario=found.id,
            title=(title or "").strip()[:200] or found.title, planned_for=planned_for,
            participants=(participants or "").strip()[:2000], facilitator=acting_user)
        audit.record("continuity.exercise_created", actor=acting_user,
                     organisation=organisation, obj=exercise, request=request,
                     details={"scénario": found.title})
    return exercise


def exercise_prepare(*, acting_user, exercise: Exercise, title: str,
                     planned_for: datetime.datetime | None, participants: str,
                     revision: int | None, request=None) -> Exercise:
    """Change the title, the date and the participants of an exercise not yet finished."""
    if exercise.status == Exercise.Status.DONE:
        raise ExerciseStateError(_("Cet exercice est terminé : ses participants ne "
                                   "changent plus."))
    values = {"title": title.strip()[:200] or exercise.title, "planned_for": planned_for,
              "participants": participants.strip()[:2000]}
    with transaction.atomic():
        claim_revision(Exercise.objects.filter(organisation=exercise.organisation),
                       exercise.pk, revision, conflict=ExerciseConflict, **values)
        for name, value in values.items():
            setattr(exercise, name, value)
        exercise.revision = (revision if revision is not None else exercise.revision) + 1
        audit.record("continuity.exercise_updated", actor=acting_user,
                     organisation=exercise.organisation, obj=exercise, request=request,
                     details={"étape": str(exercise.get_status_display())})
    return exercise


def exercise_start(*, acting_user, exercise: Exercise, now=None, request=None) -> bool:
    """Start the clock of an exercise in preparation. Starting one already started does
    nothing (False): the start time does not move."""
    now = _now(now)
    with transaction.atomic():
        started = Exercise.objects.filter(pk=exercise.pk, status=Exercise.Status.PREPARING) \
            .update(status=Exercise.Status.RUNNING, started_at=now,
                    revision=F("revision") + 1)
        exercise.refresh_from_db(fields=["status", "started_at", "revision"])
        if started:
            audit.record("continuity.exercise_started", actor=acting_user,
                         organisation=exercise.organisation, obj=exercise, request=request)
    return bool(started)


def _require_running(exercise: Exercise) -> None:
    if exercise.status != Exercise.Status.RUNNING:
        raise ExerciseStateError(
            _("L'exercice n'a pas encore commencé : démarrez-le d'abord.")
            if exercise.status == Exercise.Status.PREPARING
            else _("L'exercice est terminé."))


def inject_text(inject: scenarios.Inject) -> str:
    """The words of a stimulus as its event keeps them (the scenario file may change)."""
    return f"{inject.channel_label} — {inject.sender} : {inject.text}"[:3000]


def inject_release(*, acting_user, exercise: Exercise, inject_id: str, now=None,
                   request=None) -> tuple[ExerciseEvent, bool]:
    """Release one stimulus of the running exercise: (its event, True) the first time,
    (the event of the first release, False) after. Raises KeyError for a stimulus the
    scenario does not have, ExerciseStateError when the exercise is not running."""
    found = scenarios.scenario(exercise.scenario)
    inject = found.inject(inject_id) if found else None
    if inject is None:
        raise KeyError(inject_id)
    _require_running(exercise)
    with transaction.atomic():
        # get_or_create catches the unique constraint's IntegrityError in a savepoint and
        # reads the row the other release wrote.
        event, created = ExerciseEvent.objects.get_or_create(
            exercise=exercise, inject=inject.id,
            defaults={"organisation": exercise.organisation, "at": _now(now),
                      "kind": ExerciseEvent.Kind.INJECT, "text": inject_text(inject),
                      "author": acting_user})
        if created:
            audit.record("continuity.exercise_event", actor=acting_user,
                         organisation=exercise.organisation, obj=exercise, request=request,
                         details={"type": str(ExerciseEvent.Kind.INJECT.label),
                                  "stimulus": inject.id})
    return event, created


def event_note(*, acting_user, exercise: Exercise, kind: str, text: str,
               at: datetime.datetime | None = None, now=None, request=None) -> ExerciseEvent:
    """Note a decision or an observation at `at` (now when not given), during the
    exercise or after it (an observer's paper notes typed at the debrief). Raises
    ValidationError with French messages by field ("kind", "text", "at")."""
    now = _now(now)
    at = at or now
    if exercise.status == Exercise.Status.PREPARING:
        raise ExerciseStateError(_("L'exercice n'a pas encore commencé : démarrez-le "
                                   "d'abord."))
    errors = {}
    if kind not in (ExerciseEvent.Kind.DECISION, ExerciseEvent.Kind.OBSERVATION):
        errors["kind"] = _("Choisissez : décision ou observation.")
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Écrivez ce qui a été décidé ou observé.")
    elif len(text) > 3000:
        errors["text"] = _("3 000 caractères au plus.")
    if at < exercise.started_at:
        errors["at"] = _("Ce moment est avant le début de l'exercice (%(start)s).") % {
            "start": timezone.localtime(exercise.started_at).strftime("%d/%m/%Y %H:%M")}
    elif at > now + CLOCK_SKEW:
        errors["at"] = _("Ce moment est dans le futur : vérifiez l'heure.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if ExerciseEvent.objects.filter(exercise=exercise).count() >= MAX_EVENTS:
            raise ValidationError({"text": _(
                "Cet exercice compte déjà %(max)d notes : regroupez les suivantes.") % {
                "max": MAX_EVENTS}})
        event = ExerciseEvent.objects.create(
            organisation=exercise.organisation, exercise=exercise, kind=kind, at=at,
            text=text, author=acting_user)
        audit.record("continuity.exercise_event", actor=acting_user,
                     organisation=exercise.organisation, obj=exercise, request=request,
                     details={"type": str(ExerciseEvent.Kind(kind).label)})
    return event


def clean_debrief(exercise: Exercise, answers: dict) -> dict:
    """The answers to the scenario's debrief questions only, trimmed, empty ones left out."""
    found = scenarios.scenario(exercise.scenario)
    known = [q.id for q in found.debrief] if found else list(exercise.debrief)
    return {qid: str(answers[qid]).strip()[:3000] for qid in known
            if str(answers.get(qid) or "").strip()}


def exercise_finish(*, acting_user, exercise: Exercise, debrief: dict, findings: str,
                    revision: int | None, now=None, request=None) -> Exercise:
    """End a running exercise with its debrief and findings (one measure per line, each an
    action of the plan), or correct them once it is finished. The plan follows at once."""
    from .plan_source import plan_sync

    if exercise.status == Exercise.Status.PREPARING:
        raise ExerciseStateError(_("L'exercice n'a pas encore commencé : démarrez-le "
                                   "d'abord."))
    finishing = exercise.status == Exercise.Status.RUNNING
    values = {"debrief": clean_debrief(exercise, debrief),
              "findings": (findings or "").strip()[:5000]}
    if finishing:
        values.update(status=Exercise.Status.DONE, ended_at=_now(now))
    rows = Exercise.objects.filter(organisation=exercise.organisation,
                                   status=exercise.status)
    with transaction.atomic():
        claim_revision(rows, exercise.pk, revision, conflict=ExerciseConflict,
                       current=Exercise.objects.all(), **values)
        for name, value in values.items():
            setattr(exercise, name, value)
        exercise.revision = (revision if revision is not None else exercise.revision) + 1
        audit.record("continuity.exercise_finished" if finishing
                     else "continuity.exercise_updated", actor=acting_user,
                     organisation=exercise.organisation, obj=exercise, request=request,
                     details={"constats": len(finding_lines(exercise.findings))})
        plan_sync(organisation=exercise.organisation, acting_user=acting_user)
    return exercise


# The action plan -------------------------------------------------------------------------

def finding_lines(findings: str) -> list[str]:
    """The measures of the findings: one per non-empty line, list marks removed."""
    from pharmagarde.incidents.plan_source import lesson_lines

    return lesson_lines(findings)


def items(organisation) -> list:
    """One PlanItem per line of the findings of each finished exercise (plan_source
    PROVIDERS), key "exercice:<id>:<n>". One query."""
    from pharmagarde.actions.sources import PlanItem

    found = []
    rows = (Exercise.objects.filter(organisation=organisation, status=Exercise.Status.DONE)
            .exclude(findings="").order_by("pk")
            .values_list("pk", "title", "ended_at", "findings"))
    for pk, title, ended_at, findings in rows:
        origin = f"Exercice « {title} » du {timezone.localtime(ended_at):%d/%m/%Y}"
        for index, line in enumerate(finding_lines(findings), start=1):
            found.append(PlanItem(
                key=f"exercice:{pk}:{index}", title=line[:200],
                why=f"Constat de l'exercice de crise « {title} ».", priority=160 + index,
                criticality="majeure", data={"origine": origin, "exercice": pk}))
    return found


# The yearly reminder ---------------------------------------------------------------------

YEAR = datetime.timedelta(days=365)
SETTLING = datetime.timedelta(days=30)  # a new organisation is not reminded at once
EVERY = datetime.timedelta(days=30)  # then again each month while none is finished

REMINDER_SUBJECT = gettext_lazy("Un exercice de crise par an : le prochain est à prévoir")
REMINDER_TEXT = gettext_lazy(
    "Aucun exercice de crise n'a été terminé depuis un an.\n\n"
    "Un exercice de 45 minutes à trois personnes suffit pour découvrir ce qui manque au "
    "plan de continuité : les numéros introuvables, le formulaire papier absent, la "
    "décision que personne n'ose prendre. Choisissez un scénario dans la bibliothèque, "
    "fixez une date et lancez-le : ses constats deviennent des actions du plan.")


def latest_occurrence(start: datetime.date, today: datetime.date) -> datetime.date | None:
    """The date of the latest reminder reached by `today`: when the exercise became due,
    then every EVERY days."""
    if today < start:
        return None
    return start + EVERY * ((today - start) // EVERY)


def due(now: datetime.datetime) -> Iterator[Due]:
    """The organisations older than SETTLING with no exercise finished in the last year,
    to their responsables, in the weekly digest. One query."""
    last = (Exercise.objects.filter(organisation=OuterRef("pk"), status=Exercise.Status.DONE)
            .order_by("-ended_at").values("ended_at")[:1])
    rows = (Organisation.objects.filter(created_at__lte=now - SETTLING)
            .annotate(last_done=Subquery(last))
            .filter(Q(last_done__isnull=True) | Q(last_done__lte=now - YEAR))
            .order_by("pk").values_list("pk", "slug", "created_at", "last_done"))
    today = timezone.localdate(now)
    for pk, slug, created_at, last_done in rows.iterator(chunk_size=2000):
        start = timezone.localdate(max(created_at + SETTLING,
                                       last_done + YEAR if last_done else created_at))
        occurrence = latest_occurrence(start, today)
        if occurrence is None:
            continue
        yield Due(key=f"continuity.exercise:{pk}", occurrence=occurrence,
                  organisation_id=pk, subject=REMINDER_SUBJECT, text=REMINDER_TEXT,
                  link=reverse_lazy("continuity_scenarios", args=[slug]))
