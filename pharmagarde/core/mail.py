"""Every e-mail goes out from the worker, once the transaction that decided to send it commits.

One path for all mail (invitations, allauth's messages, lock-out warnings, reminders,
digests):

1. `queue()` (or `email_on_commit`, `queue_message`) writes an OutgoingEmail in the caller's
   transaction, its content encrypted (core/crypto.py), and on commit enqueues the
   `send_email` task with the row's id: the task table never sees an address, a text or a
   secret link, and a rolled-back transaction sends nothing.
2. `deliver()` (that task, in the worker) claims the row for MAIL_RETRY_SECONDS, sends it,
   marks it sent and wipes its content.
3. `requeue()`, run by the scheduler (core/scheduler.py), enqueues again what no worker
   will send otherwise: a row a killed worker left claimed (django-tasks-db leaves the task
   of a killed worker RUNNING for ever), a failure whose wait is over, a commit whose
   process stopped before it could enqueue.

At least once, not "exactly once", which no mail protocol offers: a worker killed between
the mail server's acceptance and the UPDATE that records it sends that mail again, with the
same Message-ID, which mail clients use to drop the copy. The window is that one UPDATE.
"""

import json
import logging
import smtplib
from datetime import datetime, timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from . import crypto
from .models import OutgoingEmail

logger = logging.getLogger("pharmagarde.mail")

PURPOSE = "outgoing-email"
# Attempts, each waiting twice as long as the previous one (2 min, 4, 8… then 6 h), about
# two days in all: a mail server down for a weekend loses nothing.
MAX_ATTEMPTS = 12
MAX_WAIT = timedelta(hours=6)
# A task enqueued this long ago and never taken was lost (pruned, or on a queue nobody
# reads): enqueue another. Shorter would pile up tasks while a large batch waits its turn.
LOST_TASK_AFTER = timedelta(hours=1)
KEEP_SENT = timedelta(days=30)


def queue(*, to: list[str], subject: str, text: str, html: str = "",
          headers: dict | None = None, from_email: str | None = None,
          key: str | None = None) -> OutgoingEmail | None:
    """Write the mail, to be sent by the worker once the current transaction commits.

    A `key` makes it unique: if a mail with that key exists (another worker wrote it),
    nothing is written and None is returned.
    """
    # A line break in a subject (an action's title…) would make the message impossible to
    # build, and so to send, at every attempt.
    subject = " ".join(str(subject).split())
    headers = dict(headers or {})
    headers.setdefault("Message-ID", make_msgid(domain=urlsplit(settings.SITE_URL).hostname
                                                or "localhost"))
    content = {"subject": subject, "text": text, "html": html, "headers": headers,
               "from": from_email or settings.DEFAULT_FROM_EMAIL}
    email = OutgoingEmail(key=key, to=list(to),
                          content=crypto.encrypt(json.dumps(content), purpose=PURPOSE))
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:
        if key is None:
            raise
        return None
    transaction.on_commit(lambda: enqueue(email.pk))
    return email


def email_on_commit(*, to: list[str], subject: str, template: str, context: dict,
                    html_template: str = "", headers: dict | None = None,
                    key: str | None = None) -> OutgoingEmail | None:
    """Render `template` (text, and `html_template` if given) now, in the active language,
    and queue the mail. Secrets in the context are safe: the content is encrypted."""
    text = render_to_string(template, context)
    html = render_to_string(html_template, context) if html_template else ""
    return queue(to=to, subject=subject, text=text, html=html, headers=headers, key=key)


def queue_message(message: EmailMessage) -> OutgoingEmail | None:
    """Queue a message rendered by someone else (allauth's adapter)."""
    if message.cc or message.bcc or message.attachments:
        raise ValueError("queue_message : ni copie, ni pièce jointe.")
    html = next((body for body, kind in getattr(message, "alternatives", [])
                 if kind == "text/html"), "")
    text = message.body
    if message.content_subtype == "html":
        html, text = message.body, ""
    return queue(to=message.to, subject=message.subject, text=text, html=html,
                 headers=message.extra_headers, from_email=message.from_email)


