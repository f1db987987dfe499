"""Audit entries for sign-in events and MFA changes, which happen inside allauth."""

from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit.record("auth.login", actor=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("auth.logout", actor=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Only the identifier typed is kept, never the password.
    typed = credentials.get("email") or credentials.get("username") or ""
    audit.record("auth.login_failed", request=request, actor_label=str(typed)[:254],
                 details={"identifiant": str(typed)[:254]})


@receiver(mfa_signals.authenticator_added)
def audit_mfa_added(sender, request, user, authenticator, **kwargs):
    audit.record("mfa.added", actor=user, request=request,
                 details={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def audit_mfa_removed(sender, request, user, authenticator, **kwargs):
    audit.record("mfa.removed", actor=user, request=request,
                 details={"type": authenticator.type})


@receiver(mfa_signals.authenticator_reset)
def audit_mfa_reset(sender, request, user, authenticator, **kwargs):
    audit.record("mfa.reset", actor=user, request=request,
                 details={"type": authenticator.type})
