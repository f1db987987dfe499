"""axe-core on the key pages: zero WCAG 2.1 A and AA violations.

Each case builds its data, opens the page as a real user would see it (the stylesheet
applied, so colour contrast is measured) and runs the vendored axe-core. A failure lists
each rule id, its help text and link, and the CSS selector of every offending node; the
full axe result (with the "incomplete" items that need a human eye) is written to
test-results/axe/<case>.json.
"""

import re

import pytest
from playwright.sync_api import expect

from pharmagarde.core import services
from pharmagarde.core.models import Person, Role

from .axe import assert_no_axe_violations, serve_axe
from .helpers import (
    CODE,
    make_member,
    make_pharmacy,
    reauthenticate_if_asked,
    sign_in,
    submit_password,
    use_session,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe_page(page, context, live_server):
    serve_axe(context, live_server.url)
    return page


@pytest.fixture
def alpha():
    return make_pharmacy("Pharmacie Alpha", "alpha")


@pytest.fixture
def alice(alpha):
    return make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)


@pytest.fixture
def signed_in(axe_page, context, live_server, alice):
    """Alice's session, opened without the sign-in pages (those have their own cases)."""
    use_session(context, live_server, alice)
    return axe_page


def open_page(page, path, heading):
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


def test_sign_in_page(axe_page):
    open_page(axe_page, "/comptes/login/", re.compile(r"connexion|se connecter", re.I))
    assert_no_axe_violations(axe_page, "sign-in")


