"""Business continuity in a real browser (issue 12): the responsable of an officine opens
« Continuité d'activité » from the navigation, the plan prefilled on the first visit,
completes one activity (a missing line goes away), downloads the degraded-mode kit, logs a
restore test of the inventory's backup (a future date refused first) and sees its status
and trend, then runs a short crisis exercise (two stimuli released with htmx, a decision,
the debrief with a finding), reads its report and finds the finding in the action plan.
Every page the flow goes through is checked with axe-core, under the real CSP."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pharmagarde.actions.models import Action
from pharmagarde.continuity.models import ContinuityPlan, Exercise, RestoreTest
from pharmagarde.core.models import Role
from pharmagarde.inventory.models import Backup, Device

from .axe import assert_no_axe_violations, serve_axe
from .helpers import make_member, make_pharmacy, use_session
from .test_inventory import heading, org_nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISPENSING = "Dispensation des ordonnances et conseil au comptoir"
NO_DEPENDENCY = f"« {DISPENSING} » : aucune dépendance n'est nommée"
SCENARIO = "Faux changement de RIB et appel du « président »"
FINDING = "Afficher au bureau la règle du contre-appel avant tout changement de RIB"


def stimulus(page, words):
    return page.get_by_role("listitem").filter(has_text=words)


def test_the_plan_the_kit_a_restore_test_and_an_exercise(page, context, live_server):
    serve_axe(context, live_server.url)
    pharmacy = make_pharmacy("Pharmacie des Tilleuls", "tilleuls", size_band="1-9")
    alice = make_member("alice@tilleuls.example", pharmacy, Role.RESPONSABLE, with_mfa=True)
    Device.objects.create(organisation=pharmacy, name="Comptoir 1",
                          kind=Device.Kind.WORKSTATION)
    backup = Backup.objects.create(organisation=pharmacy, what="Base du LGO",
                                   where="NAS du bureau", frequency="Chaque nuit")
    use_session(context, live_server, alice)

    # Reached from the navigation.
    page.goto("/o/tilleuls/")
    org_nav(page).get_by_role("link", name="Continuité d'activité").click()
    expect(heading(page)).to_have_text("Continuité d'activité")
    assert_no_axe_violations(page, "continuity-home")

    # The plan, prefilled with the officine's activities on this first visit.
    page.get_by_role("link", name="Le plan de continuité").click()
    expect(heading(page)).to_have_text("Plan de continuité d'activité")
    activities = page.get_by_role("table", name=re.compile("Activités critiques"))
    expect(activities.get_by_role("link", name=DISPENSING)).to_be_visible()
    expect(page.get_by_text(NO_DEPENDENCY)).to_be_visible()
    assert ContinuityPlan.objects.filter(organisation=pharmacy).exists()
    assert_no_axe_violations(page, "continuity-plan")

    # One activity completed: its durations and the device it needs.
    activities.get_by_role("link", name=DISPENSING).click()
    expect(heading(page)).to_have_text(f"Modifier {DISPENSING}")
    assert_no_axe_violations(page, "continuity-activity-form")
    page.get_by_label(re.compile(r"^interruption maximale admissible")).fill("2")
    page.get_by_label(re.compile(r"^perte de données maximale admissible")).fill("12")
    page.get_by_role("group", name="Appareils nécessaires").get_by_label("Comptoir 1").check()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text(f"Activité enregistrée : {DISPENSING}.")).to_be_visible()
    expect(page.get_by_text(NO_DEPENDENCY)).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile(DISPENSING))).to_contain_text("2 h")

    # The kit: the page, then the PDF to print, which marks the plan's kit as printed.
    page.get_by_role("link", name="Voir le kit").click()
    expect(heading(page)).to_be_visible()
    assert_no_axe_violations(page, "continuity-kit")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le kit à imprimer (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    page.get_by_role("link", name="Plan de continuité", exact=True).click()
    expect(page.get_by_text(re.compile(r"Imprimé le .*\s;\sle plan n'a pas changé depuis\.")))\
        .to_be_visible()
    expect(page.get_by_text("Le kit du mode dégradé n'a jamais été imprimé.")).to_have_count(0)
    assert_no_axe_violations(page, "continuity-plan-kit-printed")

    # A restore test of the inventory's backup: a future date is refused first.
    page.get_by_role("link", name="Continuité d'activité", exact=True).first.click()
    page.get_by_role("link", name="Les sauvegardes et leurs tests").click()
    expect(heading(page)).to_have_text("Sauvegardes et tests de restauration")
    assert_no_axe_violations(page, "continuity-backups")
    page.get_by_role("link", name="Base du LGO").click()
    expect(heading(page)).to_have_text("Sauvegarde : Base du LGO")
    expect(page.get_by_text("Jamais testée").first).to_be_visible()
    assert_no_axe_violations(page, "continuity-backup-untested")
    today = timezone.localdate()
    page.get_by_label(re.compile(r"^Date du test")).fill(
        (today + datetime.timedelta(days=2)).isoformat())
    page.get_by_label(re.compile(r"^Durée de la restauration")).fill("45")
    page.get_by_label("Réussi").check()
    page.get_by_label(re.compile(r"^Activité concernée")).select_option(label=DISPENSING)
    with page.expect_response(lambda r: r.request.method == "POST") as refused:
        page.get_by_role("button", name="Enregistrer le test").click()
    assert refused.value.status == 422
    expect(page.get_by_text("Cette date est dans le futur")).to_be_visible()
    assert not RestoreTest.objects.exists()
    assert_no_axe_violations(page, "continuity-restore-form-errors")
    page.get_by_label(re.compile(r"^Date du test")).fill(
        (today - datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Enregistrer le test").click()
    expect(heading(page)).to_have_text(re.compile(r"^Test de restauration du "))
    expect(page.get_by_text("Réussi : tout est revenu")).to_be_visible()
    assert_no_axe_violations(page, "continuity-restore-detail")
    page.get_by_role("link", name="Base du LGO").click()
    expect(page.get_by_role("heading", name=re.compile("État des tests"))).to_contain_text(
        "À jour")
    trend = page.get_by_role("table", name="Durée de chaque test, du plus ancien au plus "
                                           "récent")
    expect(trend).to_contain_text("45 min")
    expect(trend).to_contain_text(DISPENSING)
    expect(page.get_by_role("figure")).to_be_visible()
    backup.refresh_from_db()
    assert backup.last_restore_test == today - datetime.timedelta(days=1)
    assert_no_axe_violations(page, "continuity-backup-tested")

    # A short exercise from the library, started, two stimuli released live (htmx).
    page.get_by_role("link", name="Continuité d'activité", exact=True).first.click()
    page.get_by_role("link", name="Les scénarios").click()
    expect(heading(page)).to_have_text("Scénarios d'exercice de crise")
    assert_no_axe_violations(page, "continuity-scenarios")
    page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=SCENARIO)).get_by_role(
        "link", name="Préparer cet exercice").click()
    expect(heading(page)).to_have_text("Préparer un exercice")
    assert_no_axe_violations(page, "continuity-exercise-new")
    page.get_by_label(re.compile(r"^Participants et rôles")).fill(
        "Alice, titulaire, anime\nBruno, comptabilité\nChloé, collègue")
    page.get_by_role("button", name="Préparer l'exercice").click()
    expect(heading(page)).to_have_text(SCENARIO)
    assert_no_axe_violations(page, "continuity-exercise-prepared")
    page.get_by_role("button", name="Démarrer l'exercice").click()
    expect(page.get_by_text("En cours", exact=True)).to_be_visible()
    running_url = page.url
    assert_no_axe_violations(page, "continuity-exercise-running")
    page.evaluate("() => { window.notReloaded = true; }")
    journal = page.get_by_role("list", name="Journal de l'exercice")
    for words in ["Suite à un changement de banque", "Je vous appelle pour le nouveau RIB"]:
        stimulus(page, words).get_by_role("button", name="Diffuser").click()
        expect(stimulus(page, words).get_by_text(re.compile(r"^Diffusé à \d\d:\d\d$")))\
            .to_be_visible()
        expect(journal.get_by_role("listitem").filter(has_text=words)).to_have_count(1)
    assert page.url == running_url
    assert page.evaluate("() => window.notReloaded === true"), "the page was reloaded"
    exercise = Exercise.objects.get(organisation=pharmacy)
    assert exercise.events.filter(kind="stimulus").count() == 2
    assert_no_axe_violations(page, "continuity-exercise-released")

    # A decision noted, then the debrief with a finding.
    page.get_by_label("Une décision").check()
    page.get_by_label(re.compile(r"^Ce qui a été décidé ou observé")).fill(
        "Ne rien payer avant d'avoir rappelé le fournisseur au numéro habituel.")
    page.get_by_role("button", name="Noter au journal").click()
    expect(page.get_by_text("Noté au journal.")).to_be_visible()
    expect(page.get_by_role("list", name="Journal de l'exercice")).to_contain_text(
        "Ne rien payer avant d'avoir rappelé le fournisseur")
    assert_no_axe_violations(page, "continuity-exercise-noted")
    page.get_by_role("link", name="Terminer l'exercice : le retour d'expérience").click()
    expect(heading(page)).to_have_text("Le retour d'expérience")
    assert_no_axe_violations(page, "continuity-exercise-finish")
    page.get_by_label(re.compile(r"^Ce qu'il faut améliorer")).fill(FINDING)
    page.get_by_role("button", name="Terminer l'exercice").click()
    expect(page.get_by_text("Exercice terminé.", exact=False)).to_be_visible()
    expect(page.get_by_text("Terminé", exact=True).first).to_be_visible()
    assert_no_axe_violations(page, "continuity-exercise-done")

    # The report shows the finding.
    page.get_by_role("link", name="Le rapport de l'exercice").click()
    expect(heading(page)).to_have_text(f"Rapport d'exercice : {SCENARIO}")
    expect(page.get_by_text(FINDING)).to_be_visible()
    assert_no_axe_violations(page, "continuity-exercise-report")

    # And the finding is an action of the plan, filtered by its origin.
    org_nav(page).get_by_role("link", name="Plan d'action").click()
    filters = page.get_by_role("search", name="Filtrer les actions")
    filters.get_by_label("Origine").select_option(label="Continuité d'activité")
    filters.get_by_role("button", name="Appliquer").click()
    expect(page).to_have_url(re.compile(r"source=continuite"))
    expect(page.get_by_text(FINDING).first).to_be_visible()
    assert Action.objects.filter(organisation=pharmacy, source="continuite",
                                 title=FINDING).exists()
    assert_no_axe_violations(page, "continuity-action-plan-filtered")
