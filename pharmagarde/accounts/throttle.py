"""Growing delay, then lock-out, after repeated failed sign-ins.

CNIL 2022 (case 2 needs a growing delay or a lock-out) and the ANS identification framework
(more than a minute of delay after 5 failures, at most 25 failures in 24 hours).

Failures are counted twice: for the account (one counter whichever of its addresses is
typed; the typed address itself when no account has it, so that the answer reveals nothing
about who has an account), and for the client address (so that trying one password on many
accounts is slowed down too). A wrong second-factor code (TOTP, recovery code, security
key) is a failure like a wrong password: without it, a stolen password would leave the
six-digit code open to a million guesses. The delay doubles with each
failure after LOGIN_FAILURES_BEFORE_DELAY, up to LOGIN_DELAY_MAX_SECONDS (an hour);
LOGIN_FAILURES_BEFORE_LOCK failures within
LOGIN_FAILURE_WINDOW_SECONDS lock the key until the window has passed, or, for an account,
until its password is reset by e-mail.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pharmagarde.core import audit
from pharmagarde.core.mail import email_on_commit

from .models import LoginThrottle

Kind = LoginThrottle.Kind


def _window():
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()[:254]


def _user_with_email(email: str):
    if not email:
        return None
    user_model = get_user_model()
    owner = (EmailAddress.objects.filter(email__iexact=email).values("user_id")[:1])
    return user_model.objects.filter(Q(email__iexact=email) | Q(pk__in=owner)).first()


def account_key(*, email: str | None = None, user=None) -> str:
    """The key of the account counter: "user:<id>" for an account, whichever of its
    addresses was typed; the typed address when no account has it."""
    email = normalise_email(email)
    if user is None:
        user = _user_with_email(email)
    return _account_key(user, email)


def _account_key(user, email: str) -> str:
    return f"user:{user.pk}" if user is not None else email


def _keys(request, user, email: str) -> list[tuple[str, str]]:
    """The (kind, key) pairs one attempt is counted against, the account already looked up."""
    keys = []
    if key := _account_key(user, email):
        keys.append((Kind.ACCOUNT, key))
    if address := audit.client_ip(request):
        keys.append((Kind.ADDRESS, address))
    return keys


def throttle_keys(request, *, email: str | None = None, user=None) -> list[tuple[str, str]]:
    """The (kind, key) pairs one sign-in attempt is counted against."""
    email = normalise_email(email)
    if user is None:
        user = _user_with_email(email)
    return _keys(request, user, email)


def is_locked(throttle, now):
    return throttle.locked_at is not None and now < throttle.locked_at + _window()


def delay_seconds(failures):
    """Seconds to wait after `failures` failures: 0, then the base delay, doubling."""
    extra = failures - settings.LOGIN_FAILURES_BEFORE_DELAY
    if extra < 0:
        return 0
    # Capped, so that the 25-failure lock-out stays reachable within the window: uncapped
    # doubling would stretch 25 attempts over weeks and keep a forgetful user out for days.
    return min(settings.LOGIN_DELAY_SECONDS * 2 ** min(extra, 32),
               getattr(settings, "LOGIN_DELAY_MAX_SECONDS", 3600))


def wait_seconds(throttle, now):
    """How long this key must wait before its next attempt (0: it may try now)."""
    if is_locked(throttle, now):
        return int((throttle.locked_at + _window() - now).total_seconds()) + 1
    until = throttle.last_failure_at + timedelta(seconds=delay_seconds(throttle.failures))
    return max(0, int((until - now).total_seconds()) + (1 if until > now else 0))


def format_duration(seconds):
    """'45 secondes', '2 minutes', '3 heures et 5 minutes': rounded up, in plain French."""
    if seconds < 60:
        return ngettext("%(n)d seconde", "%(n)d secondes", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    text = ngettext("%(n)d heure", "%(n)d heures", hours) % {"n": hours}
    if minutes:
        text = _("%(hours)s et %(minutes)s") % {
            "hours": text,
            "minutes": ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes},
        }
    return text


def _refusal(throttle, now):
    duration = format_duration(wait_seconds(throttle, now))
    if not is_locked(throttle, now):
        return _("Trop de tentatives de connexion sans succès. Par sécurité, patientez "
                 "%(duration)s avant de réessayer.") % {"duration": duration}
    if throttle.kind == Kind.ACCOUNT:
        return _("Ce compte est bloqué après de trop nombreuses tentatives de connexion sans "
                 "succès. Pour le débloquer tout de suite, choisissez « Mot de passe "
                 "oublié ? » et suivez le lien reçu par e-mail. Sinon, il se débloquera de "
                 "lui-même dans %(duration)s.") % {"duration": duration}
    return _("Trop de tentatives de connexion sans succès depuis votre réseau. Les "
             "connexions depuis cette adresse sont suspendues pendant %(duration)s.") % {
        "duration": duration}


def check(request, *, email: str | None = None, user=None) -> None:
    """Raise a ValidationError in French if this attempt must wait or is locked out."""
    now = timezone.now()
    for kind, key in throttle_keys(request, email=email, user=user):
        throttle = LoginThrottle.objects.filter(kind=kind, key=key).first()
        if throttle is not None and wait_seconds(throttle, now):
            raise ValidationError(_refusal(throttle, now), code="login_throttled")


def _count_failure(kind, key, now):
    """Add one failure under a row lock; return the row and whether it just got locked."""
    with transaction.atomic():
        throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(
            kind=kind, key=key, defaults={"first_failure_at": now, "last_failure_at": now},
        )
        if not is_locked(throttle, now) and now >= throttle.first_failure_at + _window():
            # The previous window is over: start counting again.
            throttle.failures, throttle.first_failure_at, throttle.locked_at = 0, now, None
        throttle.failures += 1
        throttle.last_failure_at = now
        just_locked = (throttle.failures >= settings.LOGIN_FAILURES_BEFORE_LOCK
                       and throttle.locked_at is None)
        if just_locked:
            throttle.locked_at = now
        throttle.save()
    return throttle, just_locked


def purge_expired(now):
    """Forget keys whose last failure is older than the window: their delay, lock-out and
    count are all over (a lock starts at the last counted failure). Keeps the table small."""
    LoginThrottle.objects.filter(last_failure_at__lt=now - _window()).delete()


def record_failure(request, *, email: str | None = None, user=None) -> None:
    """Count one failed attempt (password or second factor) against the account and the
    client address; audit and tell the account's owner when a lock-out starts."""
    now = timezone.now()
    purge_expired(now)
    email = normalise_email(email)
    if user is None:
        user = _user_with_email(email)
    for kind, key in _keys(request, user, email):
        throttle, just_locked = _count_failure(kind, key, now)
        if just_locked:
            locked_user = user if kind == Kind.ACCOUNT else None
            _audit_lock(request, throttle, locked_user, label=email)
            if locked_user is not None:
                _tell_owner_of_lock(locked_user, throttle)


def _audit_lock(request, throttle, user, *, label):
    audit.record("auth.locked", actor=user, request=request,
                 actor_label=label or throttle.key,
                 details={"type": throttle.kind, "échecs": throttle.failures})


def _tell_owner_of_lock(user, throttle):
    """Someone may be locking a known account on purpose: its owner must hear of it, and
    learn the safe way to unlock it (the password reset, which proves the mailbox)."""
    context = {
        "failures": throttle.failures,
        "duration": format_duration(int(_window().total_seconds())),
        "reset_url": settings.SITE_URL + reverse("account_reset_password"),
    }
    email_on_commit(
        to=[user.email],
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + _("Votre compte est bloqué"),
        template="accounts/mail/locked.txt", context=context,
    )


def clear_account(user) -> None:
    """Forget the account's failures (a success, or a password reset by e-mail)."""
    LoginThrottle.objects.filter(kind=Kind.ACCOUNT, key=account_key(user=user)).delete()
