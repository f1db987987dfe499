"""Our hooks into allauth: sign-in throttling, and who may create an account."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import user_email
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal.flows.signup import get_pending_signup
from django import forms
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.mail import queue_message
from pharmagarde.core.redirects import safe_next_path
from pharmagarde.core.services import InvitationError, find_invitation

from . import throttle


def invitation_from_url(request, url):
    """The pending invitation a /invitation/<token>/ address points at, or None. Only a `next`
    value that safe_next_path accepts counts: the one rule for where `next` may lead."""
    path = safe_next_path(request, url)
    if path is None:
        return None
    try:
        match = resolve(urlsplit(path).path)
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
        if invitation := invitation_from_url(request, url):
            return invitation
    return None


def signup_refusal(request, email: str | None = None, next_url: str | None = None) -> str | None:
    """Why no new account may be made here, or None: the one rule, for the form and for OIDC.

    Open sign-up admits anyone. Closed sign-up admits a new account only for someone who
    followed a valid invitation link, and only for the address the invitation was sent to:
    a forwarded or leaked link must not open the service to another address. `email` is None
    while the address is not known yet (the sign-up page before the form is sent); the rule is
    applied again once it is (`AccountAdapter.clean_email`).
    """
    if settings.PHARMAGARDE_OPEN_SIGNUP:
        return None
    invitation = invitation_from_request(request, next_url)
    if invitation is None:
        return _("Les inscriptions se font sur invitation.")
    if email is not None and invitation.email.lower() != email.lower():
        return _("Les inscriptions se font sur invitation : utilisez l'adresse qui a "
                 "reçu l'invitation (%(email)s).") % {"email": invitation.email}
    return None


def _url_name(request):
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """allauth's mails (address verification, password reset, security notices) go
        through the worker like every other (core/mail.py). Their secret links wait there
        encrypted, never in the task table; a failed send is retried instead of lost."""
        request = allauth_context.request
        queue_message(self.render_mail(template_prefix, email, {
            "request": request, "email": email, "current_site": get_current_site(request),
            **context,
        }))

    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        try:
            throttle.check(request,
                           email=credentials.get("email") or credentials.get("username"))
        except forms.ValidationError:
            # allauth counted this attempt in its own (disabled by default) limits: undo it.
            self._rollback_login_failed_rl_usage()
            raise

    def is_open_for_signup(self, request):
        return signup_refusal(request) is None

    def get_client_ip(self, request):
        """allauth's rate limits see the client address by our one rule (audit.client_ip):
        behind the proxy, not the proxy's own address, which would make one limit for all."""
        address = audit.client_ip(request)
        if not address:
            raise PermissionDenied("Adresse du client inconnue")
        return address

    def clean_email(self, email):
        email = super().clean_email(email)
        if refusal := self._signup_refusal(email):
            raise forms.ValidationError(refusal)
        return email

    def _signup_refusal(self, email):
        """The sign-up rule for the address typed into either sign-up form; None elsewhere."""
        request = getattr(self, "request", None)
        if request is None:
            return None
        page = _url_name(request)
        if page == "account_signup":
            return signup_refusal(request, email)
        if page == "socialaccount_signup":
            # The invitation link travelled through the provider in the social login's state.
            pending = get_pending_signup(request)
            return signup_refusal(request, email, pending and pending.state.get("next"))
        return None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        next_url = sociallogin.state.get("next")
        if signup_refusal(request, next_url=next_url) is not None:
            return False  # allauth shows the "sign-up on invitation" page
        # The address is known here (unless the provider gave none: then the sign-up form
        # asks for it and clean_email applies the rule).
        email = user_email(sociallogin.user) or None
        if refusal := signup_refusal(request, email, next_url):
            raise ImmediateHttpResponse(
                render(request, "account/signup_closed.html", {"refusal": refusal}, status=403)
            )
        return True


class MFAAdapter(DefaultMFAAdapter):
    pass
