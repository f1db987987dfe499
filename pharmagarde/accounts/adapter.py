"""Our hooks into allauth: sign-in throttling, and who may create an account."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from pharmagarde.core.services import InvitationError, find_invitation

from . import throttle


def invitation_from_url(url):
    """The pending invitation a /invitation/<token>/ address points at, or None."""
    if not url or not url.startswith("/") or url.startswith("//"):
        return None
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return None
    if match.url_name != "invitation_accept":
        return None
    try:
        return find_invitation(match.kwargs["token"])
    except InvitationError:
        return None


def invitation_from_request(request, next_url=None):
    """The invitation this visitor followed: `next` in the query or the form, or given."""
    if request is None:
        return None
    candidates = [next_url, request.POST.get("next"), request.GET.get("next")]
    for url in candidates:
        if invitation := invitation_from_url(url):
            return invitation
    return None


def signup_allowed(request, next_url=None):
    """Open sign-up, or, when closed, only for someone holding a valid invitation link."""
    return settings.PHARMAGARDE_OPEN_SIGNUP or invitation_from_request(request, next_url)


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        try:
            throttle.check(request, credentials.get("email") or credentials.get("username"))
        except forms.ValidationError:
            # allauth counted this attempt in its own (disabled by default) limits: undo it.
            self._rollback_login_failed_rl_usage()
            raise

    def is_open_for_signup(self, request):
        return bool(signup_allowed(request))

    def clean_email(self, email):
        email = super().clean_email(email)
        # Closed sign-up lets an invitation in, but only for the address it was sent to.
        if not settings.PHARMAGARDE_OPEN_SIGNUP and self._is_signup_request():
            invitation = invitation_from_request(self.request)
            if invitation and invitation.email.lower() != email.lower():
                raise forms.ValidationError(
                    _("Les inscriptions se font sur invitation : utilisez l'adresse qui a "
                      "reçu l'invitation (%(email)s).") % {"email": invitation.email}
                )
        return email

    def _is_signup_request(self):
        request = getattr(self, "request", None)
        if request is None:
            return False
        try:
            return resolve(request.path_info).url_name == "account_signup"
        except Resolver404:
            return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return bool(signup_allowed(request, sociallogin.state.get("next")))


class MFAAdapter(DefaultMFAAdapter):
    pass
