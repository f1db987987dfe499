"""Idle session timeout, mandatory two-factor authentication, and the user's language
restored at sign-in."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from . import idle
from .mfa import mfa_missing


def redirect_for(request, url):
    """A redirect that htmx follows as a full page change instead of swapping it in."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class IdleTimeoutMiddleware:
    """Signs out a session left unused for SESSION_IDLE_TIMEOUT seconds (PGSSI-S)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if idle.is_expired(request.session, now):
                return self._sign_out(request)
            if idle.needs_refresh(request.session, now):
                idle.touch(request.session, now)
        return self.get_response(request)

    def _sign_out(self, request):
        next_url = request.get_full_path() if request.method == "GET" else "/"
        logout(request)
        login = redirect_to_login(next_url)["Location"]
        response = redirect_for(request, login)
        # MessageMiddleware comes after this one and is skipped: store the message ourselves.
        storage = default_storage(request)
        storage.add(messages.WARNING, _(
            "Vous avez été déconnecté(e) après %(minutes)d minutes sans activité, pour "
            "protéger les données de votre structure. Reconnectez-vous pour continuer."
        ) % {"minutes": idle.timeout_seconds() // 60})
        storage.update(response)
        return response


# Pages a user who must set up MFA can still reach: the setup itself and what it needs.
MFA_EXEMPT_URL_NAMES = {
    "mfa_required", "account_logout", "set_language",
    "account_reauthenticate", "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_confirm_email", "account_email_verification_sent",
    "digest_unsubscribe",
}


def _exempt_from_mfa(request):
    if request.path_info.startswith(settings.STATIC_URL):
        return True
    try:
        name = resolve(request.path_info).url_name or ""
    except Resolver404:
        return True  # a 404 page reveals nothing
    return name in MFA_EXEMPT_URL_NAMES or name.startswith("mfa_")


class RequireMFAMiddleware:
    """Responsables and référents (or every member, if the organisation asks) must set up
    a second factor before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (request.user.is_authenticated and not _exempt_from_mfa(request)
                and mfa_missing(request.user)):
            return redirect_for(request, reverse("mfa_required"))
        return self.get_response(request)


def set_language_cookie(response, language):
    """What Django's set_language view does, so that the pages follow the choice too."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE)


# Set on the request by the sign-in signal (accounts/signals.py) when the user's saved
# language is not the one this browser shows.
RESTORED_LANGUAGE = "_pharmagarde_restored_language"


class RestoreLanguageMiddleware:
    """The language a user chose comes back when they sign in, on any computer: the
    sign-in's response sets the language cookie from their preferences."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if language := getattr(request, RESTORED_LANGUAGE, None):
            set_language_cookie(response, language)
        return response
