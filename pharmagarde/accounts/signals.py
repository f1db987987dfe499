"""Sign-in throttling counters and the audit of password events, which happen in allauth."""

from allauth.account import signals as account_signals
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from pharmagarde.core import audit

from . import idle, second_factor, throttle


@receiver(user_login_failed)
def count_login_failure(sender, credentials, request=None, **kwargs):
    typed = credentials.get("email") or credentials.get("username") or ""
    throttle.record_failure(request, email=typed)


@receiver(user_logged_in)
def forget_login_failures(sender, request, user, **kwargs):
    # Only the account's counter: clearing the address's too would let an attacker with an
    # account of their own wipe it between guesses on other accounts.
    throttle.clear_account(user)
    if request is not None and hasattr(request, "session"):
        second_factor.forget(request.session)
        idle.touch(request.session)


@receiver(account_signals.password_changed)
def audit_password_changed(sender, request, user, **kwargs):
    audit.record("auth.password_changed", actor=user, request=request)


@receiver(account_signals.password_set)
def audit_password_set(sender, request, user, **kwargs):
    audit.record("auth.password_set", actor=user, request=request)


@receiver(account_signals.password_reset)
def unlock_on_password_reset(sender, request, user, **kwargs):
    # Proving control of the mailbox is what unlocks a locked account.
    throttle.clear_account(user)
    audit.record("auth.password_reset", actor=user, request=request)


@receiver(user_logged_in)
def restore_language(sender, request, user, **kwargs):
    """A saved language preference (account page or footer switcher) becomes this
    browser's language at sign-in; no saved preference leaves the browser's choice."""
    if request is None:
        return
    from django.conf import settings

    from pharmagarde.core.models import UserPreferences

    from .middleware import RESTORED_LANGUAGE

    saved = UserPreferences.objects.filter(user=user).values_list("language", flat=True).first()
    if saved and saved != request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        setattr(request, RESTORED_LANGUAGE, saved)
