"""Wrong second-factor codes are counted like wrong passwords (accounts/throttle.py).

Without this, a stolen password leaves the six-digit TOTP code open to guessing: one
pending sign-in accepted 460 wrong codes at 30 a second, then the right one. Every wrong
code, recovery code or security-key answer, at sign-in or when confirming one's identity
again, now counts against the account and the client address (growing delay, then
lock-out), is audited, and after MFA_FAILURES_BEFORE_RESTART wrong codes the pending
sign-in is dropped: the password must be typed again.
"""

from allauth.account.internal.stagekit import clear_login
from allauth.core import context
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pharmagarde.core import audit

from . import throttle

# Wrong codes of the pending sign-in, kept in its session.
SESSION_KEY = "pharmagarde_mfa_failures"
# The error code once too many wrong codes have ended the pending sign-in.
LOGIN_DROPPED = "login_dropped"


def check(user) -> None:
    """Raise a ValidationError in French if the account or address must wait first."""
    throttle.check(context.request, user=user)


def record_failure(user, *, method: str, reauthentication: bool) -> None:
    """Count, audit, and drop the pending sign-in after a few wrong codes (a ValidationError
    with the code LOGIN_DROPPED)."""
    request = context.request
    throttle.record_failure(request, user=user)
    audit.record("auth.mfa_failed", actor=user, request=request,
                 actor_label="" if user else _("clé de sécurité inconnue"),
                 details={"méthode": method, "réauthentification": reauthentication})
    if reauthentication or user is None:
        return
    failures = request.session.get(SESSION_KEY, 0) + 1
    if failures < settings.MFA_FAILURES_BEFORE_RESTART:
        request.session[SESSION_KEY] = failures
        return
    request.session.pop(SESSION_KEY, None)
    clear_login(request)
    raise ValidationError(
        _("Trop de codes erronés. Par sécurité, la connexion est annulée : saisissez de "
          "nouveau votre adresse e-mail et votre mot de passe."), code=LOGIN_DROPPED)


def forget(session) -> None:
    session.pop(SESSION_KEY, None)
