"""What the browser tests share: data, signing in, and the few words the tests look for.

Selectors go by role and accessible name (labels, button text), never by CSS class or
layout, so they survive a restyling of the pages. The wording the allauth pages use is
matched loosely (French and English) in one place: here.
"""

import re
import time

from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from pharmagarde.core.models import Membership
from tests.base import PASSWORD, make_organisation, make_user

EMAIL = re.compile(r"courriel|e-?mail|adresse", re.I)
PASSWORD_LABEL = re.compile(r"^\s*(mot de passe|password)\b", re.I)
CODE = re.compile(r"code", re.I)
SIGN_IN = re.compile(r"^\s*(connexion|se connecter|me connecter|sign in)\s*$", re.I)
SIGN_OUT = re.compile(r"(se|me) déconnecter|déconnexion|sign out", re.I)
USE_SECURITY_KEY = re.compile(r"clé (secrète|de sécurité)|security key", re.I)
PASSKEY_SIGN_IN = re.compile(r"clé d.accès|passkey", re.I)


def make_member(email, organisation, role, *, with_mfa=False):
    user = make_user(email, with_mfa=with_mfa)
    Membership.objects.create(organisation=organisation, user=user, role=role)
    return user


def make_pharmacy(name="Pharmacie Alpha", slug="alpha", **fields):
    return make_organisation(name, slug, **fields)


def totp_code(secret):
    """The current code of a TOTP secret, never one about to expire (30 s steps)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def submit_password(page, email, password=PASSWORD):
    page.goto("/comptes/login/")
    page.get_by_label(EMAIL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("button", name=SIGN_IN).click()


def sign_in(page, user, password=PASSWORD):
    """Sign in through the real pages: e-mail and password, then the TOTP code if any."""
    submit_password(page, user.email, password)
    secret = getattr(user, "totp_secret", None)
    if secret:
        code_field = page.get_by_label(CODE)
        expect(code_field).to_be_visible()
        code_field.fill(totp_code(secret))
        page.get_by_role("button", name=SIGN_IN).click()
    expect(page).not_to_have_url(re.compile(r"/comptes/(login|2fa/authenticate)/"))


def reauthenticate_if_asked(page, password=PASSWORD):
    """Sensitive pages ask for the password again when the sign-in is not recent."""
    if "/reauthenticate/" in page.url:
        page.get_by_label(PASSWORD_LABEL).fill(password)
        page.get_by_role("button", name=re.compile(r"confirmer|confirm", re.I)).click()
        expect(page).not_to_have_url(re.compile(r"/reauthenticate/"))


def sign_out(page):
    page.get_by_role("button", name=SIGN_OUT).first.click()
    # allauth asks for a confirmation when sign-out is reached by GET; ours posts directly.
    if "/comptes/logout/" in page.url:
        page.get_by_role("button", name=SIGN_OUT).click()
    expect(page.get_by_role("button", name=SIGN_OUT)).to_have_count(0)


def use_session(context, live_server, user):
    """Open a session for `user` without the sign-in pages (fast path for page checks)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": cookie.value,
        "url": live_server.url,
    }])