def enqueue(email_id: int) -> None:
    from .tasks import send_email

    send_email.enqueue(email_id=email_id)
    OutgoingEmail.objects.filter(pk=email_id).update(enqueued_at=timezone.now())


def message_of(email: OutgoingEmail) -> EmailMultiAlternatives:
    content = json.loads(crypto.decrypt(email.content, purpose=PURPOSE))
    message = EmailMultiAlternatives(subject=content["subject"], body=content["text"],
                                     from_email=content["from"], to=email.to,
                                     headers=content["headers"])
    if content["html"]:
        message.attach_alternative(content["html"], "text/html")
    return message


def deliver(email_id: int) -> bool:
    """Send one queued mail unless it is sent, or being sent by another worker."""
    now = timezone.now()
    claimed = (
        OutgoingEmail.objects.filter(pk=email_id, sent_at=None, abandoned_at=None)
        .filter(Q(retry_after=None) | Q(retry_after__lte=now))
        .update(retry_after=now + timedelta(seconds=settings.MAIL_RETRY_SECONDS),
                attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    email = OutgoingEmail.objects.get(pk=email_id)
    try:
        message = message_of(email)
    except crypto.InvalidToken:
        _failed(email, "contenu illisible : SECRET_KEY a changé sans SECRET_KEY_FALLBACKS",
                permanent=True)
        return False
    connection = get_connection()
    try:
        # Opened here, so that send_messages leaves it open: the row is marked sent as
        # soon as the server has accepted the message, before the QUIT round trip.
        connection.open()
        connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as error:
        _failed(email, f"{type(error).__name__}: {error}", permanent=_is_permanent(error))
        _close(connection)
        return False
    except Exception as error:  # noqa: BLE001 - a message that cannot be built never will be
        logger.exception("Courriel %s impossible à construire", email_id)
        _failed(email, f"{type(error).__name__}: {error}", permanent=True)
        _close(connection)
        return False
    OutgoingEmail.objects.filter(pk=email_id).update(
        sent_at=timezone.now(), content="", retry_after=None, last_error="")
    _close(connection)
    return True


def _close(connection):
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        logger.info("Fermeture de la connexion SMTP impossible (le courriel est parti).")


def _is_permanent(error):
    """A 5xx answer (address refused, message refused) will not change by waiting."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _failed(email, reason, *, permanent=False):
    now = timezone.now()
    attempts = email.attempts
    wait = min(timedelta(seconds=settings.MAIL_RETRY_SECONDS) * 2 ** (attempts - 1), MAX_WAIT)
    abandon = permanent or attempts >= MAX_ATTEMPTS
    OutgoingEmail.objects.filter(pk=email.pk).update(
        retry_after=now + wait, last_error=reason[:300],
        abandoned_at=now if abandon else None)
    log = logger.error if abandon else logger.warning
    log("Courriel %s non envoyé (essai %s%s) : %s", email.pk, attempts,
        ", abandonné" if abandon else "", reason)


def requeue(now: datetime | None = None, *, limit: int = 1000) -> int:
    """Enqueue again the unsent mail no worker will send otherwise; returns how many."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.MAIL_RETRY_SECONDS)
    stuck = OutgoingEmail.objects.filter(sent_at=None, abandoned_at=None).filter(
        # Claimed by a worker that died, or waiting after a failure, and that wait is over.
        Q(retry_after__lte=now) & (Q(enqueued_at=None) | Q(enqueued_at__lt=F("retry_after")))
        # Committed, but the process stopped before it could enqueue the task.
        | Q(retry_after=None, enqueued_at=None, created_at__lte=now - grace)
        # Enqueued long ago and never taken.
        | Q(retry_after=None, enqueued_at__lte=now - LOST_TASK_AFTER)
    )
    ids = list(stuck.order_by("created_at").values_list("pk", flat=True)[:limit])
    for email_id in ids:
        enqueue(email_id)
    return len(ids)


def purge(now: datetime | None = None) -> int:
    """Forget mail sent or abandoned more than KEEP_SENT ago."""
    before = (now or timezone.now()) - KEEP_SENT
    deleted, _by_model = OutgoingEmail.objects.filter(
        Q(sent_at__lt=before) | Q(abandoned_at__lt=before)).delete()
    return deleted
