"""Sending a campaign: the schedule, and the workers that share it.

**The schedule.** At launch every recipient gets a `send_at`: from the start, one slot every
60 / rate_per_minute seconds of the sending profile (with random spacing inside each slot
when asked), only inside the business-hours window and on the chosen weekdays. The rate is
thereby kept across any number of workers: no worker sends a row before its time. A
schedule that would end after the send-by deadline is refused at launch (`ScheduleTooLong`).

**The workers.** `run(campaign_id, worker=…)` is the body of the task `send_campaign`; any
number of them run at once, on any number of machines. Each claims a batch of due rows
(`claim`: QUEUED and due, or CLAIMED by a worker whose lease has ended), stamping them with
its own claim id and a lease, then sends them over one SMTP connection:

1. MAIL FROM, RCPT TO, DATA and the whole message but its last line;
2. in one transaction, the row is marked sent, only if it is still this worker's claim
   (the row is then locked by the transaction);
3. the last line (« . »), after which the server accepts the message, and at once the
   commit of step 2.

A worker killed before step 3 has sent nothing: the server drops a message whose DATA never
ended, the transaction is rolled back with the lost connection, and the row, still
CLAIMED, is sent again by another worker once the lease is over. A worker killed once the
database has the commit has its row marked: it is never sent again, even if the kill
lands while the worker waits for the commit's answer (the database commits without it).
The one window left is between writing the last line and writing the commit, two writes
on two sockets with a few microseconds of Python between them and no wait: a kill that
lands exactly there leaves the message sent and the row unmarked, so that person receives
it twice. No message is lost. (Marking and committing before the last line, as an earlier
version did, made the window the whole round trip of the UPDATE to the database, a kill
there a lost message: 3 runs of 12 lost one when a worker was frozen at a random moment
and killed; see tests/awareness/test_worker_kill.py.) If the row is no longer this
worker's at step 2 (its lease ended while the server was slow), the connection is dropped
instead of ending the message: the other worker sends it, once.

**Pause, resume, stop.** Workers claim only rows of a campaign being sent: a pause stops
them at their next batch; a resume moves the rows still waiting by the length of the pause;
a stop cancels them. `resume_stalled` (the scheduler, every period) starts workers again for
a campaign whose due rows nobody is sending (workers all stopped or killed).
"""

import datetime
import logging
import random
import re
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate, make_msgid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.html import escape
from django.utils.translation import gettext as _

from pharmagarde.core import crypto

from .models import Campaign, Event, Recipient, SendingProfile

logger = logging.getLogger("pharmagarde.awareness")

BATCH = 100
MAX_ATTEMPTS = 3
PLACEHOLDER = re.compile(r"\{\{\s*(prenom|nom|structure|lien|pixel)\s*\}\}")
CRLF = b"\r\n"


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.AWARENESS_LEASE_SECONDS)


# The schedule ------------------------------------------------------------------------------

class ScheduleTooLong(ValueError):
    """The sends would not all fit before the campaign's deadline."""

    def __init__(self, last: datetime.datetime):
        self.last = last
        super().__init__(_(
            "À ce rythme, le dernier message partirait le %(date)s, après la date limite. "
            "Augmentez le débit du profil d'envoi, élargissez les heures ou les jours "
            "d'envoi, ou reculez la date limite.") % {
                "date": timezone.localtime(last).strftime("%d/%m/%Y à %H:%M")})


@dataclass(frozen=True)
class Window:
    start: datetime.time | None = None
    end: datetime.time | None = None
    weekdays: frozenset[int] = frozenset(range(7))

    def next_open(self, moment: datetime.datetime) -> datetime.datetime:
        """`moment` if it is inside the window, else the window's next opening."""
        local = timezone.localtime(moment)
        for _day in range(8):
            day_open = local.replace(hour=self.start.hour, minute=self.start.minute,
                                     second=0, microsecond=0) if self.start else \
                local.replace(hour=0, minute=0, second=0, microsecond=0)
            day_close = local.replace(hour=self.end.hour, minute=self.end.minute, second=0,
                                      microsecond=0) if self.end else None
            if local.weekday() in self.weekdays:
                if local < day_open:
                    return day_open
                if day_close is None or local < day_close:
                    return local
            local = (local + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                                 microsecond=0)
        raise ValueError("fenêtre d'envoi vide")


def window_of(campaign: Campaign) -> Window:
    days = frozenset(campaign.weekdays) if campaign.weekdays else frozenset(range(7))
    return Window(campaign.window_start, campaign.window_end, days)