def test_sign_in_page_with_an_error(axe_page, alice):
    submit_password(axe_page, alice.email, "not-the-password")
    expect(axe_page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(axe_page, "sign-in-error")


def test_second_factor_page(axe_page, alice):
    submit_password(axe_page, alice.email)
    expect(axe_page.get_by_label(CODE)).to_be_visible()
    assert_no_axe_violations(axe_page, "mfa-authenticate")


def test_organisation_choice(signed_in, alice):
    bravo = make_pharmacy("Laboratoire Bravo", "bravo", kind="lbm")
    alice.memberships.create(organisation=bravo, role=Role.AUDITEUR)
    open_page(signed_in, "/", "Mes structures")
    assert_no_axe_violations(signed_in, "home")


def test_dashboard(signed_in):
    open_page(signed_in, "/o/alpha/", "Tableau de bord")
    assert_no_axe_violations(signed_in, "dashboard")


def test_people_list_empty(signed_in):
    open_page(signed_in, "/o/alpha/personnel/", "Personnel")
    expect(signed_in.get_by_text("Aucune personne enregistrée.")).to_be_visible()
    assert_no_axe_violations(signed_in, "people-empty")


def test_people_list_filled(signed_in, alpha, alice):
    for i in range(55):  # more than a page: the pagination is checked too
        Person.objects.create(organisation=alpha, first_name=f"Prénom{i}", last_name=f"Nom{i:02}",
                              job="Préparateur", email=f"p{i}@alpha.example")
    Person.objects.create(organisation=alpha, first_name="Alice", last_name="Titulaire",
                          user=alice, departure_date="2020-01-31")
    open_page(signed_in, "/o/alpha/personnel/", "Personnel")
    expect(signed_in.get_by_role("table")).to_be_visible()
    expect(signed_in.get_by_role("navigation", name="Pagination")).to_be_visible()
    assert_no_axe_violations(signed_in, "people-filled")


def test_person_form_with_errors(signed_in):
    open_page(signed_in, "/o/alpha/personnel/nouveau/", "Ajouter une personne")
    signed_in.get_by_role("button", name="Enregistrer").click()
    expect(signed_in.locator(".errorlist").first).to_be_visible()
    assert_no_axe_violations(signed_in, "person-form-errors")


def test_members_page(signed_in, alpha, alice):
    make_member("rita@alpha.example", alpha, Role.REFERENT, with_mfa=True)
    make_member("colin@alpha.example", alpha, Role.COLLABORATEUR)
    services.invitation_create(acting_user=alice, organisation=alpha,
                               email="dora@alpha.example", role=Role.DPO)
    open_page(signed_in, "/o/alpha/membres/", "Membres et accès")
    expect(signed_in.get_by_role("cell", name="dora@alpha.example", exact=True)).to_be_visible()
    assert_no_axe_violations(signed_in, "members")


def test_invitation_form(signed_in):
    open_page(signed_in, "/o/alpha/invitations/nouvelle/", "Inviter quelqu'un")
    assert_no_axe_violations(signed_in, "invitation-form")
    signed_in.get_by_role("button", name="Envoyer l'invitation").click()
    expect(signed_in.locator(".errorlist").first).to_be_visible()
    assert_no_axe_violations(signed_in, "invitation-form-errors")


def test_organisation_form(signed_in):
    open_page(signed_in, "/o/alpha/structure/", "Fiche de la structure")
    assert_no_axe_violations(signed_in, "organisation-form")


def test_new_organisation_form_with_errors(signed_in):
    open_page(signed_in, "/structures/nouvelle/", "Enregistrer une structure")
    signed_in.get_by_role("button", name="Créer la structure").click()
    expect(signed_in.locator(".errorlist").first).to_be_visible()
    assert_no_axe_violations(signed_in, "organisation-new-errors")


def test_audit_log(signed_in, alpha, alice):
    for i in range(3):
        services.person_save(acting_user=alice, person=Person(organisation=alpha,
                             first_name=f"Paul{i}", last_name="Préparateur"))
    open_page(signed_in, "/o/alpha/journal/", "Journal d'audit")
    expect(signed_in.get_by_role("table")).to_be_visible()
    assert_no_axe_violations(signed_in, "audit-log")


def test_account_settings(signed_in):
    open_page(signed_in, "/comptes/mon-compte/", "Mon compte")
    assert_no_axe_violations(signed_in, "account-settings")


def test_mfa_setup_page(axe_page, alpha):
    """A collaborateur (MFA optional) sets up an authenticator app: the TOTP activation page."""
    colin = make_member("colin@alpha.example", alpha, Role.COLLABORATEUR)
    sign_in(axe_page, colin)
    axe_page.goto("/comptes/2fa/")
    expect(axe_page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(axe_page, "mfa-index")
    axe_page.goto("/comptes/2fa/totp/activate/")
    reauthenticate_if_asked(axe_page)
    expect(axe_page.get_by_label(re.compile(r"code", re.I))).to_be_visible()
    assert_no_axe_violations(axe_page, "mfa-totp-activate")


def test_sign_up_and_password_reset_pages(axe_page):
    response = axe_page.goto("/comptes/signup/")
    if response.status == 200:  # open sign-up can be switched off (OPEN_SIGNUP=false)
        expect(axe_page.get_by_role("heading", level=1)).to_be_visible()
        assert_no_axe_violations(axe_page, "sign-up")
    open_page(axe_page, "/comptes/password/reset/", re.compile(r"mot de passe|password", re.I))
    assert_no_axe_violations(axe_page, "password-reset")


def test_security_key_setup_page(axe_page, alice):
    sign_in(axe_page, alice)
    axe_page.goto("/comptes/2fa/webauthn/add/")
    reauthenticate_if_asked(axe_page)
    expect(axe_page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(axe_page, "mfa-webauthn-add")


@pytest.mark.parametrize("path", ["/o/alpha/", "/o/alpha/membres/", "/o/alpha/personnel/"])
def test_pages_reflow_on_a_phone(axe_page, context, live_server, path):
    """WCAG 1.4.10 (reflow): at 320 CSS px nothing scrolls sideways but the tables' own box.

    A long organisation name and e-mail address are the worst case for the header.
    """
    alpha = make_pharmacy("Pharmacie du Grand Marché de la Place Centrale", "alpha")
    user = make_member("alice.longue-adresse@alpha.example", alpha, Role.RESPONSABLE,
                       with_mfa=True)
    Person.objects.create(organisation=alpha, first_name="Paul", last_name="Préparateur",
                          job="Préparateur en pharmacie", email="paul.preparateur@alpha.example")
    use_session(context, live_server, user)
    axe_page.set_viewport_size({"width": 320, "height": 640})
    response = axe_page.goto(path)
    assert response.status == 200
    assert_no_axe_violations(axe_page, "phone" + path.replace("/", "-").rstrip("-"))
    too_wide = axe_page.evaluate("""() => [...document.querySelectorAll("body *")]
        .filter(el => !el.closest(".table-wrap")
                && el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                   + (el.className ? "." + String(el.className).split(" ").join(".") : ""))""")
    assert not too_wide, f"wider than a 320 px screen on {path}: {too_wide}"
