"""The reporting mailbox: staff forward a suspicious e-mail to it, the worker reads it (IMAP)
and a campaign message found there counts as reported, a good outcome.

A campaign message is recognised by its token, in a link of the form « …/p/<token>/ »
(links(), sending.py), wherever a mail client puts it: the original message attached
(message/rfc822, or a .eml file), an inline forward (the text quoted in the body, links
sometimes rewritten by a link-protection service, hence the URL-decoding), or the original
itself redirected with its headers. Every text part and every header of the message and of
the messages inside it is searched; only tokens of the mailbox's own organisation count.

What is changed in the mailbox: a message that carried a campaign token is flagged \\Seen.
Any other message is left unread (fetched with BODY.PEEK[]): it may be a real phishing
attempt a colleague reported, which the référent must see. So that those are not read again
at every poll, a poll only searches the messages that arrived since the day before the last
poll (SEARCH UNSEEN SINCE: IMAP dates have no time).

A bad message (unreadable, an unknown charset…) is skipped and logged, never raised; a
mailbox that cannot be read keeps its error in plain French in `last_error`, shown on the
mailbox's page.
"""

import contextlib
import datetime
import email
import email.policy
import imaplib
import logging
import re
import ssl
from urllib.parse import unquote

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmagarde.core import audit, crypto
from pharmagarde.core.concurrency import RevisionConflict, claim_revision

from .models import Event, Recipient, ReportMailbox

logger = logging.getLogger(__name__)

# A token is secrets.token_urlsafe(32): 43 characters; the field allows 64.
TOKEN_LINK = re.compile(r"/p/([A-Za-z0-9_-]{32,64})/")
POLL_EVERY = datetime.timedelta(minutes=5)
# The scheduler runs once per 5-minute period, not exactly 300 s apart: a tick a little
# early must not wait for the next one.
POLL_SLACK = datetime.timedelta(seconds=30)
TIMEOUT = 20
IMAP_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
               "Dec"]
FIELDS = ("host", "port", "tls", "username", "folder", "enabled")


class MailboxError(Exception):
    """The mailbox could not be read; the message is plain French, for the page."""


class MailboxConflict(RevisionConflict):
    """Someone else saved the mailbox since the form was shown."""


# Reading messages ------------------------------------------------------------------------

def _texts(message: email.message.Message):
    """Every header value and every decoded text part of `message` and of the messages
    attached to it (walk() descends into message/rfc822 parts; .eml files are parsed)."""
    for part in message.walk():
        for _name, value in part.items():
            yield str(value)
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not payload:
            continue
        filename = (part.get_filename() or "").lower()
        if filename.endswith(".eml") or part.get_content_type() == "message/rfc822":
            yield from _texts(email.message_from_bytes(payload, policy=email.policy.compat32))
        elif part.get_content_maintype() == "text":
            charset = part.get_content_charset() or "utf-8"
            try:
                yield payload.decode(charset, errors="replace")
            except LookupError:  # a charset Python does not know
                yield payload.decode("latin-1")


