"""Audit packs in a real browser (issue 14): the responsable of an officine opens « Dossiers
de preuves » from the navigation and asks for the « État de la sécurité » pack. The tasks
go through the database queue, as in production: the pack's page shows it waiting with its
progress bar, a worker run from the test builds it, and the page (polling by itself) turns
into the links; the PDF is downloaded and read back. Then the « Aperçu » page, and the
plan's approval by the management (NIS2 art. 20), recorded and listed. axe-core on each
page, under the real CSP."""

import datetime
import re

import pytest
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from pharmagarde.actions.models import Action
from pharmagarde.core.models import Role
from pharmagarde.reports.models import Pack, SignOff

from .axe import assert_no_axe_violations, serve_axe
from .helpers import make_member, make_pharmacy, use_session
from .test_inventory import heading, org_nav
from .test_privacy import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GENERAL = "État de la sécurité"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """What `manage.py db_worker --batch` does, without taking over the test's signals."""
    Worker(queue_names=["default"], interval=0.1, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id="browser-test",
           excluded_queue_names=[]).run()


def test_a_responsable_generates_a_pack_previews_it_and_approves_the_plan(
        page, context, live_server, settings):
    serve_axe(context, live_server.url)
    settings.TASKS = DATABASE_TASKS
    pharmacy = make_pharmacy("Pharmacie des Remparts", "remparts", size_band="1-9")
    alice = make_member("alice@remparts.example", pharmacy, Role.RESPONSABLE, with_mfa=True)
    soon = timezone.localdate() + datetime.timedelta(days=20)
    for title in ("Activer la double authentification sur la messagerie",
                  "Tester la restauration de la sauvegarde"):
        Action.objects.create(organisation=pharmacy, title=title, due_date=soon)
    use_session(context, live_server, alice)

    page.goto("/o/remparts/")
    org_nav(page).get_by_role("link", name="Dossiers de preuves").click()
    expect(heading(page)).to_have_text("Dossiers de preuves")
    general = page.get_by_role("region", name=GENERAL)
    expect(general.get_by_text("Aucun dossier pour l'instant.")).to_be_visible()
    assert_no_axe_violations(page, "reports-home")

    # Asked: queued in the database, its page shows the wait and the progress bar.
    general.get_by_role("button", name=f"Générer — {GENERAL}").click()
    expect(heading(page)).to_have_text(GENERAL)
    expect(page.get_by_text("En attente", exact=True)).to_be_visible()
    expect(page.get_by_role("progressbar", name="Avancement du dossier")).to_be_visible()
    assert_no_axe_violations(page, "reports-pack-queued")
    pack = Pack.objects.get(organisation=pharmacy)
    assert pack.status == Pack.Status.QUEUED and pack.regime == "general"

    # The worker builds it; the page, polling every 2 s, turns into the links by itself.
    run_worker()
    pack.refresh_from_db()
    assert pack.status == Pack.Status.DONE, pack.error
    expect(page.get_by_text("Le dossier est prêt.")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(page.get_by_role("link", name="Télécharger le document Word (modifiable)")) \
        .to_be_visible()
    expect(page.get_by_role("link", name="Télécharger les données (Excel)")).to_be_visible()
    assert_no_axe_violations(page, "reports-pack-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    text = pdf_text(path)
    assert "Pharmacie des Remparts" in text and GENERAL in text
    assert "Activer la double authentification sur la messagerie" in text
    assert download.value.suggested_filename == f"dossier-general-{pack.as_of}.pdf"

    # The preview: the same content as a page, with today's data.
    page.get_by_role("link", name="Aperçu du contenu avec les données d'aujourd'hui").click()
    expect(heading(page)).to_have_text(re.compile(f"^Aperçu — .*{GENERAL}"))
    expect(page.get_by_role("navigation", name="Sommaire")).to_be_visible()
    expect(page.get_by_text("Activer la double authentification sur la messagerie").first) \
        .to_be_visible()
    assert_no_axe_violations(page, "reports-preview")

    # The management approves the plan; the approval is listed, here and on the home page.
    page.get_by_role("link", name="Dossiers de preuves").first.click()
    page.get_by_role("link", name="Approuver le plan d'action").click()
    expect(heading(page)).to_have_text("Approbation du plan par la direction")
    expect(page.get_by_text("2 actions au total.")).to_be_visible()
    expect(page.get_by_text("Aucune approbation pour l'instant.")).to_be_visible()
    assert_no_axe_violations(page, "reports-signoff")
    # Without the confirmation: refused next to the box, nothing recorded.
    page.get_by_role("button", name="Enregistrer l'approbation").click()
    expect(page.get_by_text("Cochez la case pour confirmer l'approbation.")).to_be_visible()
    assert not SignOff.objects.exists()
    assert_no_axe_violations(page, "reports-signoff-error")
    page.get_by_label("Commentaire").fill("Budget accordé pour la double authentification.")
    page.get_by_label("J'approuve ce plan d'action au nom de la direction.").check()
    page.get_by_role("button", name="Enregistrer l'approbation").click()
    expect(page.get_by_text("L'approbation du plan est enregistrée.")).to_be_visible()
    history = page.get_by_role("region", name="Approbations précédentes").get_by_role("table")
    expect(history.get_by_role("row")).to_have_count(2)
    expect(history).to_contain_text("Budget accordé pour la double authentification.")
    assert_no_axe_violations(page, "reports-signoff-recorded")
    signoff = SignOff.objects.get(organisation=pharmacy)
    assert signoff.approved_by == alice and len(signoff.plan_summary["open"]) == 2
    page.get_by_role("link", name="Dossiers de preuves").first.click()
    expect(page.get_by_text(re.compile(r"^Dernière approbation le \d\d/\d\d/\d{4}, par")))\
        .to_be_visible()
