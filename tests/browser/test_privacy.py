"""Data protection in a real browser (issue 10): the responsable of an officine opens
« Données personnelles » from the navigation, fills the profile, prefills the register,
completes it (video protection confirmed as used, the loyalty programme marked as not used,
each processing read and confirmed) until every processing is complete, exports it, then
opens the patients' notice written from it and downloads it to print. Every page the flow
goes through is checked with axe-core, under the real CSP."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from pharmagarde.core.models import Role
from pharmagarde.privacy import register_checks
from pharmagarde.privacy.models import PrivacyProfile, Processing

from .axe import assert_no_axe_violations, serve_axe
from .helpers import make_member, make_pharmacy, use_session
from .test_inventory import heading, org_nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEO = "Vidéoprotection"
REGISTER = "/o/halles/donnees-personnelles/registre/"


def pdf_text(path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   check=True, text=True).stdout.split())


def test_an_officine_completes_its_register_and_prints_the_patients_notice(
        page, context, live_server):
    serve_axe(context, live_server.url)
    pharmacy = make_pharmacy("Pharmacie des Halles", "halles", size_band="1-9")
    alice = make_member("alice@halles.example", pharmacy, Role.RESPONSABLE, with_mfa=True)
    use_session(context, live_server, alice)

    page.goto("/o/halles/")
    org_nav(page).get_by_role("link", name="Données personnelles").click()
    expect(heading(page)).to_have_text("Données personnelles")
    assert_no_axe_violations(page, "privacy-home")

    # The profile first: the notices name the controller and where to write.
    page.get_by_role("link", name="Compléter le profil").click()
    expect(heading(page)).to_have_text("Profil de protection des données")
    assert_no_axe_violations(page, "privacy-profile")
    page.get_by_label(re.compile("^responsable du traitement", re.I)).fill(
        "SELARL Pharmacie des Halles, représentée par Mme Alice, titulaire")
    page.get_by_label(re.compile("^adresse pour exercer ses droits", re.I)).fill(
        "3 rue des Halles, 31000 Toulouse — rgpd@halles.example")
    page.get_by_role("group", name=re.compile("^vidéoprotection", re.I)).get_by_label("Oui").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Profil enregistré.")).to_be_visible()

    # The register, prefilled for an officine.
    page.get_by_role("link", name="Le registre des traitements").click()
    expect(heading(page)).to_have_text("Registre des traitements")
    page.get_by_role("button", name="Préremplir le registre").click()
    register = page.get_by_role("table")
    expect(register.get_by_role("link", name=re.compile("^Dispensation"))).to_be_visible()
    assert_no_axe_violations(page, "privacy-register")

    # Video protection: used here. The other « where it exists » ones: not used.
    register.get_by_role("link", name=re.compile(f"^{VIDEO}")).click()
    expect(page.get_by_text("À confirmer : dites si ce traitement existe chez vous.")) \
        .to_be_visible()
    assert_no_axe_violations(page, "privacy-processing")
    page.get_by_role("link", name="Modifier", exact=True).click()
    expect(heading(page)).to_have_text(re.compile(r"^Modifier « "))
    assert_no_axe_violations(page, "privacy-processing-form")
    page.get_by_label(re.compile("^mis en œuvre", re.I)).select_option("True")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("À confirmer : dites si ce traitement existe chez vous.")) \
        .to_have_count(0)
    for processing in Processing.objects.filter(organisation=pharmacy, in_use=None):
        page.goto(f"{REGISTER}{processing.pk}/modifier/")
        page.get_by_label(re.compile("^mis en œuvre", re.I)).select_option("False")
        page.get_by_role("button", name="Enregistrer").click()
        expect(heading(page)).to_contain_text(processing.name)
    page.goto(REGISTER)
    expect(page.get_by_role("heading", name="Traitements non mis en œuvre")).to_be_visible()

    # Each retention period « à vérifier » checked, then each processing read and confirmed.
    for processing in Processing.objects.filter(organisation=pharmacy).exclude(in_use=False):
        page.goto(f"/o/halles/donnees-personnelles/registre/{processing.pk}/")
        if page.get_by_text(re.compile("^Durée de conservation de")).count():
            page.get_by_role("link", name="Modifier", exact=True).click()
            checks = page.get_by_label("à vérifier")
            for index in range(checks.count()):
                checks.nth(index).uncheck()
            page.get_by_role("button", name="Enregistrer").click()
        page.get_by_role("button", name="J'ai relu : confirmer").click()
        expect(page.get_by_text("Toutes les rubriques du registre sont renseignées.")) \
            .to_be_visible()
    for processing in Processing.objects.filter(organisation=pharmacy).exclude(in_use=False):
        assert register_checks.problems(processing) == [], processing.name
    page.goto(REGISTER)
    expect(page.get_by_text(re.compile(r"(\d+) traitements complets sur \1\."))).to_be_visible()
    page.get_by_role("button", name="J'ai revu le registre").click()
    assert PrivacyProfile.objects.get(organisation=pharmacy).register_reviewed_at
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter le registre en PDF").click()
    register_pdf = pdf_text(download.value.path())
    assert "Dispensation" in register_pdf and VIDEO in register_pdf

    # The patients' notice, written from the register, to print.
    page.get_by_role("link", name="Données personnelles", exact=True).first.click()
    page.get_by_role("link", name="Notice des patients").click()
    expect(heading(page)).to_have_text("Vos données personnelles dans notre structure")
    notice = page.locator("article.notice-sheet")
    expect(notice).to_contain_text("SELARL Pharmacie des Halles")
    expect(notice.get_by_role("heading", name=VIDEO)).to_be_visible()
    expect(notice).to_contain_text("rgpd@halles.example")
    expect(notice).not_to_contain_text("Programme de fidélité")
    expect(page.get_by_text("Avant d'afficher cette notice")).to_have_count(0)
    assert_no_axe_violations(page, "privacy-notice")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la notice à imprimer (PDF)").click()
    text = pdf_text(download.value.path())
    assert "Vos données personnelles dans notre structure" in text
    assert "SELARL Pharmacie des Halles" in text
    assert "réclamation à la CNIL" in text
