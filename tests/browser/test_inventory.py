"""The inventory in a real browser: an Active Directory export and an nmap scan imported
through the pages (with a hostile file refused first), the findings they raise, one of them
followed into the action plan and given an owner and a due date there, another accepted as a
risk then reopened. Every page the flow goes through is checked with axe-core, and a list is
walked with the keyboard. The files are the real fixtures of tests/inventory/files/parsers.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pharmagarde.actions.models import Action
from pharmagarde.core.models import Person, Role
from pharmagarde.inventory.models import Account, Device, Finding, ItemChange

from .axe import assert_no_axe_violations, serve_axe
from .helpers import make_member, make_pharmacy, use_session
from .test_keyboard import FOCUS_STYLE, contrast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILES = Path(__file__).resolve().parents[1] / "inventory" / "files" / "parsers"
AD_EXPORT = FILES / "get-aduser-fr-utf8bom.csv"
NMAP_SCAN = FILES / "scan-loopback.xml"
HOSTILE_XML = FILES / "hostile" / "xxe.xml"
AD_LOGINS = ["Administrateur", "Invité", "jdupont", "mlefevre", "fcaron", "svc-sauvegarde",
             "stagiaire"]
DEPARTED = "Des comptes de personnes parties sont encore actifs"
SHARED_ADMIN = "Des comptes administrateur sont partagés ou génériques"


def org_nav(page):
    return page.get_by_role("navigation", name="Sections de la structure")


def heading(page):
    return page.get_by_role("heading", level=1)


def upload(page, source, path):
    """The import page: choose the kind of file, give the file, read it."""
    page.get_by_label(source, exact=True).check()
    page.get_by_label(re.compile(r"^Fichier\b")).set_input_files(str(path))
    page.get_by_role("button", name="Lire le fichier").click()


FOCUSED_NAME = """() => {
    const el = document.activeElement;
    const label = el.labels && el.labels[0];
    return [el.tagName.toLowerCase(),
            el.getAttribute("aria-label") || (label ? label.textContent : el.textContent).trim()];
}"""


def tab_through(page, limit=150):
    """Press Tab until the focus leaves the page: what it reached, as (tag, name), and the
    focused controls without a visible ring (WCAG 2.4.7, 1.4.11)."""
    reached, problems = [], []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            break
        reached.append(tuple(page.evaluate(FOCUSED_NAME)))
        focus = page.evaluate(FOCUS_STYLE)
        if focus["style"] == "none" or focus["width"] < 2:
            problems.append(f"{page.url}: no focus ring: {focus['element']}")
        elif (ratio := contrast(focus["color"], focus["background"])) < 3:
            problems.append(f"{page.url}: focus ring contrast {ratio:.1f}:1: {focus['element']}")
    return reached, problems


def findings_row(page, title):
    table = page.get_by_role("table", name="Constats")
    return table.get_by_role("row").filter(has=page.get_by_text(title, exact=True))


def test_it_imports_an_ad_export_and_a_scan_then_handles_the_findings(page, context,
                                                                       live_server):
    serve_axe(context, live_server.url)
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    alpha = make_pharmacy("Pharmacie Centrale", "centrale", size_band="1-9")
    alice = make_member("alice@centrale.example", alpha, Role.RESPONSABLE, with_mfa=True)
    today = timezone.localdate()
    marie = Person.objects.create(organisation=alpha, first_name="Marie", last_name="Lefèvre",
                                  email="mlefevre@pharmacie-centrale.fr", job="Adjointe",
                                  departure_date=today - datetime.timedelta(days=20))
    paul = Person.objects.create(organisation=alpha, first_name="Paul", last_name="Martin",
                                 job="Préparateur")
    use_session(context, live_server, alice)

    # The inventory, reached through the navigation: empty for now.
    page.goto("/o/centrale/")
    org_nav(page).get_by_role("link", name="Inventaire", exact=True).click()
    expect(heading(page)).to_have_text("Inventaire")
    expect(page.get_by_text("Aucun constat ouvert pour l'instant.")).to_be_visible()
    counts = page.get_by_role("table", name="Éléments inscrits")
    counts.get_by_role("link", name="Comptes", exact=True).click()
    expect(heading(page)).to_have_text("Comptes")
    expect(page.get_by_text("Inscrivez les comptes de la structure")).to_be_visible()
    assert_no_axe_violations(page, "inventory-list-empty")

    # A hostile file is refused, in French, next to the form that is still there.
    page.get_by_role("link", name="← Inventaire").click()
    page.get_by_role("link", name="Importer un export Active Directory ou un scan nmap").click()
    expect(heading(page)).to_have_text("Importer dans l'inventaire")
    with page.expect_response(lambda r: r.request.method == "POST") as refused:
        upload(page, "Scan nmap", HOSTILE_XML)
    assert refused.value.status == 422
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Ce fichier ne peut pas être importé")
    expect(alert).to_contain_text("Rien n'a été enregistré.")
    assert_no_axe_violations(page, "inventory-import-error")

    # The AD export: a preview first, where Marie's account is matched with her; nothing
    # is written before the confirmation.
    upload(page, "Export Active Directory", AD_EXPORT)
    expect(heading(page)).to_have_text("Vérifier l'import")
    expect(page.get_by_text(re.compile(r"^7 élément\(s\) à ajouter, 0 à mettre à jour\."))) \
        .to_be_visible()
    content = page.get_by_role("table", name="Contenu du fichier")
    expect(content.get_by_role("rowheader")).to_have_text(AD_LOGINS)
    marie_row = content.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="mlefevre", exact=True))
    expect(marie_row).to_contain_text("Marie Lefèvre")
    assert not Account.objects.exists()
    assert_no_axe_violations(page, "inventory-import-preview")
    page.get_by_role("button", name="Confirmer l'import").click()

    expect(heading(page)).to_have_text("Comptes")
    expect(page.get_by_role("status")).to_contain_text("Import terminé : 7 ajouté(s), 0 mis à "
                                                       "jour.")
    accounts = page.get_by_role("table", name="7 éléments")
    expect(accounts.get_by_role("rowheader")).to_have_count(7)
    assert Account.objects.get(organisation=alpha, login="mlefevre").holder == marie
    assert_no_axe_violations(page, "inventory-list-accounts")

    # One account's form: the « Je ne sais pas / Oui / Non » questions, then its history.
    accounts.get_by_role("link", name="mlefevre", exact=True).click()
    expect(heading(page)).to_have_text(re.compile("mlefevre"))
    mfa = page.get_by_role("group", name=re.compile(r"^double authentification", re.I))
    expect(mfa.get_by_role("radio")).to_have_count(3)
    expect(mfa.get_by_label("Je ne sais pas")).to_be_checked()
    assert_no_axe_violations(page, "inventory-item-form")
    assert not tab_through(page)[1]
    mfa.get_by_label("Non", exact=True).check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("est enregistré")
    page.get_by_role("link", name="mlefevre", exact=True).click()
    page.get_by_role("link", name="Voir l'historique des changements").click()
    expect(heading(page)).to_have_text(re.compile(r"^Historique de .*mlefevre"))
    change = page.get_by_role("table", name="Champs modifiés").first
    expect(change.get_by_role("row").filter(has_text="Double authentification")) \
        .to_contain_text("Non")
    assert ItemChange.objects.filter(organisation=alpha, item_type="account").count() == 8
    assert_no_axe_violations(page, "inventory-item-history")

    # The nmap scan, the same way.
    org_nav(page).get_by_role("link", name="Inventaire", exact=True).click()
    page.get_by_role("link", name="Importer un export Active Directory ou un scan nmap").click()
    upload(page, "Scan nmap", NMAP_SCAN)
    expect(heading(page)).to_have_text("Vérifier l'import")
    expect(page.get_by_text(re.compile(r"port\(s\) ouvert\(s\) relevé\(s\)"))).to_be_visible()
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(heading(page)).to_have_text("Appareils")
    devices = Device.objects.filter(organisation=alpha)
    assert devices.exists()
    expect(page.get_by_role("table", name=re.compile(r"^\d+ éléments?$"))
           .get_by_role("rowheader")).to_have_count(devices.count())

    # The overview now lists the findings; all of them on the findings page.
    org_nav(page).get_by_role("link", name="Inventaire", exact=True).click()
    expect(page.get_by_role("table", name="Constats les plus graves")).to_contain_text(DEPARTED)
    assert_no_axe_violations(page, "inventory-home")
    page.get_by_role("link", name="Voir tous les constats").click()
    expect(heading(page)).to_have_text("Constats de l'inventaire")
    departed = findings_row(page, DEPARTED)
    expect(departed).to_have_count(1)
    expect(departed).to_contain_text("Critique")
    expect(departed).to_contain_text("mlefevre")
    expect(departed).to_contain_text("Marie Lefèvre a quitté la structure le")
    departed.get_by_text(DEPARTED, exact=True).click()  # the <details> opens
    expect(departed.get_by_text("Que faire :")).to_be_visible()
    assert_no_axe_violations(page, "inventory-findings")

    # The finding is an action of the plan, from the inventory: given an owner and a date.
    org_nav(page).get_by_role("link", name="Plan d'action").click()
    page.get_by_label("Origine").select_option(label="Inventaire")
    page.get_by_role("button", name="Appliquer").click()
    rules = set(Finding.objects.filter(organisation=alpha, status=Finding.Status.OPEN)
                .values_list("rule", flat=True))
    plan = page.get_by_role("table", name=f"{len(rules)} actions")
    expect(plan).to_be_visible()
    plan.get_by_role("link", name=DEPARTED).click()
    expect(heading(page)).to_have_text(DEPARTED)
    expect(page.get_by_text("Inventaire", exact=True).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^mlefevre .*Marie Lefèvre a quitté la structure le"))) \
        .to_be_visible()
    due = today + datetime.timedelta(days=7)
    page.get_by_label("Responsable de l'action").select_option(label="Paul Martin (Préparateur)")
    page.get_by_label("Échéance").fill(due.isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    expect(heading(page)).to_have_text("Plan d'action")
    action = Action.objects.get(organisation=alpha, source="inventaire",
                                source_key="compte-parti-actif")
    assert (action.owner, action.due_date) == (paul, due)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=DEPARTED))
    expect(row).to_contain_text("Paul Martin")

    # Another finding accepted as a risk: the form refuses an empty reason first.
    org_nav(page).get_by_role("link", name="Inventaire", exact=True).click()
    page.get_by_role("link", name="Voir tous les constats").click()
    shared = findings_row(page, SHARED_ADMIN)
    expect(shared).to_have_count(1)
    expect(shared).to_contain_text("Administrateur")
    shared.get_by_role("link", name=re.compile(r"^Accepter le risque")).click()
    expect(heading(page)).to_have_text("Accepter un risque")
    page.get_by_role("button", name="Accepter le risque").click()
    reason = page.get_by_label("Pourquoi ce risque est-il accepté ?")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description("Ce champ est obligatoire.")
    expect(page.get_by_label("Jusqu'à quand ?")).to_have_accessible_description(
        re.compile(r"^Le constat revient à cette date\. Un an au plus\. Ce champ est obligatoire"))
    assert_no_axe_violations(page, "inventory-accept-errors")
    until = today + datetime.timedelta(days=90)
    reason.fill("Compte intégré du domaine, gardé par le prestataire le temps de la migration.")
    page.get_by_label("Qui en répond ?").select_option(label="Paul Martin")
    page.get_by_label("Jusqu'à quand ?").fill(until.isoformat())
    page.get_by_role("button", name="Accepter le risque").click()
    expect(heading(page)).to_have_text("Constats de l'inventaire")
    expect(page.get_by_role("status")).to_contain_text(
        f"Le risque est accepté jusqu'au {until:%d/%m/%Y}.")
    expect(findings_row(page, SHARED_ADMIN)).to_have_count(0)
    # An accepted risk leaves the plan until its date (or until it is reopened).
    in_plan = Action.objects.filter(organisation=alpha, source="inventaire",
                                    source_key="admin-partage", resolved_at_source=False)
    assert not in_plan.exists()

    statuses = page.get_by_role("navigation", name="Statut des constats")
    expect(statuses.get_by_role("link", name="Ouverts")).to_have_attribute("aria-current", "page")
    statuses.get_by_role("link", name="Risques acceptés").click()
    expect(statuses.get_by_role("link", name="Risques acceptés")) \
        .to_have_attribute("aria-current", "page")
    accepted = findings_row(page, SHARED_ADMIN)
    expect(accepted).to_have_count(1)
    expect(accepted).to_contain_text(f"Accepté jusqu'au {until:%d/%m/%Y} (Paul Martin)")
    assert_no_axe_violations(page, "inventory-findings-accepted")
    assert not tab_through(page)[1]
    accepted.get_by_role("button", name="Rouvrir : Administrateur (Windows ou Active Directory)",
                         exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Le constat est rouvert.")
    expect(findings_row(page, SHARED_ADMIN)).to_have_count(1)
    assert in_plan.exists()
    assert Finding.objects.get(organisation=alpha, rule="admin-partage").status == "open"

    csp = [e for e in console_errors if "Content Security Policy" in e]
    assert not csp and not page.csp_violations, csp + page.csp_violations


def test_a_list_is_usable_with_the_keyboard_alone(page, context, live_server):
    alpha = make_pharmacy("Pharmacie Centrale", "centrale")
    alice = make_member("alice@centrale.example", alpha, Role.RESPONSABLE, with_mfa=True)
    for login, admin in [("jlemaire", True), ("mlefevre", False), ("accueil", False)]:
        Account.objects.create(organisation=alpha, login=login, is_admin=admin)
    use_session(context, live_server, alice)
    page.goto("/o/centrale/inventaire/comptes/")
    expect(page.get_by_role("table", name="3 éléments")).to_be_visible()

    reached, problems = tab_through(page)
    assert not problems, "\n".join(problems)
    expected = [("input", "Rechercher"), ("select", "Système"), ("select", "Administrateur"),
                ("select", "Actif"), ("select", "Double authentification"),
                ("button", "Appliquer")]
    expected += [("a", f"{label} — trier") for label in (
        "Identifiant", "Système", "Personne", "Administrateur", "Double authentification",
        "Actif", "Dernière utilisation")]
    for login in ("accueil", "jlemaire", "mlefevre"):
        expected += [("input", f"Sélectionner {login} (Windows ou Active Directory)"),
                     ("a", login), ("a", f"Historique : {login} (Windows ou Active Directory)")]
    expected += [("select", "Pour les éléments cochés"), ("button", "Appliquer")]
    # In this order, possibly with other controls in between (the header, the navigation).
    remaining = iter(reached)
    for wanted in expected:
        assert wanted in remaining, (wanted, reached)

    # A filter and the search, sent from the keyboard (Enter in the search box).
    page.get_by_label("Administrateur", exact=True).select_option(label="Non")
    search = page.get_by_role("searchbox", name="Rechercher")
    search.focus()
    page.keyboard.type("e")
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name="2 éléments").get_by_role("rowheader")) \
        .to_have_text(["accueil", "mlefevre"])
    # A sort link, followed with Enter: the column says how it is sorted, and the sort keeps
    # the search and the filter.
    for order, logins in [("ascending", ["accueil", "mlefevre"]),
                          ("descending", ["mlefevre", "accueil"])]:
        page.get_by_role("link", name="Identifiant — trier").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("columnheader", name="Identifiant — trier")) \
            .to_have_attribute("aria-sort", order)
        expect(page.get_by_role("table", name="2 éléments").get_by_role("rowheader")) \
            .to_have_text(logins)
        expect(search).to_have_value("e")
        expect(page.get_by_label("Administrateur", exact=True)).to_have_value("false")
    assert not page.csp_violations, page.csp_violations
