"""Declaring and handling an incident in a real browser, on a phone-sized screen: a
collaborateur declares a ransomware attack with the button at the bottom of the screen,
ticks the first reflexes; the responsable opens the breach record and downloads the CNIL
draft, then looks at the emergency contacts and a reflex sheet to print. Every page the
flow goes through is checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from pharmagarde.core.models import Role
from pharmagarde.incidents.models import Breach, Incident

from .axe import assert_no_axe_violations, serve_axe
from .helpers import make_member, make_pharmacy, use_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def heading(page):
    return page.get_by_role("heading", level=1)


def test_a_ransomware_declared_on_a_phone(page, context, live_server):
    serve_axe(context, live_server.url)
    page.set_viewport_size(PHONE)
    pharmacy = make_pharmacy("Pharmacie du Port", "port", size_band="1-9")
    make_member("alice@port.example", pharmacy, Role.RESPONSABLE, with_mfa=True)
    colin = make_member("colin@port.example", pharmacy, Role.COLLABORATEUR)
    use_session(context, live_server, colin)

    # The button is at the bottom of the screen, within the thumb's reach.
    page.goto("/o/port/")
    shortcut = page.get_by_role("navigation", name="Urgence").get_by_role(
        "link", name="Signaler un incident")
    box = shortcut.bounding_box()
    assert box["y"] + box["height"] > PHONE["height"] - 80, box
    assert box["width"] > PHONE["width"] * 0.8, box
    shortcut.click()

    # Screen 1: one tap.
    expect(heading(page)).to_have_text("Signaler un incident")
    assert_no_axe_violations(page, "incident-declare-kind")
    page.get_by_role("button", name=re.compile(r"^Rançongiciel")).click()

    # Screen 2: what is seen; the time of notice is filled with now.
    expect(page.get_by_text("Étape 2 sur 2")).to_be_visible()
    assert page.get_by_label("Constaté le").input_value()
    assert_no_axe_violations(page, "incident-declare-details")
    page.get_by_role("button", name="Déclarer l'incident").click()
    expect(page.get_by_text("Décrivez en quelques mots ce que vous voyez.")).to_be_visible()
    page.get_by_label("Ce que vous voyez").fill(
        "Les fichiers du serveur ont l'extension .lock et un message demande une rançon.")
    page.get_by_label("Oui").check()
    page.get_by_role("button", name="Déclarer l'incident").click()

    # The incident's page: the reflexes, in order, ticked with one tap each.
    expect(heading(page)).to_have_text("INC-0001 — Rançongiciel (fichiers chiffrés, demande "
                                       "de rançon)")
    reflexes = page.get_by_role("list").filter(has_text="Débranchez le câble réseau")
    first = reflexes.get_by_role("button", name=re.compile("Débranchez le câble réseau"))
    expect(first).to_have_attribute("aria-pressed", "false")
    assert_no_axe_violations(page, "incident-detail")
    first.click()
    first = page.get_by_role("button", name=re.compile("Débranchez le câble réseau"))
    expect(first).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name=re.compile("Laissez les postes allumés")).click()
    expect(page.get_by_text(re.compile(r"^2 faits sur \d+\."))).to_be_visible()
    incident = Incident.objects.get(organisation=pharmacy)
    assert incident.steps.filter(done_at__isnull=False).count() == 2
    assert Breach.objects.filter(incident=incident).exists()
    assert_no_axe_violations(page, "incident-detail-ticked")

    # The responsable: the breach record the declaration opened, then the CNIL draft, as
    # text to copy field by field and as a PDF.
    alice = make_member("alice2@port.example", pharmacy, Role.RESPONSABLE, with_mfa=True)
    use_session(context, live_server, alice)
    page.goto(f"/o/port/incidents/{incident.pk}/")
    page.get_by_role("link", name=re.compile(r"fiche VDP-0001 du registre")).click()
    expect(heading(page)).to_have_text("Violation de données VDP-0001")
    assert_no_axe_violations(page, "breach-detail")
    page.get_by_role("link", name="INC-0001").click()
    expect(heading(page)).to_contain_text("INC-0001")
    page.get_by_role("link", name="Brouillons de déclaration").click()
    expect(heading(page)).to_have_text("Brouillons de déclaration")
    assert_no_axe_violations(page, "incident-drafts")
    page.get_by_role("link", name="Notification initiale à la CNIL").first.click()
    expect(heading(page)).to_contain_text("CNIL")
    copy = page.get_by_role("button", name=re.compile(r"^Copier")).first
    expect(copy).to_be_visible()
    assert_no_axe_violations(page, "incident-draft-cnil")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en PDF").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")

    # Getting ready: the emergency contacts (prefilled) and a reflex sheet to print.
    page.goto("/o/port/incidents/")
    page.get_by_role("link", name="les contacts d'urgence").click()
    expect(heading(page)).to_have_text("Contacts d'urgence")
    expect(page.get_by_text("Cybermalveillance.gouv.fr").first).to_be_visible()
    assert_no_axe_violations(page, "incident-contacts")
    page.goto("/o/port/incidents/reflexes/rancongiciel/imprimer/")
    expect(heading(page)).to_have_text("Rançongiciel")
    assert_no_axe_violations(page, "incident-playbook-print")
