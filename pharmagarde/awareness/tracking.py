"""Recording a tracking hit: opened (the pixel), clicked, the teaching page's second step,
the fake form sent, reported.

A hit costs three queries whatever the size of the campaign or the number of campaigns:
one lookup by token (a unique index), one Event insert, and one conditional UPDATE of the
recipient that only ever raises its result (`… SET result=2 … WHERE pk=… AND result<2`):
two hits at once cannot lower it, and nothing is read back. A report is kept apart
(reported_at), since it is a good outcome, not a step further down.

A hit thought to come from a mail scanner (scanners.classify) is recorded with its reason
and counted in scanner_hits, and raises nothing. The second step (an image of the teaching
page, loaded by a real browser) confirms a person: it raises the result to « clicked » if
the click itself was taken for a scanner's (a person quicker than the delay, say).

The fake form's content is never read: the views that record a submission never touch the
request's body, and the fake page's fields have no name, so a browser sends nothing typed.
"""

import contextlib
import datetime
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from pharmagarde.core.audit import client_ip

from . import scanners
from .models import Event, Recipient


@dataclass(frozen=True)
class Hit:
    recipient: Recipient
    kind: str  # an Event.Kind
    scanner: bool
    reason: str
    first: bool  # the hit raised the result (or set reported_at)


_LEVELS = {"ouverture": 1, "clic": 2, "lecture": 2, "formulaire": 3}


def _already(recipient: Recipient, kind: str) -> bool:
    """Whether the recipient, as read, has already gone as far as this hit takes it."""
    if kind == Event.Kind.REPORTED:
        return recipient.reported_at is not None
    return recipient.result >= _LEVELS[kind]


# What each kind of hit needs of the recipient: the pixels only its ids, sent_at and how
# far the person went; the pages the campaign's content and the organisation's name too.
_PIXEL_LOOKUP = ("SELECT id, organisation_id, campaign_id, sent_at, result, reported_at "
                 "FROM awareness_recipient WHERE token = %s")


def find(token: str, *, page: bool) -> Recipient | None:
    """The recipient of a token, in one indexed query (None if there is none). For a
    pixel, plain SQL: compiling the ORM's query cost a third of the hit."""
    if not token or len(token) > 64:
        return None
    if not page:
        return next(iter(Recipient.objects.raw(_PIXEL_LOOKUP, [token])), None)
    return Recipient.objects.filter(token=token).select_related(
        "campaign", "organisation").first()


def record(recipient: Recipient, kind: str, *, method: str, user_agent: str,
           client: str | None, now: datetime.datetime | None = None) -> Hit:
    """Record one hit of `recipient`: one insert and one UPDATE, in one transaction (one
    commit: on SQLite, one turn of the single writer's lock instead of two). On
    PostgreSQL both are one statement (the insert in a WITH), atomic by itself: one round
    trip to the server instead of four (BEGIN, insert, UPDATE, COMMIT)."""
    now = now or timezone.now()
    is_scanner, reason = scanners.classify(method=method, user_agent=user_agent,
                                           client_ip=client, sent_at=recipient.sent_at,
                                           now=now, settings=settings)
    if connection.vendor == "postgresql":
        return _write(recipient, kind, now, is_scanner, reason, user_agent, client,
                      together=True)
    with _one_writer(), transaction.atomic():
        return _write(recipient, kind, now, is_scanner, reason, user_agent, client)


_WRITER = threading.Lock()


def _one_writer():
    """On SQLite, the threads of one process take turns for the database's single write
    lock here, instead of meeting in SQLite's busy handler, whose back-off sleeps (up to
    100 ms) made the slowest hits wait far longer than the write itself. An optimisation
    within a process only: other processes still queue at SQLite's own lock."""
    return _WRITER if connection.vendor == "sqlite" else contextlib.nullcontext()


# The writes of a hit, as SQL the ORM would write (the same on SQLite and PostgreSQL):
# a hit is the product's hottest path, and building these two statements through the ORM
# cost more than running them. Tested through the ORM's own reads (test_tracking.py).
_INSERT = ("INSERT INTO awareness_event (organisation_id, campaign_id, recipient_id, kind, "
           "at, scanner, scanner_reason, client, user_agent) "
           "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)")
_SCANNER = "UPDATE awareness_recipient SET scanner_hits = scanner_hits + 1 WHERE id = %s"
# kind: (SET …, WHERE … beyond the id, how many times `now` is used in SET).
_RAISE = {
    Event.Kind.OPENED: ("result = 1, opened_at = %s", "result < 1", 1),
    Event.Kind.CLICKED: ("result = 2, clicked_at = %s, opened_at = COALESCE(opened_at, %s)",
                         "result < 2", 2),
    Event.Kind.SECOND_STEP: ("result = 2, clicked_at = COALESCE(clicked_at, %s), "
                             "opened_at = COALESCE(opened_at, %s)", "result < 2", 2),
    Event.Kind.SUBMITTED: ("result = 3, submitted_at = %s, "
                           "clicked_at = COALESCE(clicked_at, %s), "
                           "opened_at = COALESCE(opened_at, %s)", "result < 3", 3),
    Event.Kind.REPORTED: ("reported_at = %s", "reported_at IS NULL", 1),
}


def _write(recipient, kind, now, is_scanner, reason, user_agent, client, *,
           together=False) -> Hit:
    """The hit's insert, then its UPDATE if any; `together`: as one statement."""
    at = connection.ops.adapt_datetimefield_value(now)
    insert = [recipient.organisation_id, recipient.campaign_id, recipient.pk, kind, at,
              is_scanner, reason[:120], scanners.truncated(client), (user_agent or "")[:300]]
    if is_scanner:
        update, params, hit = _SCANNER, [recipient.pk], Hit(recipient, kind, True, reason,
                                                           False)
    elif _already(recipient, kind):
        # What the lookup read already says it: no UPDATE (a repeated open, a second
        # click). A concurrent first hit is still settled by the UPDATE's condition.
        update, params, hit = None, [], Hit(recipient, kind, False, "", False)
    else:
        changes, condition, times = _RAISE[kind]
        update = (f"UPDATE awareness_recipient SET {changes} "  # noqa: S608 - constants
                  f"WHERE id = %s AND {condition}")
        params, hit = [*[at] * times, recipient.pk], None
    with connection.cursor() as cursor:
        if update and together:
            cursor.execute(f"WITH hit AS ({_INSERT}) {update}", [*insert, *params])
        else:
            cursor.execute(_INSERT, insert)
            if update:
                cursor.execute(update, params)
        if hit is None:
            hit = Hit(recipient, kind, False, "", bool(cursor.rowcount))
    return hit


def record_request(request: HttpRequest, recipient: Recipient, kind: str) -> Hit:
    """`record` with what the request says of its client. Reads headers only, never the
    body."""
    return record(recipient, kind, method=request.method,
                  user_agent=request.META.get("HTTP_USER_AGENT", ""),
                  client=client_ip(request))
