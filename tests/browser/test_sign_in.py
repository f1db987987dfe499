"""Signing in with a TOTP code, then moving between organisations with the header switcher."""

import re

import pytest
from playwright.sync_api import expect

from pharmagarde.core.models import Role

from .conftest import RESULTS_DIR
from .helpers import CODE, SIGN_IN, make_member, make_pharmacy, submit_password, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_responsable_signs_in_with_totp_and_switches_organisation(page):
    alpha = make_pharmacy("Pharmacie Alpha", "alpha")
    bravo = make_pharmacy("Laboratoire Bravo", "bravo", kind="lbm")
    alice = make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)
    alice.memberships.create(organisation=bravo, role=Role.REFERENT)

    submit_password(page, alice.email)
    # Second step: the authenticator code.
    code = page.get_by_label(CODE)
    expect(code).to_be_visible()
    code.fill(totp_code(alice.totp_secret))
    page.get_by_role("button", name=SIGN_IN).click()

    # Two organisations: the home page asks which one, the switcher opens it.
    switcher = page.get_by_label("Structure", exact=True)
    expect(switcher).to_be_visible()
    switcher.select_option(label="Pharmacie Alpha")
    page.get_by_role("button", name="Ouvrir").click()
    expect(page).to_have_url(re.compile(r"/o/alpha/$"))
    expect(page.get_by_role("heading", level=1, name="Tableau de bord")).to_be_visible()
    expect(page.get_by_text("Pharmacie Alpha — Officine")).to_be_visible()

    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "dashboard.png"), full_page=True)

    switcher.select_option(label="Laboratoire Bravo")
    page.get_by_role("button", name="Ouvrir").click()
    expect(page).to_have_url(re.compile(r"/o/bravo/$"))
    expect(page.get_by_role("heading", level=1, name="Tableau de bord")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Laboratoire Bravo — "))).to_be_visible()
    nav = page.get_by_role("navigation", name="Sections de la structure")
    expect(nav).to_contain_text("Référent")


def test_a_wrong_totp_code_keeps_the_door_closed(page):
    alpha = make_pharmacy()
    alice = make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)

    submit_password(page, alice.email)
    page.get_by_label(CODE).fill("000000" if totp_code(alice.totp_secret) != "000000"
                                 else "111111")
    page.get_by_role("button", name=SIGN_IN).click()

    expect(page.get_by_label(CODE)).to_be_visible()
    # The half-finished sign-in opens nothing: back to the sign-in steps.
    page.goto("/o/alpha/")
    expect(page).to_have_url(re.compile(r"/comptes/(login|2fa/authenticate)/"))
    expect(page.get_by_role("heading", name="Tableau de bord")).to_have_count(0)