def schedule(count: int, *, start: datetime.datetime, rate_per_minute: int, window: Window,
             spread: bool, rng: random.Random | None = None) -> list[datetime.datetime]:
    """`count` send times from `start`, one slot per 60/rate seconds, inside `window`."""
    rng = rng or random.SystemRandom()
    step = datetime.timedelta(seconds=60 / rate_per_minute) if rate_per_minute else None
    slots = []
    moment = window.next_open(start)
    for _index in range(count):
        if step is None:
            slots.append(moment)
            continue
        at = moment + (step * rng.random() if spread else datetime.timedelta(0))
        slots.append(at)
        moment = window.next_open(moment + step)
    return slots


def reschedule_after_pause(campaign: Campaign, now: datetime.datetime) -> int:
    """Move the rows still waiting by the length of the pause."""
    if campaign.paused_at is None:
        return 0
    shift = now - campaign.paused_at
    return Recipient.objects.filter(campaign=campaign, delivery=Recipient.Delivery.QUEUED) \
        .update(send_at=F("send_at") + shift)


# The message -------------------------------------------------------------------------------

def links(token: str) -> dict:
    base = settings.SITE_URL
    return {"lien": f"{base}/p/{token}/", "pixel": f"{base}/p/{token}/o.gif",
            "signaler": f"{base}/p/{token}/signaler/"}


def fill(text: str, values: dict, *, html: bool) -> str:
    """The placeholders {{prenom}}, {{nom}}, {{structure}}, {{lien}}, {{pixel}} replaced,
    values HTML-escaped in HTML."""
    def value(match):
        found = str(values.get(match.group(1), ""))
        return escape(found) if html else found
    return PLACEHOLDER.sub(value, text)


def message_for(campaign: Campaign, recipient: Recipient, organisation_name: str,
                envelope_from: str) -> EmailMessage:
    content = campaign.content
    values = {"prenom": recipient.first_name, "nom": recipient.last_name,
              "structure": organisation_name, **links(recipient.token)}
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = formataddr((content.get("sender_name", ""),
                                  content.get("sender_address", envelope_from)))
    message["To"] = recipient.email
    message["Subject"] = fill(content.get("subject", ""), values, html=False)
    message["Message-ID"] = make_msgid(idstring=f"c{campaign.pk}r{recipient.pk}",
                                       domain=envelope_from.rpartition("@")[2] or None)
    message["Date"] = formatdate()
    message.set_content(fill(content.get("text", ""), values, html=False) or " ")
    if content.get("html"):
        message.add_alternative(fill(content["html"], values, html=True), subtype="html")
    return message


def _quoted(data: bytes) -> bytes:
    """A message as DATA: dot-stuffed, ending with CRLF, without the final « . »."""
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(CRLF) else data + CRLF


@dataclass(frozen=True)
class Prepared:
    """A campaign's message made once (the MIME structure, the headers that are the same
    for everyone, the bodies in 8 bits with their placeholders), then filled per person
    by replacing bytes: building an e-mail with the email package costs about 3 ms, which
    capped a worker near 150 messages per second. `eight_bit` False (a line too long for
    8 bits): every message is built by `message_for` instead."""

    head: bytes
    body: bytes
    subject: str
    envelope_domain: str
    eight_bit: bool

    def render(self, campaign: Campaign, recipient: Recipient, organisation_name: str,
               envelope_from: str) -> bytes:
        if not self.eight_bit:
            return message_for(campaign, recipient, organisation_name,
                               envelope_from).as_bytes(policy=SMTP_POLICY)
        values = {"prenom": recipient.first_name, "nom": recipient.last_name,
                  "structure": organisation_name, **links(recipient.token)}
        body = self.body
        for name, value in values.items():
            body = body.replace(b"{{%s}}" % name.encode(), value.encode()).replace(
                b"{{h:%s}}" % name.encode(), str(escape(value)).encode())
        head = (SMTP_POLICY.fold("To", recipient.email)
                + SMTP_POLICY.fold("Subject", fill(self.subject, values, html=False))
                + SMTP_POLICY.fold("Message-ID", make_msgid(
                    idstring=f"c{campaign.pk}r{recipient.pk}",
                    domain=self.envelope_domain or None))
                + SMTP_POLICY.fold("Date", formatdate())).encode()
        return head + self.head + body


MAX_LINE = 900  # bytes: 8-bit lines may not pass 998, and values lengthen them


def prepare(campaign: Campaign, envelope_from: str) -> Prepared:
    content = campaign.content
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = formataddr((content.get("sender_name", ""),
                                  content.get("sender_address", envelope_from)))
    message.set_content(content.get("text", "") or " ", cte="8bit")
    if content.get("html"):
        html = PLACEHOLDER.sub(lambda match: "{{h:" + match.group(1) + "}}", content["html"])
        message.add_alternative(html, subtype="html", cte="8bit")
    data = message.as_bytes(policy=SMTP_POLICY)
    head, _blank, body = data.partition(CRLF + CRLF)
    eight_bit = all(len(line) <= MAX_LINE for line in data.split(CRLF))
    return Prepared(head=head + CRLF + CRLF, body=body, subject=content.get("subject", ""),
                    envelope_domain=envelope_from.rpartition("@")[2], eight_bit=eight_bit)