def tokens_in(raw: bytes) -> set[str]:
    """The campaign tokens found anywhere in a raw message."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    found = set()
    for text in _texts(message):
        for candidate in (text, unquote(text)):
            found.update(TOKEN_LINK.findall(candidate))
    return found


def report(organisation_id: int, tokens: set[str], now: datetime.datetime) -> int:
    """Mark the recipients of these tokens reported (only the organisation's own): one
    conditional UPDATE each, and an Event for each one newly reported. The number."""
    if not tokens:
        return 0
    found = Recipient.objects.filter(organisation_id=organisation_id, token__in=tokens,
                                     reported_at__isnull=True) \
        .values_list("pk", "campaign_id")
    events = []
    for pk, campaign_id in found:
        # Statuses only move upward: a report already recorded (by this mailbox or the
        # « signaler » link) is not recorded again.
        if Recipient.objects.filter(pk=pk, reported_at__isnull=True).update(reported_at=now):
            events.append(Event(organisation_id=organisation_id, campaign_id=campaign_id,
                                recipient_id=pk, kind=Event.Kind.REPORTED, at=now))
    Event.objects.bulk_create(events)
    return len(events)


def _known(organisation_id: int, tokens: set[str]) -> bool:
    return bool(tokens) and Recipient.objects.filter(
        organisation_id=organisation_id, token__in=tokens).exists()


# The connection -------------------------------------------------------------------------

def connect(mailbox: ReportMailbox, *, timeout: float = TIMEOUT) -> imaplib.IMAP4:
    """Signed in and the folder selected, or MailboxError (plain French)."""
    try:
        password = crypto.decrypt(mailbox.password, purpose="awareness.imap") \
            if mailbox.password else ""
    except crypto.InvalidToken as error:
        raise MailboxError(_("Le mot de passe enregistré ne peut plus être lu : "
                             "saisissez-le à nouveau.")) from error
    where = {"host": mailbox.host, "port": mailbox.port}
    try:
        if mailbox.tls:
            connection = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, timeout=timeout,
                                           ssl_context=ssl.create_default_context())
        else:
            connection = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
    except ssl.SSLError as error:
        raise MailboxError(_(
            "La connexion chiffrée avec %(host)s a échoué. Vérifiez le port et la case "
            "« TLS implicite » (en général : port 993 avec TLS, 143 sans).") % where) \
            from error
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(_(
            "Impossible de joindre le serveur %(host)s sur le port %(port)s. Vérifiez "
            "l'adresse et le port.") % where) from error
    try:
        try:
            connection.login(mailbox.username, password)
        except imaplib.IMAP4.error as error:
            raise MailboxError(_("Le serveur a refusé l'identifiant ou le mot de "
                                 "passe.")) from error
        status, _data = connection.select(_quoted(mailbox.folder))
        if status != "OK":
            raise MailboxError(_("Le dossier « %(folder)s » est introuvable dans la "
                                 "boîte.") % {"folder": mailbox.folder})
    except BaseException:
        _close(connection)
        raise
    return connection


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _close(connection: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        connection.logout()


def _since(moment: datetime.datetime) -> str:
    day = timezone.localtime(moment).date() - datetime.timedelta(days=1)
    return f"{day.day:02d}-{IMAP_MONTHS[day.month - 1]}-{day.year}"


def _uids(connection: imaplib.IMAP4, polled_at: datetime.datetime | None) -> list[bytes]:
    criteria = ["UNSEEN"] if polled_at is None else ["UNSEEN", "SINCE", _since(polled_at)]
    status, data = connection.uid("SEARCH", None, *criteria)
    if status != "OK":
        raise MailboxError(_("Le serveur n'a pas pu lister les messages non lus."))
    return data[0].split() if data and data[0] else []


def _raw(data) -> bytes | None:
    """The message's bytes in a FETCH answer ([(b'1 (UID 1 BODY[] {n}', b'…'), b')'])."""
    for item in data or ():
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _process(connection: imaplib.IMAP4, mailbox: ReportMailbox, uid: bytes,
             now: datetime.datetime) -> int:
    status, data = connection.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = _raw(data) if status == "OK" else None
    if raw is None:
        return 0
    try:
        tokens = tokens_in(raw)
    except Exception:  # noqa: BLE001 - a message no parser expected: skip it, not the rest
        logger.warning("Boîte de signalement %s : message %s illisible, ignoré", mailbox.pk,
                       uid.decode(errors="replace"), exc_info=True)
        return 0
    if not _known(mailbox.organisation_id, tokens):
        return 0  # left unread: someone must look at it
    reported = report(mailbox.organisation_id, tokens, now)
    connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    return reported


# Polling --------------------------------------------------------------------------------

def poll(mailbox: ReportMailbox, *, now: datetime.datetime | None = None) -> int:
    """Read the unread messages of the mailbox and record the campaign messages found as
    reported; the number of recipients newly reported. Never raises for the mailbox's
    sake: its error is kept in `last_error` (empty when the poll went through)."""
    now = now or timezone.now()
    reported, error = 0, ""
    try:
        connection = connect(mailbox)
    except MailboxError as failure:
        connection, error = None, str(failure)
    if connection is not None:
        try:
            for uid in _uids(connection, mailbox.polled_at):
                reported += _process(connection, mailbox, uid, now)
        except MailboxError as failure:
            error = str(failure)
        except (OSError, imaplib.IMAP4.error) as failure:
            logger.warning("Boîte de signalement %s : %s", mailbox.pk, failure)
            error = _("La connexion avec le serveur a été coupée pendant la lecture. Les "
                      "messages restants seront lus au prochain passage.")
        finally:
            _close(connection)
    ReportMailbox.objects.filter(pk=mailbox.pk).update(polled_at=now, last_error=error[:300])
    mailbox.polled_at, mailbox.last_error = now, error[:300]
    return reported


def poll_all(now: datetime.datetime) -> int:
    """For the scheduler: every enabled mailbox not read in the last 5 minutes, each
    claimed first (a conditional UPDATE of polled_at), so that two workers never read the
    same mailbox at once. The number of recipients newly reported."""
    due = ReportMailbox.objects.filter(
        Q(polled_at__isnull=True) | Q(polled_at__lte=now - POLL_EVERY + POLL_SLACK),
        enabled=True)
    reported = 0
    for mailbox in due:
        previous = mailbox.polled_at
        if not ReportMailbox.objects.filter(pk=mailbox.pk, polled_at=previous) \
                .update(polled_at=now):
            continue  # another worker took it
        reported += poll(mailbox, now=now)
    return reported


def mailbox_test(mailbox: ReportMailbox) -> tuple[bool, str]:
    """Sign in and open the folder, changing nothing: (it worked, what to tell)."""
    try:
        connection = connect(mailbox)
    except MailboxError as failure:
        return False, str(failure)
    try:
        status, data = connection.uid("SEARCH", None, "UNSEEN")
        unread = len(data[0].split()) if status == "OK" and data and data[0] else 0
    except (OSError, imaplib.IMAP4.error):
        unread = 0
    finally:
        _close(connection)
    return True, _("Connexion réussie : le dossier « %(folder)s » contient %(count)s "
                   "message(s) non lu(s).") % {"folder": mailbox.folder, "count": unread}


# Saving ---------------------------------------------------------------------------------

def mailbox_of(organisation) -> ReportMailbox | None:
    return ReportMailbox.objects.filter(organisation=organisation).first()


def mailbox_save(*, acting_user, organisation, values: dict, password: str,
                 revision: int | None, request=None) -> ReportMailbox:
    """Create or update the organisation's mailbox (`password` empty: keep the saved one),
    if still at `revision`; audited with the labels of what changed, never the password."""
    with transaction.atomic():
        mailbox = mailbox_of(organisation)
        changed = {name: values[name] for name in FIELDS
                   if mailbox is None or getattr(mailbox, name) != values[name]}
        if password:
            changed["password"] = crypto.encrypt(password, purpose="awareness.imap")
        if mailbox is None:
            mailbox = ReportMailbox.objects.create(organisation=organisation, **changed)
        elif changed:
            claim_revision(ReportMailbox.objects.filter(organisation=organisation),
                           mailbox.pk, revision, conflict=MailboxConflict,
                           last_error="", **changed)
            mailbox.refresh_from_db()
        else:
            return mailbox
        labels = [str(_("mot de passe")) if name == "password" else
                  str(ReportMailbox._meta.get_field(name).verbose_name) for name in changed]
        audit.record("awareness.mailbox_saved", actor=acting_user, organisation=organisation,
                     obj=mailbox, request=request, details={"champs": ", ".join(labels)})
    return mailbox

