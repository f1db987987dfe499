"""The requests people make about their data (art. 15–22 GDPR): logging one, correcting it,
extending its deadline, recording the answer; its deadline and state; the reminders of the
requests to answer.

The deadline (art. 12(3)): one month from receipt, counted as the same day of the next
month (lib.dates.add_months: 31 January → 28 or 29 February). When a proof of identity had
to be asked for, the month runs from the day it arrived; while it has not, the month from
receipt is shown as a provisional deadline and no reminder is sent (the clock has not
started). An extension adds two months; it must be announced to the person, with its
reasons, within the first month.

Requests are not versioned: a concurrent edit is refused through their revision
(core.concurrency.claim_revision) and the audit log keeps what changed.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import FilteredRelation, Max, Q
from django.urls import reverse_lazy
from django.utils import formats, timezone, translation
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict, claim_revision
from pharmagarde.core.models import Organisation
from pharmagarde.core.reminders import HORIZON, Due
from pharmagarde.lib.dates import add_months

from .models import PersonRequest

Identity, Outcome = PersonRequest.Identity, PersonRequest.Outcome

# Who is reminded of a request to answer: those who keep the organisation's GDPR file.
REMINDED_ROLES = frozenset({"responsable", "dpo"})
SOON = datetime.timedelta(days=7)
EVE = datetime.timedelta(days=1)
# The fields a correction may change (the extension and the answer have their own forms).
EDITABLE = ("requester", "requester_name", "right", "received_on", "channel", "details",
            "identity", "identity_received_on", "processing", "handled_by")
# An answer with these outcomes refuses something: the person is told why (art. 12(4)).
NEEDS_REASONS = (Outcome.REFUSED, Outcome.PARTIAL)


class RequestConflict(RevisionConflict):
    """Someone else saved this request since the form was shown."""


# ------------------------------------------------------------------------- the deadline

def awaiting_proof(person_request: PersonRequest) -> bool:
    """A proof of identity was asked for and has not arrived: the month has not started."""
    return (person_request.identity == Identity.REQUESTED
            and person_request.identity_received_on is None)


def clock_start(person_request: PersonRequest) -> datetime.date:
    """The day the month runs from: the proof of identity's arrival, else the receipt."""
    if person_request.identity != Identity.NOT_NEEDED and person_request.identity_received_on:
        return max(person_request.identity_received_on, person_request.received_on)
    return person_request.received_on


def first_deadline(person_request: PersonRequest) -> datetime.date:
    """The end of the first month: an extension must be announced by then."""
    return add_months(clock_start(person_request), 1)


def deadline(person_request: PersonRequest) -> datetime.date:
    """The day the answer is due at the latest (provisional while awaiting the proof)."""
    return add_months(clock_start(person_request), 3 if person_request.extended else 1)


@dataclass(frozen=True)
class RequestState:
    code: str  # "answered", "late", "due", "waiting"
    label: str
    deadline: datetime.date
    days_left: int

    @property
    def is_open(self) -> bool:
        return self.code != "answered"


def state(person_request: PersonRequest, today: datetime.date) -> RequestState:
    """« répondue », « en retard », « à répondre sous N jours » or « en attente du
    justificatif », with the deadline it is measured against."""
    due_on = deadline(person_request)
    days_left = (due_on - today).days
    if person_request.answered_on is not None:
        return RequestState("answered", _("répondue"), due_on, days_left)
    if awaiting_proof(person_request):
        return RequestState("waiting", _("en attente du justificatif"), due_on, days_left)
    if days_left < 0:
        return RequestState("late", _("en retard"), due_on, days_left)
    if days_left == 0:
        return RequestState("due", _("à répondre aujourd'hui"), due_on, 0)
    return RequestState("due", ngettext("à répondre sous %(n)s jour",
                                        "à répondre sous %(n)s jours", days_left)
                        % {"n": days_left}, due_on, days_left)


def late_ids(organisation: Organisation, today: datetime.date) -> list[int]:
    """The ids of the organisation's unanswered requests past their deadline (one query:
    the deadline depends on the extension and the proof of identity, so it is computed
    here, on the open requests only, which are few)."""
    rows = (PersonRequest.objects.filter(organisation=organisation, answered_on=None)
            .only("pk", "received_on", "identity", "identity_received_on", "extended",
                  "answered_on"))
    return [row.pk for row in rows if state(row, today).code == "late"]


# ---------------------------------------------------------------------------- validation

def long_date(day: datetime.date) -> str:
    """« 12 mars 2026 », and « 1er mars 2026 » as French writes the first of the month."""
    if day.day == 1 and (translation.get_language() or "").startswith("fr"):
        return "1er " + formats.date_format(day, "F Y")
    return formats.date_format(day, "j F Y")


