"""The training records: assigning modules, the enrolment after a click in a campaign,
taking a module (grading, attempts, completion), the reminders, and the reads of the
training dashboard.

An assignment is open until it is passed (completed_at set); the database keeps one open
assignment per person and module (awareness_one_open_assignment). A failed attempt keeps
the assignment open and counts in `attempts`: the person retries. Audit entries name the
module and the score, never the person: the audit log is read by roles that see the
training only as the dashboard shows it.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, ngettext_lazy

from pharmagarde.core import audit
from pharmagarde.core.models import Membership, Organisation, Person, Role
from pharmagarde.core.reminders import HORIZON, Due

from . import modules
from .models import Assignment, Recipient

# An assignment made after a click is due this many days later.
ENROL_DAYS = 14
# The reminder before the due date, and the one after it.
SOON = datetime.timedelta(days=3)
LATE = datetime.timedelta(days=1)
# Told about the staff without an account who are late.
REMINDED_ROLES = (Role.RESPONSABLE, Role.REFERENT)


def _present(people: QuerySet, today: datetime.date) -> QuerySet:
    """Those who have not left at `today`."""
    return people.filter(Q(departure_date=None) | Q(departure_date__gt=today))


# ------------------------------------------------------------------------------- writes

def _insert_open(rows: list[Assignment]) -> int:
    """Insert `rows` (new open assignments) and return how many were: all at once, or,
    when one clashes with an open assignment made in the meantime (the enrolment after a
    click does not lock the organisation), one by one, that one left out."""
    try:
        with transaction.atomic():
            Assignment.objects.bulk_create(rows)
        return len(rows)
    except IntegrityError:
        pass
    made = 0
    for row in rows:
        try:
            with transaction.atomic():
                Assignment.objects.create(
                    organisation_id=row.organisation_id, person_id=row.person_id,
                    module=row.module, due_on=row.due_on, source=row.source,
                    assigned_by=row.assigned_by)
            made += 1
        except IntegrityError:
            continue
    return made


def assign(*, acting_user, organisation: Organisation, people: Iterable[Person], module: str,
           due_on: datetime.date | None, request=None) -> int:
    """Assign `module` to `people` (of `organisation`), due on `due_on`. Those who have
    left, and those who already have this module open, are skipped. Returns how many
    assignments were made, as many as the audit entry (one for them all) says. The
    organisation's row is locked first: two assignments at once (a double submit) wait for
    each other, and the second sees the first's. Four queries and the insert."""
    modules.module(module)  # KeyError on an unknown key: the caller chose from the list
    today = timezone.localdate()
    ids = {person.pk for person in people}
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        chosen = set(_present(Person.objects.filter(organisation=organisation, pk__in=ids),
                              today).values_list("pk", flat=True))
        chosen -= set(Assignment.objects.filter(person_id__in=chosen, module=module,
                                                completed_at=None)
                      .values_list("person_id", flat=True))
        made = _insert_open(
            [Assignment(organisation=organisation, person_id=pk, module=module,
                        due_on=due_on, source=Assignment.Source.MANUAL,
                        assigned_by=acting_user) for pk in sorted(chosen)]) if chosen else 0
        if made:
            audit.record("awareness.module_assigned", actor=acting_user,
                         organisation=organisation, request=request,
                         details={"module": module, "count": made,
                                  "due_on": due_on.isoformat() if due_on else ""})
    return made


def _open(person_id: int, module_key: str) -> Assignment | None:
    return Assignment.objects.filter(person_id=person_id, module=module_key,
                                     completed_at=None).first()


def _create_open(**fields) -> Assignment:
    """A new open assignment, or the one made at the same moment by another request."""
    try:
        with transaction.atomic():
            return Assignment.objects.create(**fields)
    except IntegrityError:
        return _open(fields["person"].pk, fields["module"])


def enrol_after_click(recipient: Recipient) -> Assignment | None:
    """The module of the campaign's template, assigned after a click (due in ENROL_DAYS),
    unless the campaign does not enrol, the recipient is not (or no longer) someone of
    the directory, or the module is unknown. Idempotent: the person's open assignment of
    that module when there is one."""
    campaign = recipient.campaign
    key = (campaign.content or {}).get("module") or ""
    person = recipient.person
    if not campaign.enrol or person is None or key not in modules.KEYS:
        return None
    today = timezone.localdate()
    if person.departure_date is not None and person.departure_date <= today:
        return None
    return _open(person.pk, key) or _create_open(
        organisation_id=campaign.organisation_id, person=person, module=key,
        due_on=today + datetime.timedelta(days=ENROL_DAYS),
        source=Assignment.Source.CAMPAIGN, campaign=campaign)


