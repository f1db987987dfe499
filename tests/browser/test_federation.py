"""Federations in a real browser (issue 14). A groupement with seventeen independent members
whose diagnostics are finished (fourteen officines, three laboratories: too few for a cell
of their own): an analyst opens the dashboard from the navigation, where the laboratories'
cells are hidden, each « — » linked to its footnote; the responsable opens « Structures
membres »; a member's responsable opens « Mes fédérations », with its place among them.
Then across servers: an officine of « another server » opens « Partager avec une
fédération sur un autre serveur » from « Mes fédérations » and downloads its signed file,
the federation adds it by its public key (« Ajouter une structure d'un autre serveur ») and
imports the file (« Importer des agrégats signés »). axe-core on each page, under the real
CSP."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pharmagarde.core.models import Role
from pharmagarde.federation import signing
from pharmagarde.federation.models import Contribution, FederationMember
from tests.base import make_user
from tests.federation.helpers import make_federation, make_member_org

from .axe import assert_no_axe_violations, serve_axe
from .helpers import use_session
from .test_inventory import heading, org_nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Groupement Pharmavie Test"
HIDDEN = "masqué : moins de 11 structures"


def test_analysts_see_aggregates_members_their_place_and_a_remote_structure_shares(
        page, context, live_server):
    serve_axe(context, live_server.url)
    federation, people = make_federation(NAME, "pharmavie")
    member_owner = make_user("titulaire@m1.example", with_mfa=True)
    member = make_member_org(1, score=34, federation=federation, creator=member_owner)
    for number in range(2, 15):
        make_member_org(number, score=30 + 4 * number, federation=federation)
    for number in range(20, 23):
        make_member_org(number, kind="lbm", score=50, federation=federation)
    # « Another server »'s officine: not a member here, it will send a signed file.
    remote_owner = make_user("titulaire@remote.example", with_mfa=True)
    remote = make_member_org(40, score=72, region="BRE", creator=remote_owner)

    # An analyst: only aggregates, hidden cells with their reasons.
    use_session(context, live_server, people[Role.REFERENT])
    page.goto(f"/o/{federation.slug}/")
    org_nav(page).get_by_role("link", name="Tableau de bord de la fédération").click()
    expect(heading(page)).to_have_text("Tableau de bord de la fédération")
    expect(page.get_by_text(re.compile("17 structures indépendantes"))).to_be_visible()
    by_kind = page.get_by_role("table", name="Structures par niveau de maturité et par "
                                             "profession")
    expect(by_kind.get_by_role("columnheader", name="Profession")).to_be_visible()
    # Three laboratories: their mean is hidden, its « — » linked to the footnote.
    means = page.get_by_role("table", name="Score moyen du diagnostic (sur 100)")
    laboratories = means.get_by_role("row", name=re.compile("^Profession : Laboratoire"))
    hidden = laboratories.get_by_role("link", name=HIDDEN)
    expect(hidden).to_have_count(1)
    expect(laboratories).not_to_contain_text("/ 100")
    expect(means.get_by_role("row", name=re.compile("^Profession : Officine"))) \
        .to_contain_text("/ 100")
    expect(page.get_by_role("img", name="Nombre de structures par niveau de maturité")) \
        .to_be_visible()
    notes = page.get_by_role("region", name="Cases masquées")
    # « moins de 11 » (a), and the tables' hidden counts (e) which may also be that.
    expect(notes.get_by_text(re.compile("moins de 11 structures"))).to_have_count(2)
    expect(notes.get_by_text(re.compile("ou masquée pour qu'on ne puisse pas la déduire "
                                        "des totaux"))).to_be_visible()
    expect(page.get_by_text("Membre 001")).to_have_count(0)  # never a name next to values
    assert_no_axe_violations(page, "federation-dashboard")
    target = hidden.first.get_attribute("href")
    hidden.first.click()
    expect(page).to_have_url(re.compile(f"{target}$"))
    expect(page.locator(target)).to_contain_text("moins de 11 structures")
    # The analyst never reaches a member's pages.
    response = page.goto(f"/o/{member.slug}/")
    assert response.status == 404

    # The responsable: who the members are, and the remote pages.
    use_session(context, live_server, people[Role.RESPONSABLE])
    page.goto(f"/o/{federation.slug}/")
    org_nav(page).get_by_role("link", name="Structures membres").click()
    expect(heading(page)).to_have_text("Structures membres")
    expect(page.get_by_text("17 structures membres.")).to_be_visible()
    members = page.get_by_role("table", name="Structures membres")
    expect(members.get_by_role("rowheader", name="Membre 001")).to_be_visible()
    assert_no_axe_violations(page, "federation-members")

    # A member's responsable: its place among the federation's anonymous figures.
    use_session(context, live_server, member_owner)
    page.goto(f"/o/{member.slug}/")
    org_nav(page).get_by_role("link", name="Mes fédérations").click()
    expect(heading(page)).to_have_text("Mes fédérations")
    place = page.get_by_role("region", name=NAME)
    expect(place.get_by_role("cell", name="34 / 100")).to_be_visible()
    expect(place.get_by_text("Votre niveau de maturité : initial.")).to_be_visible()
    expect(place.get_by_role("button", name=f"Quitter {NAME}")).to_be_visible()
    assert_no_axe_violations(page, "federation-mine")

    # Across servers, the structure's side: its public key and its signed file.
    identifier = signing.federation_identifier(federation)
    use_session(context, live_server, remote_owner)
    page.goto(f"/o/{remote.slug}/")
    org_nav(page).get_by_role("link", name="Mes fédérations").click()
    expect(page.get_by_text("Votre structure n'est membre d'aucune fédération.")) \
        .to_be_visible()
    page.get_by_role("link", name="Partager avec une fédération sur un autre serveur").click()
    expect(heading(page)).to_have_text("Partager avec une fédération sur un autre serveur")
    # Reading the page made no key: the structure asks for one.
    expect(page.locator("dd code")).to_have_count(0)
    page.get_by_role("button", name="Créer la clé de signature").click()
    expect(page.get_by_text(re.compile(r"^Votre clé de signature est prête"))).to_be_visible()
    public_key = page.locator("dd code").first.inner_text().strip()
    assert len(public_key) == 44
    expect(page.get_by_role("table", name=re.compile("^Les valeurs partagées"))) \
        .not_to_contain_text("Membre 040")
    assert_no_axe_violations(page, "federation-share")
    page.get_by_role("button", name="Télécharger le fichier signé").click()
    expect(page.get_by_text("Indiquez l'identifiant que la fédération vous a donné.")) \
        .to_be_visible()
    assert_no_axe_violations(page, "federation-share-error")
    page.get_by_label("Identifiant de la fédération").fill(identifier.lower())
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger le fichier signé").click()
    signed = download.value.path()
    content = Path(signed).read_bytes()
    assert b"Membre 040" not in content and remote.siret.encode() not in content

    # The federation's side: the structure added by its key, then its file imported.
    use_session(context, live_server, people[Role.RESPONSABLE])
    page.goto(f"/o/{federation.slug}/federation/membres/")
    page.get_by_role("link", name="Ajouter une structure d'un autre serveur").click()
    expect(heading(page)).to_have_text("Ajouter une structure d'un autre serveur")
    expect(page.get_by_text(identifier, exact=True)).to_be_visible()
    assert_no_axe_violations(page, "federation-remote-add")
    page.get_by_label("Nom dans votre liste").fill("Pharmacie du Port, Brest")
    page.get_by_label("Clé publique de la structure").fill(public_key)
    page.get_by_role("button", name="Ajouter la structure").click()
    expect(heading(page)).to_have_text("Importer des agrégats signés")
    expect(page.get_by_text(re.compile("^Pharmacie du Port, Brest est ajoutée"))) \
        .to_be_visible()
    expect(page.get_by_text("Aucun fichier importé pour l'instant.", exact=False)) \
        .to_be_visible()
    assert_no_axe_violations(page, "federation-import")
    page.get_by_role("button", name="Importer le fichier").click()
    expect(page.get_by_text("Choisissez le fichier reçu de la structure.")).to_be_visible()
    assert_no_axe_violations(page, "federation-import-error")
    page.get_by_label("Fichier d'agrégats signés (.json)").set_input_files(signed)
    page.get_by_role("button", name="Importer le fichier").click()
    expect(page.get_by_text(re.compile("^Les agrégats de Pharmacie du Port, Brest sont "
                                       "importés"))).to_be_visible()
    imports = page.get_by_role("table", name="Derniers imports")
    expect(imports.get_by_role("rowheader", name="Pharmacie du Port, Brest")).to_be_visible()
    assert_no_axe_violations(page, "federation-import-done")
    remote_member = FederationMember.objects.get(organisation=federation, member=None)
    assert remote_member.label == "Pharmacie du Port, Brest"
    assert Contribution.objects.get(federation_member=remote_member).values