_day = long_date


def _check_request(values: dict, today: datetime.date) -> None:
    errors = {}
    received = values.get("received_on")
    proof = values.get("identity_received_on")
    identity = values.get("identity", Identity.NOT_NEEDED)
    if received and received > today:
        errors["received_on"] = _("Cette date est dans le futur : notez la date à laquelle "
                                  "la demande vous est parvenue.")
    if proof:
        if proof > today:
            errors["identity_received_on"] = _("Cette date est dans le futur.")
        elif received and proof < received:
            errors["identity_received_on"] = _("Le justificatif ne peut pas être arrivé "
                                               "avant la demande.")
        elif identity != Identity.CHECKED:
            errors["identity"] = _("Le justificatif est arrivé : choisissez « Identité "
                                   "vérifiée ».")
    if errors:
        raise ValidationError(errors)


def _check_answer(person_request: PersonRequest, *, answered_on, outcome, answer_notes,
                  today: datetime.date) -> None:
    errors = {}
    if answered_on is None:
        errors["answered_on"] = _("Indiquez la date d'envoi de la réponse.")
    elif answered_on > today:
        errors["answered_on"] = _("Cette date est dans le futur : enregistrez la réponse une "
                                  "fois envoyée.")
    elif answered_on < person_request.received_on:
        errors["answered_on"] = _("La réponse ne peut pas précéder la demande, reçue le "
                                  "%(day)s.") % {"day": _day(person_request.received_on)}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choisissez l'issue de la demande.")
    elif outcome in NEEDS_REASONS and not answer_notes.strip():
        errors["answer_notes"] = _("Un refus, même partiel, doit être motivé : écrivez les "
                                   "raisons données à la personne (par exemple une "
                                   "obligation légale de conservation).")
    if errors:
        raise ValidationError(errors)


def _check_extension(person_request: PersonRequest, *, reason: str, notified_on,
                     today: datetime.date) -> None:
    if person_request.answered_on is not None:
        raise ValidationError(_("Cette demande a déjà reçu sa réponse : il n'y a plus de "
                                "délai à prolonger."))
    if person_request.extended:
        raise ValidationError(_("Le délai de cette demande est déjà prolongé ; il ne peut "
                                "l'être qu'une fois, de deux mois."))
    limit = first_deadline(person_request)
    if today > limit:
        raise ValidationError(_("Le premier mois s'est terminé le %(day)s : il est trop "
                                "tard pour prolonger le délai. Répondez au plus vite.")
                              % {"day": _day(limit)})
    errors = {}
    if not reason.strip():
        errors["extension_reason"] = _("Écrivez pourquoi la demande demande plus de temps "
                                       "(complexe, ou l'une de nombreuses demandes) : la "
                                       "personne doit en connaître les raisons.")
    if notified_on is None:
        errors["extension_notified_on"] = _("Indiquez quand la personne a été prévenue : "
                                            "elle doit l'être avant la fin du premier mois.")
    elif notified_on > today:
        errors["extension_notified_on"] = _("Cette date est dans le futur : prévenez "
                                            "d'abord la personne.")
    elif notified_on < person_request.received_on:
        errors["extension_notified_on"] = _("La personne ne peut pas avoir été prévenue "
                                            "avant sa demande.")
    elif notified_on > limit:
        errors["extension_notified_on"] = _("La personne a été prévenue après la fin du "
                                            "premier mois (le %(day)s) : la prolongation "
                                            "n'est plus possible.") % {"day": _day(limit)}
    if errors:
        raise ValidationError(errors)


# ------------------------------------------------------------------------------ services

def _next_number(organisation: Organisation) -> int:
    # The organisation row is locked first: two requests logged at once get two numbers.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    return (PersonRequest.objects.filter(organisation=organisation)
            .aggregate(n=Max("number"))["n"] or 0) + 1