def start(*, person: Person, module_key: str) -> Assignment:
    """The person's open assignment of this module, started; a SELF one when there was
    none (the catalogue: modules taken freely)."""
    modules.module(module_key)
    assignment = _open(person.pk, module_key) or _create_open(
        organisation_id=person.organisation_id, person=person, module=module_key,
        source=Assignment.Source.SELF)
    if assignment.started_at is None:
        Assignment.objects.filter(pk=assignment.pk, started_at=None).update(
            started_at=timezone.now())
        assignment.refresh_from_db(fields=["started_at"])
    return assignment


def complete(*, assignment: Assignment, answers: dict[str, set[str]], acting_user=None,
             actor_label: str = "", request=None) -> modules.Grade:
    """Grade one attempt and record it: the score and one more attempt, and completed_at
    when it passes (audited). An assignment already passed is graded but left as it is:
    the person may read the explanations again."""
    module = modules.module(assignment.module)
    grade = modules.grade(module, answers)
    now = timezone.now()
    with transaction.atomic():
        current = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if current.completed_at is not None:
            assignment.refresh_from_db()
            return grade
        current.score = grade.score
        current.attempts += 1
        current.started_at = current.started_at or now
        if grade.passed:
            current.completed_at = now
        current.save(update_fields=["score", "attempts", "started_at", "completed_at"])
        if grade.passed:
            audit.record("awareness.module_completed", actor=acting_user,
                         actor_label=actor_label, organisation=current.organisation,
                         obj=current, request=request,
                         details={"module": current.module, "score": grade.score,
                                  "attempts": current.attempts})
    for name in ("score", "attempts", "started_at", "completed_at"):
        setattr(assignment, name, getattr(current, name))
    return grade


# -------------------------------------------------------------------------------- reads

@dataclass
class PersonRow:
    """One person of the dashboard: counts of their assignments and this year's hours."""

    person: Person
    due: int = 0  # open, not late
    late: int = 0
    done: int = 0
    scores: list[int] = field(default_factory=list)
    done_keys: set[str] = field(default_factory=set)  # passed this year
    # (module, token) of the open ones: the personal links of staff without an account.
    open: list[tuple[modules.Module, str]] = field(default_factory=list)

    @property
    def score(self) -> int | None:
        """The average score of the modules passed, or None."""
        return sum(self.scores) // len(self.scores) if self.scores else None

    @property
    def hours(self) -> Decimal:
        return modules.total_hours(self.done_keys)


@dataclass(frozen=True)
class ModuleRow:
    module: modules.Module
    done: int
    total: int


def is_late(assignment_due_on: datetime.date | None, today: datetime.date) -> bool:
    return assignment_due_on is not None and assignment_due_on < today


def directory(organisation: Organisation, *, today: datetime.date, job: str = "",
              state: str = "") -> QuerySet:
    """The people of the dashboard (those still there), filtered by job and by state:
    "en-retard" (a late module), "a-faire" (an open module), "a-jour" (nothing open)."""
    people = _present(Person.objects.filter(organisation=organisation), today)
    if job:
        people = people.filter(job=job)
    open_ones = Assignment.objects.filter(person=OuterRef("pk"), completed_at=None)
    if state == "en-retard":
        people = people.filter(Exists(open_ones.filter(due_on__lt=today)))
    elif state == "a-faire":
        people = people.filter(Exists(open_ones))
    elif state == "a-jour":
        people = people.filter(~Exists(open_ones))
    return people.order_by("last_name", "first_name", "pk")


def person_rows(people: Iterable[Person], *, today: datetime.date) -> list[PersonRow]:
    """The dashboard's row of each person: one query, whatever the number."""
    rows = {person.pk: PersonRow(person=person) for person in people}
    assignments = (Assignment.objects.filter(person_id__in=list(rows))
                   .values_list("person_id", "module", "due_on", "completed_at", "score",
                                "token"))
    for person_id, key, due_on, completed_at, score, token in assignments:
        row = rows[person_id]
        if completed_at is None:
            if key in modules.KEYS:
                row.open.append((modules.module(key), token))
            if is_late(due_on, today):
                row.late += 1
            else:
                row.due += 1
            continue
        row.done += 1
        if score is not None:
            row.scores.append(score)
        if timezone.localdate(completed_at).year == today.year and key in modules.KEYS:
            row.done_keys.add(key)
    return list(rows.values())


def module_rows(organisation: Organisation) -> list[ModuleRow]:
    """Each module with its assignments passed and made in the organisation (one query)."""
    counts = {row["module"]: row for row in
              Assignment.objects.filter(organisation=organisation).values("module")
              .annotate(total=Count("pk"), done=Count("pk", filter=~Q(completed_at=None)))}
    return [ModuleRow(module=module, done=counts.get(module.key, {}).get("done", 0),
                      total=counts.get(module.key, {}).get("total", 0))
            for module in modules.modules()]


def jobs(organisation: Organisation) -> list[str]:
    return list(Person.objects.filter(organisation=organisation).exclude(job="")
                .order_by("job").values_list("job", flat=True).distinct())


