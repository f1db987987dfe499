"""Across my organisations in a real browser (issue 14): an IT provider, member of three
organisations, opens « Toutes mes structures », follows a line into one of them, then
assigns a module to the staff of two of them (preview, then confirmation). axe-core on
each page, under the real CSP."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pharmagarde.actions.models import Action
from pharmagarde.awareness.models import Assignment
from pharmagarde.core.models import Membership, Person, Role

from .axe import assert_no_axe_violations, serve_axe
from .helpers import make_member, make_pharmacy, use_session
from .test_inventory import heading

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_opens_their_organisations_and_assigns_a_module_to_two(
        page, context, live_server):
    serve_axe(context, live_server.url)
    halles = make_pharmacy("Pharmacie des Halles", "halles")
    gare = make_pharmacy("Pharmacie de la Gare", "gare", siret="81234567800013")
    labo = make_pharmacy("Laboratoire du Port", "port", kind="lbm", siret="82345678900010")
    provider = make_member("prestataire@example.fr", halles, Role.REFERENT, with_mfa=True)
    Membership.objects.create(organisation=gare, user=provider, role=Role.REFERENT)
    Membership.objects.create(organisation=labo, user=provider, role=Role.AUDITEUR)
    Action.objects.create(organisation=gare, title="Changer le mot de passe du Wi-Fi",
                          due_date=timezone.localdate() - datetime.timedelta(days=4))
    for organisation in (halles, gare):
        for first_name in ("Léa", "Hugo"):
            Person.objects.create(organisation=organisation, first_name=first_name,
                                  last_name="Martin", email=f"{first_name}@{organisation.slug}.fr")
    use_session(context, live_server, provider)

    page.goto("/mes-structures/")
    expect(heading(page)).to_have_text("Toutes mes structures")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(4)
    # The most urgent first: the one with an overdue action.
    expect(table.get_by_role("row").nth(1)).to_contain_text("Pharmacie de la Gare")
    expect(table.get_by_role("row").nth(1)).to_contain_text("1 action en retard")
    assert_no_axe_violations(page, "portfolio")

    table.get_by_role("link", name="1 action en retard").click()
    expect(page).to_have_url(re.compile(r"/o/gare/plan/\?overdue=on$"))
    expect(page.get_by_text("Changer le mot de passe du Wi-Fi")).to_be_visible()

    page.goto("/mes-structures/")
    page.get_by_role("link", name="Assigner un module à plusieurs structures").click()
    expect(heading(page)).to_have_text("Assigner un module à plusieurs structures")
    page.get_by_label("Module").select_option(label="Hameçonnage et faux appels")
    structures = page.get_by_role("group", name="Structures")
    # The laboratory, where the provider is auditor, is not offered.
    expect(structures.get_by_role("checkbox")).to_have_count(2)
    structures.get_by_label("Pharmacie des Halles").check()
    structures.get_by_label("Pharmacie de la Gare").check()
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.get_by_role("heading", name=re.compile("Aperçu"))).to_be_visible()
    expect(page.get_by_text("2 nouvelles assignations.")).to_have_count(2)
    assert_no_axe_violations(page, "bulk-assign-preview")
    assert not Assignment.objects.exists()

    page.get_by_role("button", name="Confirmer l'assignation").click()
    expect(heading(page)).to_contain_text("Assignation de")
    expect(page.get_by_role("status")).to_contain_text(
        "4 formations assignées dans 2 structures.")
    assert_no_axe_violations(page, "bulk-assign-result")
    assert Assignment.objects.filter(organisation=halles).count() == 2
    assert Assignment.objects.filter(organisation=gare).count() == 2
    assert not Assignment.objects.filter(organisation=labo).exists()