def _shown(person_request: PersonRequest, name: str) -> str:
    """A field's value as people read it, for the audit log."""
    value = getattr(person_request, name)
    if value is None or value == "":
        return ""
    display = getattr(person_request, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _label(name: str) -> str:
    return str(PersonRequest._meta.get_field(name).verbose_name)


def _claim(person_request: PersonRequest, revision: int | None, **fields) -> None:
    claim_revision(PersonRequest.objects.filter(organisation_id=person_request.organisation_id),
                   person_request.pk, revision, conflict=RequestConflict,
                   current=PersonRequest.objects.select_related("processing", "handled_by"),
                   updated_at=timezone.now(), **fields)


def request_log(*, acting_user, organisation: Organisation, requester: str,
                requester_name: str, right: str, received_on: datetime.date,
                channel: str = "", details: str = "",
                identity: str = Identity.NOT_NEEDED,
                identity_received_on: datetime.date | None = None, processing=None,
                handled_by=None, today: datetime.date | None = None,
                request=None) -> PersonRequest:
    """Log a request under the next number (D-001, D-002… per organisation)."""
    values = {"requester": requester, "requester_name": requester_name, "right": right,
              "received_on": received_on, "channel": channel, "details": details,
              "identity": identity, "identity_received_on": identity_received_on,
              "processing": processing, "handled_by": handled_by}
    _check_request(values, today or timezone.localdate())
    if processing is not None and processing.organisation_id != organisation.pk:
        raise ValueError("Le traitement doit être de la structure.")
    with transaction.atomic():
        person_request = PersonRequest.objects.create(
            organisation=organisation, number=_next_number(organisation), **values)
        audit.record("privacy.request_logged", actor=acting_user, organisation=organisation,
                     obj=person_request, request=request,
                     details={"droit": person_request.get_right_display(),
                              "reçue le": received_on.isoformat()})
    return person_request


def request_update(*, acting_user, person_request: PersonRequest, values: dict,
                   revision: int | None, today: datetime.date | None = None,
                   request=None) -> list[str]:
    """Correct a request (the fields of EDITABLE) if it is still at `revision`, else
    RequestConflict. Returns the labels of the fields that changed (nothing written when
    none did)."""
    values = {name: values[name] for name in EDITABLE if name in values}
    _check_request({**{n: getattr(person_request, n) for n in EDITABLE}, **values},
                   today or timezone.localdate())
    processing = values.get("processing")
    if processing is not None and processing.organisation_id != person_request.organisation_id:
        raise ValueError("Le traitement doit être de la structure.")
    with transaction.atomic():
        before = PersonRequest.objects.select_related("processing", "handled_by").get(
            pk=person_request.pk)
        changed = [name for name, value in values.items()
                   if getattr(before, name) != value]
        if not changed:
            if revision is not None and before.revision != revision:
                raise RequestConflict(before)
            return []
        _claim(person_request, revision, **values)
        after = PersonRequest.objects.select_related("processing", "handled_by").get(
            pk=person_request.pk)
        audit.record("privacy.request_updated", actor=acting_user,
                     organisation=person_request.organisation, obj=after, request=request,
                     details={_label(name): [_shown(before, name), _shown(after, name)]
                              for name in changed})
    person_request.refresh_from_db()
    return [_label(name) for name in changed]


def request_extend(*, acting_user, person_request: PersonRequest, reason: str,
                   notified_on: datetime.date | None, revision: int | None = None,
                   today: datetime.date | None = None, request=None) -> PersonRequest:
    """Extend the deadline by two months (art. 12(3)); ValidationError when the first
    month is over, the person was not told in time, or the reasons are missing."""
    today = today or timezone.localdate()
    with transaction.atomic():
        current = PersonRequest.objects.get(pk=person_request.pk)
        _check_extension(current, reason=reason, notified_on=notified_on, today=today)
        _claim(person_request, revision, extended=True, extension_reason=reason.strip(),
               extension_notified_on=notified_on)
        current.extended = True
        audit.record("privacy.request_extended", actor=acting_user,
                     organisation=person_request.organisation, obj=person_request,
                     request=request,
                     details={"prévenue le": notified_on.isoformat(),
                              "nouvelle échéance": deadline(current).isoformat()})
    person_request.refresh_from_db()
    return person_request


def request_answer(*, acting_user, person_request: PersonRequest,
                   answered_on: datetime.date | None, outcome: str, answer_notes: str = "",
                   revision: int | None = None, today: datetime.date | None = None,
                   request=None) -> PersonRequest:
    """Record the answer sent (or correct it): its date, its outcome and what was said;
    a refusal, even partial, carries its reasons."""
    today = today or timezone.localdate()
    with transaction.atomic():
        current = PersonRequest.objects.get(pk=person_request.pk)
        _check_answer(current, answered_on=answered_on, outcome=outcome,
                      answer_notes=answer_notes, today=today)
        _claim(person_request, revision, answered_on=answered_on, outcome=outcome,
               answer_notes=answer_notes.strip())
        current.answered_on = answered_on
        late = answered_on > deadline(current)
        audit.record("privacy.request_answered", actor=acting_user,
                     organisation=person_request.organisation, obj=person_request,
                     request=request,
                     details={"réponse le": answered_on.isoformat(),
                              "issue": str(Outcome(outcome).label),
                              "dans le délai": "non" if late else "oui"})
    person_request.refresh_from_db()
    return person_request


# ---------------------------------------------------------------------------- reminders

day_lazy = lazy(_day, str)

SUBJECTS = {
    "soon": gettext_lazy("Demande {ref} « {right} » : réponse à envoyer avant le {due}"),
    "eve": gettext_lazy("Demande {ref} « {right} » : la réponse est due demain, {due}"),
    "late": gettext_lazy("Demande {ref} « {right} » : le délai de réponse est dépassé"),
}
TEXTS = {
    "soon": gettext_lazy(
        "La demande {ref}, reçue le {received}, doit recevoir sa réponse au plus tard le "
        "{due}.\n\nPréparez-la dès maintenant : Pharmagarde propose un modèle de lettre "
        "sur la page de la demande. Si la demande est complexe, vous pouvez encore "
        "prolonger le délai de deux mois, à condition de prévenir la personne avant la fin "
        "du premier mois en lui disant pourquoi."),
    "eve": gettext_lazy(
        "La demande {ref}, reçue le {received}, doit recevoir sa réponse demain, le {due}, "
        "au plus tard.\n\nEnvoyez la réponse, puis notez dans Pharmagarde la date d'envoi "
        "et l'issue."),
    "late": gettext_lazy(
        "La demande {ref}, reçue le {received}, devait recevoir sa réponse le {due} au plus "
        "tard.\n\nRépondez sans attendre : une personne sans réponse peut se plaindre "
        "auprès de la CNIL. Notez ensuite dans Pharmagarde la date d'envoi et l'issue."),
}


def latest_occurrence(due_on: datetime.date, today: datetime.date):
    """(date, kind, urgent) of the latest reminder reached by `today`, or None: a week
    before, the day before (urgent), then once, the day after the deadline (urgent)."""
    if today < due_on - SOON:
        return None
    if today < due_on - EVE:
        return due_on - SOON, "soon", False
    if today <= due_on:
        return due_on - EVE, "eve", True
    return due_on + EVE, "late", True


def _rows(now: datetime.datetime):
    """The unanswered requests whose reminders may be due (a clock started recently
    enough for its latest reminder to be within core's horizon), with the user ids of
    their organisation's DPOs and responsables, one row each (one query). Accounts no
    longer active are left out by core.reminders, which keeps only active members."""
    today = timezone.localdate(now)
    # The latest reminder is the day after the deadline, at most three months after the
    # start: a start older than this has nothing left to remind.
    oldest = add_months(today - HORIZON - EVE, -3)
    return (
        PersonRequest.objects.filter(answered_on=None)
        .filter(Q(received_on__gte=oldest) | Q(identity_received_on__gte=oldest))
        .exclude(identity=Identity.REQUESTED, identity_received_on=None)
        .annotate(reminded=FilteredRelation(
            "organisation__memberships",
            condition=Q(organisation__memberships__role__in=REMINDED_ROLES)))
        .order_by("pk", "reminded__user_id")
        .values_list("pk", "organisation_id", "organisation__slug", "number", "right",
                     "received_on", "identity", "identity_received_on", "extended",
                     "reminded__user_id")
    )


def due(now: datetime.datetime) -> Iterator[Due]:
    """One Due per unanswered request whose answer is near or late: 7 days before the
    deadline, the day before (urgent), and once late (urgent), to the organisation's DPOs
    and responsables. Not while a proof of identity is awaited: the month has not
    started. One query, whatever the number of requests."""
    today = timezone.localdate(now)
    for pk, group in groupby(_rows(now).iterator(chunk_size=2000), key=lambda row: row[0]):
        rows = list(group)
        (_pk, organisation_id, slug, number, right, received_on, identity, proof, extended,
         _user) = rows[0]
        person_request = PersonRequest(pk=pk, number=number, right=right,
                                       received_on=received_on, identity=identity,
                                       identity_received_on=proof, extended=extended)
        due_on = deadline(person_request)
        reached = latest_occurrence(due_on, today)
        if reached is None:
            continue
        occurrence, kind, urgent = reached
        words = {"ref": person_request.reference, "right": PersonRequest.Right(right).label,
                 "due": day_lazy(due_on), "received": day_lazy(received_on)}
        yield Due(
            key=f"privacy.request:{pk}",
            occurrence=occurrence,
            organisation_id=organisation_id,
            subject=format_lazy(SUBJECTS[kind], **words),
            text=format_lazy(TEXTS[kind], **words),
            link=reverse_lazy("privacy_request", args=[slug, pk]),
            users=tuple(row[-1] for row in rows if row[-1] is not None),
            urgent=urgent,
            deadline=due_on,
        )
