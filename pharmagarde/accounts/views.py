from allauth.account.models import EmailAddress
from allauth.mfa.base.views import AuthenticateView
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pharmagarde.core.models import ROLES_REQUIRING_MFA, UserPreferences
from pharmagarde.core.reminders import user_from_unsubscribe_token

from . import second_factor, services
from .forms import PreferencesForm
from .mfa import has_second_factor, memberships_requiring_mfa
from .middleware import set_language_cookie


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


def _settings_page(request, preferences_form=None):
    user = request.user
    context = {
        "emails": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "mfa": _mfa_status(user),
        "mfa_required_by": memberships_requiring_mfa(user),
        "session_count": UserSession.objects.filter(user=user).count(),
        "oidc_enabled": oidc_enabled(),
        "social_accounts": SocialAccount.objects.filter(user=user).count(),
        "has_password": user.has_usable_password(),
        "preferences_form": preferences_form
        or PreferencesForm(instance=UserPreferences.of(user)),
    }
    return render(request, "accounts/settings.html", context)


@require_safe
@login_required
def account_settings(request):
    return _settings_page(request)


@require_POST
@login_required
def preferences_edit(request):
    form = PreferencesForm(request.POST, instance=UserPreferences.of(request.user))
    if not form.is_valid():
        return _settings_page(request, form)
    preferences = services.preferences_update(
        acting_user=request.user, language=form.cleaned_data["language"],
        digest=form.cleaned_data["digest"], request=request)
    with translation.override(preferences.language):
        messages.success(request, _("Vos préférences de courriel sont enregistrées."))
    response = redirect("account_settings")
    set_language_cookie(response, preferences.language)
    return response


def set_language(request):
    """Django's language switcher (the footer's), which also becomes the language of the
    signed-in user's mail: a user who reads the pages in English gets English reminders."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if (request.method == "POST" and request.user.is_authenticated
            and language in dict(settings.LANGUAGES)):
        services.language_remember(user=request.user, language=language)
    return response


# The link of every digest (RFC 8058 one-click unsubscribe): the signature is the proof,
# no sign-in is needed. csrf_exempt because the mail client's one-click POST carries no
# CSRF token; a forged POST would need the signed token, which is the link itself. A GET
# only asks for confirmation: mail scanners and prefetchers follow links in mail.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token):
    user = user_from_unsubscribe_token(token)
    if user is None:
        return render(request, "accounts/unsubscribe_invalid.html", status=400)
    with translation.override(UserPreferences.of(user).language):
        if request.method == "POST":
            services.digest_unsubscribe(user=user, request=request)
            return render(request, "accounts/unsubscribe_done.html")
        return render(request, "accounts/unsubscribe.html")


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