# ---------------------------------------------------------------------------- reminders

_short_date = lazy(lambda day: formats.date_format(day, "d/m/Y"), str)
_title = lazy(lambda key: modules.module(key).title, str)

SUBJECTS = {
    "soon": gettext_lazy("Formation à faire avant le {due} : {title}"),
    "late": gettext_lazy("Formation en retard : {title}"),
}
TEXTS = {
    "soon": gettext_lazy(
        "Le module « {title} » est à faire avant le {due}. Il se lit en quelques minutes, "
        "puis un court quiz vérifie ce que vous avez retenu."),
    "late": gettext_lazy(
        "Le module « {title} » était à faire avant le {due}. Prenez quelques minutes pour "
        "le suivre : il se termine par un court quiz."),
}
LATE_SUBJECT = ngettext_lazy(
    "%(count)d module de formation en retard dans l'équipe",
    "%(count)d modules de formation en retard dans l'équipe", "count")
LATE_TEXT = ngettext_lazy(
    "%(count)d module de formation assigné à des personnes sans compte Pharmagarde n'est "
    "pas fait à temps. Le tableau de suivi de la formation dit qui est concerné : "
    "transmettez-leur leur lien personnel.",
    "%(count)d modules de formation assignés à des personnes sans compte Pharmagarde ne "
    "sont pas faits à temps. Le tableau de suivi de la formation dit qui est concerné : "
    "transmettez-leur leur lien personnel.", "count")


def latest_occurrence(due_on: datetime.date, today: datetime.date):
    """(date, kind) of the latest reminder reached by `today`, or None: SOON before the
    due date, then once, the day after it."""
    if today < due_on - SOON:
        return None
    if today <= due_on:
        return due_on - SOON, "soon"
    return due_on + LATE, "late"


def _with_account() -> Exists:
    """Whether the assignment's person has an account that is a member of its
    organisation (else the reminder goes to the référents and the responsables)."""
    return Exists(Membership.objects.filter(user_id=OuterRef("person__user_id"),
                                            organisation_id=OuterRef("organisation_id")))


def due(now: datetime.datetime) -> Iterator[Due]:
    """The training reminders at `now`: each open assignment SOON before its due date and
    once late, to the person's account; for staff without an account, one reminder per
    organisation to its référents and responsables, « N modules en retard », without
    names. Three queries, whatever the number of assignments."""
    today = timezone.localdate(now)
    present = _present(Person.objects.all(), today).values("pk")
    base = Assignment.objects.filter(completed_at=None, person__in=present,
                                     module__in=modules.KEYS).exclude(due_on=None)
    personal = (base.filter(due_on__gte=today - HORIZON - LATE, due_on__lte=today + SOON)
                .filter(_with_account())
                .values_list("pk", "organisation_id", "organisation__slug", "module",
                             "due_on", "person__user_id"))
    for pk, organisation_id, slug, key, due_on, user_id in personal.iterator(chunk_size=2000):
        reached = latest_occurrence(due_on, today)
        if reached is None:
            continue
        occurrence, kind = reached
        words = {"title": _title(key), "due": _short_date(due_on)}
        yield Due(key=f"awareness.assignment:{pk}", occurrence=occurrence,
                  organisation_id=organisation_id,
                  subject=format_lazy(SUBJECTS[kind], **words),
                  text=format_lazy(TEXTS[kind], **words),
                  link=reverse_lazy("awareness_module", args=[slug, key]),
                  users=(user_id,), urgent=kind == "late", deadline=due_on)
    late = (base.filter(due_on__lt=today).filter(~_with_account())
            .values("organisation_id", "organisation__slug")
            .annotate(count=Count("pk"), last=Max("due_on")).order_by("organisation_id"))
    late = list(late)
    if not late:
        return
    reminded = defaultdict(list)
    for organisation_id, user_id in (
            Membership.objects.filter(organisation_id__in=[row["organisation_id"]
                                                           for row in late],
                                      role__in=REMINDED_ROLES)
            .order_by("pk").values_list("organisation_id", "user_id")):
        reminded[organisation_id].append(user_id)
    for row in late:
        # A new occurrence only when another module becomes late: not every day.
        words = {"count": row["count"]}
        yield Due(key=f"awareness.training_late:{row['organisation_id']}",
                  occurrence=row["last"] + LATE, organisation_id=row["organisation_id"],
                  subject=_percent_lazy(LATE_SUBJECT, words),
                  text=_percent_lazy(LATE_TEXT, words),
                  link=reverse_lazy("awareness_training", args=[row["organisation__slug"]]),
                  users=tuple(reminded[row["organisation_id"]]), urgent=True)


def _percent(message, words: dict) -> str:
    return str(message % words)


_percent_lazy = lazy(_percent, str)
