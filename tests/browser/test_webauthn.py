"""Security keys and passkeys with Chromium's virtual authenticator (DevTools WebAuthn domain).

WebAuthn only works in a secure context; http://localhost is one, which is why the live
server listens on localhost. The virtual authenticator stands for a USB CTAP2 key with
resident credentials and user verification (a PIN or a fingerprint), always present and
always verified: the browser answers every ceremony without a prompt.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from pharmagarde.core.models import Role

from .helpers import (
    PASSKEY_SIGN_IN,
    USE_SECURITY_KEY,
    make_member,
    make_pharmacy,
    reauthenticate_if_asked,
    sign_in,
    sign_out,
    submit_password,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DASHBOARD = re.compile(r"/o/alpha/$")


@pytest.fixture
def authenticator(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    created = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2",
        "transport": "usb",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }})
    authenticator_id = created["authenticatorId"]

    def credentials():
        return cdp.send("WebAuthn.getCredentials",
                        {"authenticatorId": authenticator_id})["credentials"]

    yield credentials
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator_id})


def test_a_security_key_is_registered_then_used_to_sign_in(page, authenticator):
    alpha = make_pharmacy()
    alice = make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)

    # Registration, from a session opened with the password and the TOTP code.
    sign_in(page, alice)
    page.goto(reverse("mfa_add_webauthn"))
    reauthenticate_if_asked(page)
    page.get_by_label(re.compile(r"^\s*(nom|name)\b", re.I)).fill("Clé USB du comptoir")
    # A plain second-factor key: "passwordless" (a passkey) stays unticked.
    page.get_by_role("button", name=re.compile(r"^\s*(ajouter|add)\s*$", re.I)).click()
    expect(page).not_to_have_url(re.compile(re.escape(reverse("mfa_add_webauthn")) + "$"))

    key = Authenticator.objects.get(user=alice, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Clé USB du comptoir"
    assert len(authenticator()) == 1

    # Sign in again: password, then the key instead of the code.
    page.goto("/o/alpha/")
    sign_out(page)
    submit_password(page, alice.email)
    page.get_by_role("button", name=USE_SECURITY_KEY).click()
    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", level=1, name="Tableau de bord")).to_be_visible()
    assert authenticator()[0]["signCount"] >= 1


@pytest.mark.skipif(not settings.MFA_PASSKEY_LOGIN_ENABLED, reason="passkey login is disabled")
def test_a_passkey_signs_in_without_a_password(page, authenticator):
    alpha = make_pharmacy()
    alice = make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)

    sign_in(page, alice)
    page.goto(reverse("mfa_add_webauthn"))
    reauthenticate_if_asked(page)
    page.get_by_label(re.compile(r"sans mot de passe|passwordless", re.I)).check()
    page.get_by_role("button", name=re.compile(r"^\s*(ajouter|add)\s*$", re.I)).click()
    expect(page).not_to_have_url(re.compile(re.escape(reverse("mfa_add_webauthn")) + "$"))
    assert authenticator()[0]["isResidentCredential"]

    page.goto("/o/alpha/")
    sign_out(page)
    page.goto("/comptes/login/?next=/o/alpha/")
    page.get_by_role("button", name=PASSKEY_SIGN_IN).click()
    expect(page).to_have_url(DASHBOARD)
    expect(page.get_by_role("heading", level=1, name="Tableau de bord")).to_be_visible()
