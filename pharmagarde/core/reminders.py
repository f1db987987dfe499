"""Reminders and digests: what every app says is due, sent once to the right people.

An app declares `reminders="pharmagarde.<app>.reminders.due"` (core/registry.py); `due(now)`
returns `Due` items computed from its own data. The scheduler (core/scheduler.py), in every
worker, runs `collect`, then `send_urgent` and `send_digests`. The rules:

- **Once.** `collect` writes one Reminder per (key, occurrence, user), a unique constraint in
  the database: two workers on two machines, or a worker restarted, cannot both create it.
  Its state then moves from "pending" to "sent" (or "in a digest") in the same transaction
  as the OutgoingEmail that carries it, itself unique per reminder and per weekly digest.
- **No flood after a stop.** `due(now)` returns only the latest occurrence of each
  reminder reached at `now` (an action due a week ago: its "on the day" reminder, not also
  the "7 days before" one); occurrences older than HORIZON are ignored, and the digest
  covers only the current week.
- **Urgent at once, the rest weekly.** A Due is urgent when its app says so, when its
  deadline is measured in hours (a datetime: never only in a digest), or when its deadline
  comes before the next digest (a reminder must not arrive after the fact).
- **To whom.** The users it names who are still active members of the organisation, else
  the organisation's responsables.
- **In the reader's language** (UserPreferences.language), links absolute (SITE_URL).
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import mail, registry
from .models import Membership, Reminder, Role, ScheduledRun, UserPreferences

logger = logging.getLogger("pharmagarde.reminders")

# Occurrences older than this are not reminded any more: the app's next one will be.
HORIZON = timedelta(days=8)
UNSUBSCRIBE_SALT = "pharmagarde.digest-unsubscribe"
# Urgent reminders sent per scheduler run: the next run, a few minutes later, takes the rest.
BATCH = 2000


@dataclass(frozen=True)
class Due:
    """Something an app wants someone reminded of.

    - key: stable across runs, unique across apps ("actions.action:42").
    - occurrence: which reminder of that key this is (a date, or a datetime for hours).
      A key is reminded once per occurrence.
    - subject, and text or template + context: rendered in each reader's language (lazy
      strings, format_lazy); keep them free of secrets, they are stored in clear.
    - link: a path in the app (reverse_lazy is welcome), made absolute with SITE_URL.
    - users: ids of the accounts to remind; empty, or none still an active member: the
      organisation's responsables.
    - urgent, deadline: see the module's rules.
    """

    key: str
    occurrence: date | datetime
    organisation_id: int
    subject: str | Promise
    text: str | Promise = ""
    template: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)
    link: str | Promise = ""
    users: tuple[int, ...] = ()
    urgent: bool = False
    deadline: date | datetime | None = None

    def is_urgent(self, next_digest: datetime) -> bool:
        if self.urgent or isinstance(self.deadline, datetime):
            return True
        return self.deadline is not None and self.deadline <= timezone.localdate(next_digest)

    @property
    def occurrence_key(self) -> str:
        if isinstance(self.occurrence, datetime):
            return self.occurrence.astimezone(UTC).isoformat(timespec="minutes")
        return self.occurrence.isoformat()

    def is_recent(self, horizon: datetime) -> bool:
        """Whether the occurrence is not older than `horizon`."""
        if isinstance(self.occurrence, datetime):
            return self.occurrence >= horizon
        return self.occurrence >= timezone.localdate(horizon)

    def render(self) -> tuple[str, str]:
        """(subject, text) in the active language."""
        text = (render_to_string(self.template, dict(self.context)) if self.template
                else str(self.text))
        return " ".join(str(self.subject).split())[:200], text.strip()


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# Creating reminders

def collect(now: datetime) -> int:
    """Create the reminders due at `now` that do not exist yet; returns how many were new."""
    horizon = now - HORIZON
    dues = []
    for hook in registry.hooks("reminders"):
        try:
            dues.extend(due for due in hook(now) if due.is_recent(horizon))
        except Exception:  # noqa: BLE001 - one app's error must not stop the others' reminders
            logger.exception("Rappels de %s.%s impossibles à calculer",
                             hook.__module__, hook.__name__)
    dues = _not_yet_created(dues)
    if not dues:
        return 0
    recipients = _recipients(dues)
    languages = _languages({user_id for users in recipients for user_id in users})
    next_digest = next_digest_at(now)
    rows = []
    for due, users in zip(dues, recipients, strict=True):
        urgent = due.is_urgent(next_digest)
        rendered = {}
        for user_id in users:
            language = languages.get(user_id, settings.LANGUAGE_CODE)
            if language not in rendered:
                with translation.override(language):
                    rendered[language] = due.render()
            subject, text = rendered[language]
            rows.append(Reminder(key=due.key, occurrence=due.occurrence_key, user_id=user_id,
                                 organisation_id=due.organisation_id, urgent=urgent,
                                 subject=subject, text=text, link=str(due.link),
                                 created_at=now))
    with transaction.atomic():
        Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def _not_yet_created(dues: list[Due]) -> list[Due]:
    """The dues whose (key, occurrence) has no reminder yet: what is already done costs one
    indexed query per 500 keys and occurrence, and nothing more."""
    by_occurrence = defaultdict(list)
    for due in dues:
        by_occurrence[due.occurrence_key].append(due)
    fresh = []
    for occurrence, group in by_occurrence.items():
        existing = set()
        for keys in _chunks(sorted({due.key for due in group})):
            existing.update(Reminder.objects.filter(occurrence=occurrence, key__in=keys)
                            .values_list("key", flat=True))
        fresh.extend(due for due in group if due.key not in existing)
    return fresh


def _recipients(dues: list[Due]) -> list[list[int]]:
    """For each due, the user ids to remind (see the module's rules)."""
    members, responsables = defaultdict(set), defaultdict(list)
    for org_ids in _chunks(sorted({due.organisation_id for due in dues})):
        rows = (Membership.objects.filter(organisation_id__in=org_ids, user__is_active=True)
                .order_by("pk").values_list("organisation_id", "user_id", "role"))
        for org_id, user_id, role in rows:
            members[org_id].add(user_id)
            if role == Role.RESPONSABLE:
                responsables[org_id].append(user_id)
    return [[user_id for user_id in dict.fromkeys(due.users)
             if user_id in members[due.organisation_id]]
            or responsables[due.organisation_id] for due in dues]


def _languages(user_ids: set[int]) -> dict[int, str]:
    languages = {}
    for chunk in _chunks(sorted(user_ids)):
        languages.update(UserPreferences.objects.filter(user_id__in=chunk)
                         .values_list("user_id", "language"))
    return languages


# Sending

def absolute(path: str) -> str:
    return settings.SITE_URL + path if path else settings.SITE_URL + "/"


def send_urgent(now: datetime | None = None) -> int:
    """One e-mail per pending urgent reminder; returns how many were queued."""
    ids = list(Reminder.objects.filter(state=Reminder.State.PENDING, urgent=True)
               .order_by("pk").values_list("pk", flat=True)[:BATCH])
    return sum(_send_one(reminder_id) for reminder_id in ids)


def _send_one(reminder_id: int) -> int:
    with transaction.atomic():
        # The state changes before the mail is written, in one transaction: a second
        # worker finds nothing pending (on PostgreSQL, it waits for this commit, then finds
        # the row changed); a worker killed here leaves the reminder pending, to send again.
        if not Reminder.objects.filter(pk=reminder_id, state=Reminder.State.PENDING).update(
                state=Reminder.State.SENT):
            return 0
        reminder = Reminder.objects.select_related("user", "organisation").get(pk=reminder_id)
        user = reminder.user
        if not user.is_active or not user.email:
            Reminder.objects.filter(pk=reminder_id).update(state=Reminder.State.DROPPED)
            return 0
        with translation.override(UserPreferences.of(user).language):
            context = {"reminder": reminder, "url": absolute(reminder.link),
                       "settings_url": absolute(reverse("account_settings"))}
            email = mail.email_on_commit(
                to=[user.email], subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + reminder.subject,
                template="core/mail/reminder.txt", html_template="core/mail/reminder.html",
                context=context, key=f"reminder:{reminder.pk}")
        Reminder.objects.filter(pk=reminder_id).update(email=email)
    return 1


def digest_period_start(now: datetime) -> datetime:
    """The latest digest time (DIGEST_WEEKDAY at DIGEST_HOUR, local time) at or before now."""
    local = timezone.localdate(now)
    day = local - timedelta(days=(local.weekday() - settings.DIGEST_WEEKDAY) % 7)
    start = timezone.make_aware(datetime.combine(day, time(settings.DIGEST_HOUR)))
    if start > now:
        start = timezone.make_aware(datetime.combine(day - timedelta(days=7),
                                                     time(settings.DIGEST_HOUR)))
    return start


def next_digest_at(now: datetime) -> datetime:
    day = timezone.localdate(digest_period_start(now)) + timedelta(days=7)
    return timezone.make_aware(datetime.combine(day, time(settings.DIGEST_HOUR)))


def send_digests(now: datetime) -> int:
    """This week's digests, once: each user with pending reminders that are not urgent gets
    one e-mail. A run cut short is finished by the next one (each digest is unique per
    user and week); a worker down for weeks sends only the current week's."""
    period = timezone.localdate(digest_period_start(now)).isoformat()
    run, _created = ScheduledRun.objects.get_or_create(job="digest", period=period)
    if run.finished_at is not None:
        return 0
    user_ids = list(Reminder.objects.filter(state=Reminder.State.PENDING, urgent=False)
                    .order_by("user_id").values_list("user_id", flat=True).distinct())
    sent = sum(_send_digest(user_id, period) for user_id in user_ids)
    ScheduledRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return sent


def _send_digest(user_id: int, period: str) -> int:
    with transaction.atomic():
        reminders = list(
            Reminder.objects.select_for_update(of=("self",))
            .filter(user_id=user_id, state=Reminder.State.PENDING, urgent=False)
            .select_related("organisation").order_by("organisation__name", "created_at", "pk")
        )
        if not reminders:
            return 0
        ids = [reminder.pk for reminder in reminders]
        user = get_user_model().objects.select_related("preferences").get(pk=user_id)
        preferences = UserPreferences.of(user)
        if not preferences.digest or not user.is_active or not user.email:
            Reminder.objects.filter(pk__in=ids).update(state=Reminder.State.DROPPED)
            return 0
        email = _queue_digest(user, preferences, reminders, period)
        if email is None:
            # This week's digest already went out (another worker): these wait for the next.
            return 0
        Reminder.objects.filter(pk__in=ids).update(state=Reminder.State.IN_DIGEST, email=email)
    return 1


def _queue_digest(user, preferences, reminders, period):
    groups = defaultdict(list)
    for reminder in reminders:
        groups[reminder.organisation].append(
            {"reminder": reminder, "url": absolute(reminder.link)})
    unsubscribe_url = absolute(reverse("digest_unsubscribe", args=[unsubscribe_token(user)]))
    with translation.override(preferences.language):
        count = len(reminders)
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + ngettext(
            "Votre résumé de la semaine : %(count)s rappel",
            "Votre résumé de la semaine : %(count)s rappels", count) % {"count": count}
        context = {"groups": list(groups.items()), "count": count,
                   "week": date.fromisoformat(period),
                   "settings_url": absolute(reverse("account_settings")),
                   "unsubscribe_url": unsubscribe_url, "site_url": settings.SITE_URL}
        headers = {
            # RFC 2369 and RFC 8058: the reader's mail client offers a one-click button,
            # which POSTs "List-Unsubscribe=One-Click" to the same signed address.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": _("Résumé hebdomadaire Pharmagarde") + " <digest.pharmagarde>",
        }
        return mail.email_on_commit(
            to=[user.email], subject=subject, template="core/mail/digest.txt",
            html_template="core/mail/digest.html", context=context, headers=headers,
            key=f"digest:{user.pk}:{period}")


# The unsubscribe link

def unsubscribe_token(user) -> str:
    """Signed, not secret (it only turns a digest off), and without expiry: a digest read
    months later must still unsubscribe."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_from_unsubscribe_token(token: str):
    """The account a token was made for, or None if it was altered or the account is gone."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()

