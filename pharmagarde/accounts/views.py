from allauth.account.models import EmailAddress
from allauth.mfa.base.views import AuthenticateView
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from pharmagarde.core.models import ROLES_REQUIRING_MFA

from . import second_factor
from .mfa import has_second_factor, memberships_requiring_mfa


def oidc_enabled():
    return bool(settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS"))


def _mfa_status(user):
    types = list(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    return {
        "totp": Authenticator.Type.TOTP in types,
        "webauthn_count": types.count(Authenticator.Type.WEBAUTHN),
        "recovery_codes": Authenticator.Type.RECOVERY_CODES in types,
        "active": has_second_factor(user),
    }


@require_safe
@login_required
def account_settings(request):
    user = request.user
    context = {
        "emails": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "mfa": _mfa_status(user),
        "mfa_required_by": memberships_requiring_mfa(user),
        "session_count": UserSession.objects.filter(user=user).count(),
        "oidc_enabled": oidc_enabled(),
        "social_accounts": SocialAccount.objects.filter(user=user).count(),
        "has_password": user.has_usable_password(),
    }
    return render(request, "accounts/settings.html", context)


def _mfa_reason(membership):
    if membership.role in ROLES_REQUIRING_MFA:
        return _("vous êtes « %(role)s » de %(org)s.") % {
            "role": membership.get_role_display(), "org": membership.organisation.name}
    return _("%(org)s l'exige de tous ses membres.") % {"org": membership.organisation.name}


@require_safe
@login_required
def mfa_required(request):
    """Why the user must set up a second factor, and how, before going any further."""
    context = {
        "reasons": [_mfa_reason(m) for m in memberships_requiring_mfa(request.user)],
        "done": has_second_factor(request.user),
    }
    return render(request, "accounts/mfa_required.html", context)


class MFAAuthenticateView(AuthenticateView):
    """allauth's second-factor step, except that once too many wrong codes have dropped
    the pending sign-in, the visitor goes back to the password (second_factor.py)."""

    def form_invalid(self, form):
        for errors in form.errors.as_data().values():
            for error in errors:
                if error.code == second_factor.LOGIN_DROPPED:
                    messages.error(self.request, error.messages[0])
                    return redirect("account_login")
        return super().form_invalid(form)


mfa_authenticate = MFAAuthenticateView.as_view()