# The connection ----------------------------------------------------------------------------

def smtp_connect(profile: SendingProfile, *, timeout: float = 30) -> smtplib.SMTP:
    password = crypto.decrypt(profile.password, purpose="awareness.smtp") \
        if profile.password else ""
    if profile.security == SendingProfile.Security.TLS:
        connection = smtplib.SMTP_SSL(profile.host, profile.port, timeout=timeout,
                                      context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(profile.host, profile.port, timeout=timeout)
        if profile.security == SendingProfile.Security.STARTTLS:
            connection.starttls(context=ssl.create_default_context())
    # Each message ends with a small write (« . ») after the body: without TCP_NODELAY,
    # Nagle's algorithm holds it until the server acknowledges the body (about 40 ms a
    # message on Linux, which capped a worker at about 20 messages per second).
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connection.ehlo_or_helo_if_needed()
    if profile.username:
        connection.login(profile.username, password)
    return connection


class _Lost(Exception):
    """The row is no longer this worker's: the message must not be ended."""


def _send_one(connection: smtplib.SMTP, envelope_from: str, recipient: Recipient,
              message: bytes, claim_id: str, *, eight_bit: bool) -> tuple[int, str, bool]:
    """Steps 1 to 3 of the module's docstring: (code, reply) of the server, and whether
    the row was marked sent (step 2 reached)."""
    code, reply = connection.mail(envelope_from,
                                  ["BODY=8BITMIME"] if eight_bit else [])
    if code != 250:
        connection.rset()
        return code, reply.decode(errors="replace"), False
    code, reply = connection.rcpt(recipient.email)
    if code not in (250, 251):
        connection.rset()
        return code, reply.decode(errors="replace"), False
    code, reply = connection.docmd("DATA")
    if code != 354:
        connection.rset()
        return code, reply.decode(errors="replace"), False
    connection.send(_quoted(message))
    now = timezone.now()
    with transaction.atomic():
        marked = Recipient.objects.filter(pk=recipient.pk, claimed_by=claim_id,
                                          delivery=Recipient.Delivery.CLAIMED).update(
            delivery=Recipient.Delivery.SENT, sent_at=now, claimed_until=None,
            last_error="")
        if not marked:
            raise _Lost
        # The row is marked and locked by this transaction; the final line goes out
        # before the commit is asked for, right after it: see the module's docstring.
        connection.send(b"." + CRLF)
    code, reply = connection.getreply()
    return code, reply.decode(errors="replace"), True


# The workers -------------------------------------------------------------------------------

def claim(campaign_id: int, worker: str, now: datetime.datetime) -> tuple[str, list]:
    """Claim up to BATCH due rows of a campaign being sent: (claim id, rows)."""
    claim_id = f"{worker}:{get_random_string(8)}"
    due = (Q(delivery=Recipient.Delivery.QUEUED, send_at__lte=now)
           | Q(delivery=Recipient.Delivery.CLAIMED, claimed_until__lt=now))
    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING) \
                .exists():
            return claim_id, []
        candidates = (Recipient.objects.filter(due, campaign_id=campaign_id)
                      .order_by("send_at", "pk"))
        if connection_supports_skip_locked():
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return claim_id, []
        # The conditions again: on SQLite another worker may have claimed some since.
        Recipient.objects.filter(due, pk__in=ids).update(
            delivery=Recipient.Delivery.CLAIMED, claimed_by=claim_id,
            claimed_until=now + lease(), attempts=F("attempts") + 1)
    return claim_id, list(Recipient.objects.filter(claimed_by=claim_id,
                                                   delivery=Recipient.Delivery.CLAIMED)
                          .order_by("send_at", "pk"))


def connection_supports_skip_locked() -> bool:
    from django.db import connection

    return connection.features.has_select_for_update_skip_locked


def _failed(recipient: Recipient, claim_id: str, error: str, *, permanent: bool) -> None:
    final = permanent or recipient.attempts >= MAX_ATTEMPTS
    Recipient.objects.filter(pk=recipient.pk, claimed_by=claim_id).update(
        delivery=Recipient.Delivery.FAILED if final else Recipient.Delivery.QUEUED,
        claimed_by="", claimed_until=None, sent_at=None, last_error=error[:300],
        send_at=timezone.now() + datetime.timedelta(minutes=2 * recipient.attempts))
    if final:
        Event.objects.create(organisation_id=recipient.organisation_id,
                             campaign_id=recipient.campaign_id, recipient=recipient,
                             kind=Event.Kind.FAILED, at=timezone.now())


