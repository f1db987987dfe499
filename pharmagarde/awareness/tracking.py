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

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
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


def _raise(kind: str, now: datetime.datetime) -> tuple[dict, dict]:
    """(the condition, the changes) of the UPDATE that records a person's hit of `kind`."""
    R = Recipient.Result  # noqa: N806 (a short alias for the table below)
    opened = Coalesce(F("opened_at"), now)
    clicked = Coalesce(F("clicked_at"), now)
    return {
        Event.Kind.OPENED: ({"result__lt": R.OPENED},
                            {"result": R.OPENED, "opened_at": now}),
        Event.Kind.CLICKED: ({"result__lt": R.CLICKED},
                             {"result": R.CLICKED, "clicked_at": now, "opened_at": opened}),
        Event.Kind.SECOND_STEP: ({"result__lt": R.CLICKED},
                                 {"result": R.CLICKED, "clicked_at": clicked,
                                  "opened_at": opened}),
        Event.Kind.SUBMITTED: ({"result__lt": R.SUBMITTED},
                               {"result": R.SUBMITTED, "submitted_at": now,
                                "clicked_at": clicked, "opened_at": opened}),
        Event.Kind.REPORTED: ({"reported_at": None}, {"reported_at": now}),
    }[kind]


# What each kind of hit needs of the recipient: the pixels only its ids and sent_at; the
# pages the campaign's content and the organisation's name as well.
_PIXEL_FIELDS = ("id", "organisation_id", "campaign_id", "sent_at")


def find(token: str, *, page: bool) -> Recipient | None:
    """The recipient of a token, in one indexed query (None if there is none)."""
    if not token or len(token) > 64:
        return None
    rows = Recipient.objects.filter(token=token)
    rows = rows.select_related("campaign", "organisation") if page else rows.only(
        *_PIXEL_FIELDS)
    return rows.first()


def record(recipient: Recipient, kind: str, *, method: str, user_agent: str,
           client: str | None, now: datetime.datetime | None = None) -> Hit:
    """Record one hit of `recipient`: one insert and one UPDATE, in one transaction (one
    commit: on SQLite, one turn of the single writer's lock instead of two)."""
    now = now or timezone.now()
    is_scanner, reason = scanners.classify(method=method, user_agent=user_agent,
                                           client_ip=client, sent_at=recipient.sent_at,
                                           now=now, settings=settings)
    with transaction.atomic():
        return _write(recipient, kind, now, is_scanner, reason, user_agent, client)


def _write(recipient, kind, now, is_scanner, reason, user_agent, client) -> Hit:
    Event.objects.create(organisation_id=recipient.organisation_id,
                         campaign_id=recipient.campaign_id, recipient_id=recipient.pk,
                         kind=kind, at=now, scanner=is_scanner,
                         scanner_reason=reason[:120], client=scanners.truncated(client),
                         user_agent=(user_agent or "")[:300])
    rows = Recipient.objects.filter(pk=recipient.pk)
    if is_scanner:
        rows.update(scanner_hits=F("scanner_hits") + 1)
        return Hit(recipient, kind, True, reason, False)
    condition, changes = _raise(kind, now)
    first = bool(rows.filter(**condition).update(**changes))
    return Hit(recipient, kind, False, "", first)


def record_request(request: HttpRequest, recipient: Recipient, kind: str) -> Hit:
    """`record` with what the request says of its client. Reads headers only, never the
    body."""
    return record(recipient, kind, method=request.method,
                  user_agent=request.META.get("HTTP_USER_AGENT", ""),
                  client=client_ip(request))