def _release(claim_id: str) -> None:
    """Give back the rows of a claim not sent (the server went away)."""
    Recipient.objects.filter(claimed_by=claim_id, delivery=Recipient.Delivery.CLAIMED) \
        .update(delivery=Recipient.Delivery.QUEUED, claimed_by="", claimed_until=None)


def send_batch(campaign: Campaign, rows: list, claim_id: str) -> int:
    """Send the claimed rows over one connection; the number sent."""
    profile = campaign.profile
    name = campaign.organisation.name
    prepared = prepare(campaign, profile.from_address)
    sent_events = []
    try:
        connection = smtp_connect(profile)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Campagne %s : serveur SMTP injoignable (%s)", campaign.pk, error)
        _release(claim_id)
        raise
    try:
        eight_bit = prepared.eight_bit and connection.has_extn("8bitmime")
        if prepared.eight_bit and not eight_bit:  # a server without 8BITMIME: 7 bits
            prepared = Prepared(b"", b"", "", "", eight_bit=False)
        for recipient in rows:
            message = prepared.render(campaign, recipient, name, profile.from_address)
            try:
                code, reply, _marked = _send_one(connection, profile.from_address,
                                                 recipient, message, claim_id,
                                                 eight_bit=eight_bit)
            except _Lost:
                connection.close()
                connection = smtp_connect(profile)
                continue
            if code == 250:
                sent_events.append(Event(organisation_id=recipient.organisation_id,
                                         campaign_id=campaign.pk, recipient=recipient,
                                         kind=Event.Kind.SENT, at=timezone.now()))
            else:
                # Refused, before or at the end of DATA: the server kept nothing, and the
                # row is still this claim's (marked sent or not, it is given back).
                _failed(recipient, claim_id, f"{code} {reply}", permanent=500 <= code < 600)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Campagne %s : envoi interrompu (%s)", campaign.pk, error)
        _release(claim_id)
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
        Event.objects.bulk_create(sent_events)
    return len(sent_events)


def run(campaign_id: int, *, worker: str = "", max_wait: float | None = None) -> int:
    """Send what is due of a campaign until nothing is left to claim now; the number sent.

    When rows are claimed by other workers, it waits for their lease to end (they may have
    been killed) rather than leave them; when the next rows are due later, it hands over to
    a task that runs then (`send_campaign` with run_after)."""
    worker = worker or get_random_string(12)
    sent = 0
    while True:
        now = timezone.now()
        claim_id, rows = claim(campaign_id, worker, now)
        if rows:
            campaign = Campaign.objects.select_related("profile", "organisation").get(
                pk=campaign_id)
            sent += send_batch(campaign, rows, claim_id)
            continue
        left = Recipient.objects.filter(
            campaign_id=campaign_id,
            delivery__in=[Recipient.Delivery.QUEUED, Recipient.Delivery.CLAIMED]).aggregate(
            next_due=Min("send_at", filter=Q(delivery=Recipient.Delivery.QUEUED)),
            lease_ends=Min("claimed_until", filter=Q(delivery=Recipient.Delivery.CLAIMED)))
        if left["next_due"] is None and left["lease_ends"] is None:
            Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).update(
                status=Campaign.Status.DONE, finished_at=timezone.now())
            return sent
        if not Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING) \
                .exists():
            return sent
        waits = [moment for moment in (left["next_due"], left["lease_ends"]) if moment]
        wait = max(0.05, (min(waits) - timezone.now()).total_seconds())
        if max_wait is not None and wait > max_wait:
            return sent
        if wait > 5:
            enqueue(campaign_id, run_after=min(waits))
            return sent
        time.sleep(wait)


def enqueue(campaign_id: int, *, run_after: datetime.datetime | None = None,
            workers: int = 1) -> None:
    from .tasks import send_campaign

    task = send_campaign.using(run_after=run_after) if run_after else send_campaign
    for _index in range(workers):
        task.enqueue(campaign_id=campaign_id)


def resume_stalled(now: datetime.datetime) -> int:
    """Start a worker for every campaign being sent whose due rows wait for nobody: rows
    due for more than a lease, or claimed by a worker whose lease has ended."""
    stale = now - lease()
    campaigns = set(
        Recipient.objects.filter(
            Q(delivery=Recipient.Delivery.QUEUED, send_at__lt=stale)
            | Q(delivery=Recipient.Delivery.CLAIMED, claimed_until__lt=now),
            campaign__status=Campaign.Status.SENDING)
        .values_list("campaign_id", flat=True).distinct())
    for campaign_id in campaigns:
        enqueue(campaign_id)
    return len(campaigns)
