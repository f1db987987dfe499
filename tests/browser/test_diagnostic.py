"""The diagnostic in a real browser: a full officine assessment answered through the theme
pages (htmx autosave), its results (score, level, radar chart, priority measures, questions
for the IT provider) and the action plan it fills; resuming later; two people answering the
same question at once.

The answers are chosen by the test from the packaged referential, so the test follows the
content: which questions are shown is computed with the application's own rule
(scoring.is_visible) and checked against the page at every step.
"""

import re

import pytest
from playwright.sync_api import expect

from pharmagarde.actions.models import Action
from pharmagarde.core.models import Role
from pharmagarde.diagnostic import services
from pharmagarde.diagnostic.models import Answer, Assessment
from pharmagarde.diagnostic.scoring import AnswerValue, is_visible

from .axe import assert_no_axe_violations, serve_axe
from .conftest import TIMEOUT_MS
from .helpers import make_member, make_pharmacy, use_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DONT_KNOW = "Je ne sais pas"
# "Je ne sais pas" for a few questions (one of them a multiple-choice question): they must
# come back as questions for the IT provider.
DONT_KNOW_IDS = ("sauv-hors-ligne", "cpt-admin", "res-passerelle", "rgpd-sous-traitants")
# Answers that open conditional questions (the gates of Wi-Fi, cameras and web site, then
# nomade-*, rgpd-video-regles, off-wifi-clients on a later theme) or keep some closed (the
# turnover gate keeps rgpd-dpo-officine and rgpd-aipd-officine hidden).
FORCED_CHOICES = {"nomade-protection": "code", "rgpd-video": "oui-sans", "res-wifi": "faible",
                  "res-wifi-present": "oui", "rgpd-video-cameras": "oui", "web-site": "oui",
                  "rgpd-ca-officine": "non"}
# A multiple-choice question where an exclusive choice ("Aucune…") unticks the one before.
EXCLUSIVE_AFTER = "poste-socle"


def org_nav(page):
    return page.get_by_role("navigation", name="Sections de la structure")


def question_region(page, question):
    return page.get_by_role("region", name=question.text, exact=True)


def plan_clicks(question, index):
    """The labels to click, in order, and the answer they leave."""
    labels = {c.id: c.label for c in question.choices}
    if question.id in DONT_KNOW_IDS:
        return [DONT_KNOW], AnswerValue((), True)
    if question.kind == "multiple":
        plain = [c for c in question.choices if not c.exclusive]
        if question.id == EXCLUSIVE_AFTER:
            exclusive = next(c for c in question.choices if c.exclusive)
            return [plain[0].label, exclusive.label], AnswerValue((exclusive.id,))
        return [plain[0].label, plain[1].label], AnswerValue((plain[0].id, plain[1].id))
    choice_id = FORCED_CHOICES.get(question.id) or \
        question.choices[index % len(question.choices)].id
    return [labels[choice_id]], AnswerValue((choice_id,))


def click_and_save(page, assessment, region, label, revision):
    """Click a choice's label; wait for the autosave and its out-of-band updates."""
    with page.expect_response(lambda r: r.request.method == "POST"
                              and f"/diagnostic/{assessment.pk}/reponse/" in r.url) as saved:
        region.get_by_text(label, exact=True).click()
    assert saved.value.status == 200, f"{label}: the save answered {saved.value.status}"
    # The revision is swapped in by the same response as the status: once it is there, the
    # next click on this question starts from the saved answer.
    expect(region.locator("input[name=revision]")).to_have_value(str(revision))
    status = region.get_by_role("status").filter(has_text="Enregistré")
    expect(status).to_have_count(1)
    return status


def answer_theme(page, assessment, theme, planned, visible_ids, index):
    """Answer every question of the theme page, in order. Returns the next question index."""
    for question in theme.questions:
        region = question_region(page, question)
        if not is_visible(question, planned, visible_ids):
            expect(region).to_have_count(0)
            continue
        visible_ids.add(question.id)
        expect(region).to_be_visible()
        clicks, value = plan_clicks(question, index)
        index += 1
        children = [q for q in theme.questions if q.show_if_question == question.id]
        for child in children:
            expect(question_region(page, child)).to_have_count(0)
        for revision, label in enumerate(clicks, start=1):
            status = click_and_save(page, assessment, region, label, revision)
        planned[question.id] = value
        for choice in question.choices:
            box = region.get_by_label(choice.label, exact=True)
            if choice.id in value.choice_ids:
                expect(box).to_be_checked()
            else:
                expect(box).not_to_be_checked()
        if value.dont_know:
            expect(region.get_by_label(DONT_KNOW, exact=True)).to_be_checked()
        opened = [c for c in children if set(value.choice_ids) & set(c.show_if_choices)]
        # The status of the last click counts the questions that this click opened.
        before = set(value.choice_ids[:-1]) if question.kind == "multiple" else set()
        newly = [c for c in opened if not before & set(c.show_if_choices)]
        if newly:
            expect(status).to_contain_text(
                "Une question complémentaire apparaît juste en dessous." if len(newly) == 1
                else f"{len(newly)} questions complémentaires apparaissent juste en dessous.")
        if opened:
            for child in opened:
                expect(question_region(page, child)).to_be_visible()
    return index


def score_text(score):
    """floatformat:"-1" in French: one decimal only when there is one, with a comma."""
    return f"{score:.1f}".removesuffix(".0").replace(".", ",")


def test_it_answers_a_full_officine_assessment(page, context, live_server):
    serve_axe(context, live_server.url)
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    alpha = make_pharmacy("Pharmacie Alpha", "alpha", size_band="1-9")
    alice = make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)
    use_session(context, live_server, alice)

    page.goto("/o/alpha/")
    org_nav(page).get_by_role("link", name="Diagnostic", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diagnostic")
    expect(page.get_by_text("Le diagnostic fait le point")).to_be_visible()
    assert_no_axe_violations(page, "diagnostic-list-empty")

    page.get_by_role("button", name="Commencer un diagnostic").click()
    assessment = Assessment.objects.get(organisation=alpha)
    themes = assessment.themes()
    assert len(themes) == 13, [t.id for t in themes]
    first = themes[0]
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Thème 1 sur {len(themes)} : {first.title}")
    assert_no_axe_violations(page, "diagnostic-theme-initial")

    # Saving a question without a choice: the message comes back next to the question.
    region = question_region(page, first.questions[0])
    with page.expect_response(lambda r: r.request.method == "POST") as refused:
        region.get_by_role("button", name="Enregistrer cette réponse").click()
    assert refused.value.status == 422
    expect(region.get_by_role("alert")).to_have_text("Choisissez une réponse.")
    assert_no_axe_violations(page, "diagnostic-theme-error")

    planned, visible_ids = {}, set()
    index = answer_theme(page, assessment, first, planned, visible_ids, 0)
    expect(question_region(page, first.questions[0]).get_by_role("alert")).to_have_count(0)
    assert_no_axe_violations(page, "diagnostic-theme-answered")
    steps = page.get_by_role("navigation", name="Thèmes du diagnostic")
    expect(steps.get_by_role("link", name=first.title)).to_contain_text("terminé")

    # The list now shows the assessment in progress; "Reprendre" opens the next theme.
    org_nav(page).get_by_role("link", name="Diagnostic", exact=True).click()
    current = page.get_by_role("region", name="Diagnostic en cours")
    expect(current).to_contain_text(f"{index} questions sur ")
    assert_no_axe_violations(page, "diagnostic-list-in-progress")
    current.get_by_role("link", name="Reprendre").click()

    for number, theme in enumerate(themes[1:], start=2):
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Thème {number} sur {len(themes)} : {theme.title}")
        index = answer_theme(page, assessment, theme, planned, visible_ids, index)
        if number < len(themes):
            page.get_by_role("link", name=re.compile(r"^Thème suivant :")).click()
    expect(page.get_by_role("link", name=re.compile(r"^Thème suivant :"))).to_have_count(0)

    # Every answer is in the database, as chosen; the conditional ones were shown and saved.
    stored = {a.question_id: a for a in assessment.answers.all()}
    assert set(stored) == set(planned)
    for question_id, value in planned.items():
        answer = stored[question_id]
        assert (set(answer.choice_ids), answer.dont_know) == \
            (set(value.choice_ids), value.dont_know), question_id
    assert {"nomade-chiffrement", "nomade-teletravail", "rgpd-video-regles", "off-wifi-clients",
            "web-securite"} <= set(stored)
    assert not {"rgpd-dpo-officine", "rgpd-aipd-officine"} & set(stored)
    assert 60 <= len(stored) <= 72

    page.get_by_role("button", name="Terminer le diagnostic").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultats du diagnostic")
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.COMPLETED
    result = assessment.result()

    summary = page.get_by_role("region", name="Votre score global")
    expect(summary).to_contain_text(f"{score_text(assessment.score)} sur 100")
    expect(summary).to_contain_text(f"Niveau {assessment.level} sur 4 : {result.level_label}")

    radar = page.get_by_role("img", name=re.compile(r"^Score par thème, sur 100"))
    expect(radar).to_be_visible()
    expect(radar.locator("title")).to_have_text("Score par thème, sur 100")
    labels = radar.locator(".radar__labels text")
    expect(labels).to_have_count(len(themes))
    for label, theme in zip(labels.all(), themes, strict=True):
        lines = label.locator("tspan").all_text_contents()
        shown = " ".join(lines)
        assert shown == theme.title or (shown.endswith("…")
                                        and theme.title.startswith(shown[:-1].strip())), shown
    table = page.get_by_role("table", name="Score par thème, sur 100")
    expect(table.get_by_role("rowheader")).to_have_text(
        [t.title for t in themes] + ["Score global"])

    priority = page.get_by_role("region", name="Vos 6 mesures prioritaires")
    measures = priority.get_by_role("list").first.get_by_role("listitem")
    expect(measures).to_have_count(6)
    expect(priority.get_by_role("link", name=re.compile(
        "^Suivre cette mesure dans le plan d'action"))).to_have_count(6)

    provider = page.get_by_role("region", name="Questions à poser à votre prestataire "
                                               "informatique")
    expected = [gap.question.text for gap in result.gaps if gap.dont_know]
    assert len(expected) == len(DONT_KNOW_IDS)
    items = provider.get_by_role("listitem")
    expect(items).to_have_count(len(expected))
    for text in expected:
        expect(provider).to_contain_text(text)
    assert_no_axe_violations(page, "diagnostic-results")

    # The plan: one action per distinct measure among the gaps.
    measure_ids = {gap.measure.id for gap in result.gaps}
    assert len(measure_ids) > 6
    assert set(Action.objects.filter(organisation=alpha, source="diagnostic")
               .values_list("source_key", flat=True)) == measure_ids
    org_nav(page).get_by_role("link", name="Plan d'action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan d'action")
    expect(page.get_by_role("table", name=f"{len(measure_ids)} actions")).to_be_visible()
    assert_no_axe_violations(page, "diagnostic-plan-list")
    page.get_by_role("link", name="Voir en tableau par statut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau du plan d'action")
    todo = page.get_by_role("region", name=re.compile(r"^À faire"))
    expect(todo.get_by_role("heading", level=2)).to_have_text(f"À faire {len(measure_ids)}")
    assert_no_axe_violations(page, "diagnostic-plan-board")

    csp = [e for e in console_errors if "Content Security Policy" in e]
    assert not csp and not page.csp_violations, csp + page.csp_violations


def test_it_keeps_answers_when_resuming(page, context, live_server):
    alpha = make_pharmacy("Pharmacie Alpha", "alpha", size_band="1-9")
    alice = make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)
    use_session(context, live_server, alice)
    page.goto("/o/alpha/diagnostic/")
    page.get_by_role("button", name="Commencer un diagnostic").click()
    assessment = Assessment.objects.get(organisation=alpha)
    first, second = assessment.themes()[:2]
    referent, training = first.questions[:2]
    assert (referent.id, training.id) == ("gouv-referent", "gouv-sensibilisation")
    click_and_save(page, assessment, question_region(page, referent), "Non", 1)
    region = question_region(page, training)
    click_and_save(page, assessment, region, "Choisir et protéger ses mots de passe", 1)
    click_and_save(page, assessment, region, "Verrouiller son poste dès qu'on s'en éloigne", 2)
    # The rest of the first theme, answered elsewhere (another browser, another day).
    rest = {q.id: [q.choices[0].id] for q in first.questions[2:]}
    for question_id, choice_ids in rest.items():
        Answer.objects.create(organisation=alpha, assessment=assessment,
                              question_id=question_id, choice_ids=choice_ids,
                              answered_by=alice)

    def still_checked():
        expect(question_region(page, referent).get_by_label("Non", exact=True)).to_be_checked()
        boxes = question_region(page, training)
        expect(boxes.get_by_label("Choisir et protéger ses mots de passe")).to_be_checked()
        expect(boxes.get_by_label("Verrouiller son poste dès qu'on s'en éloigne")) \
            .to_be_checked()
        expect(boxes.get_by_label("Aucun de ces sujets")).not_to_be_checked()
        expect(boxes.get_by_label(DONT_KNOW)).not_to_be_checked()

    page.reload()
    still_checked()

    # Later: the list offers to resume, and opens the first theme with questions left.
    page.goto("/o/alpha/")
    org_nav(page).get_by_role("link", name="Diagnostic", exact=True).click()
    current = page.get_by_role("region", name="Diagnostic en cours")
    expect(current).to_contain_text(f"{len(first.questions)} questions sur ")
    current.get_by_role("link", name="Reprendre").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(second.title)
    page.get_by_role("link", name=re.compile(r"^Thème précédent :")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.title)
    still_checked()
    expect(question_region(page, referent).get_by_role("status").first) \
        .to_contain_text("Répondu par alice@alpha.example")
    assert sorted(Answer.objects.filter(assessment=assessment).values_list(
        "question_id", "choice_ids")) == sorted([
        ("gouv-referent", ["non"]), ("gouv-sensibilisation", ["mots-de-passe", "verrouillage"]),
        *rest.items()])


def test_it_shows_a_conflict_when_two_people_answer_the_same_question(
        page, context, browser, live_server):
    alpha = make_pharmacy("Pharmacie Alpha", "alpha", size_band="1-9")
    alice = make_member("alice@alpha.example", alpha, Role.RESPONSABLE, with_mfa=True)
    rita = make_member("rita@alpha.example", alpha, Role.REFERENT, with_mfa=True)
    assessment = services.assessment_start(acting_user=alice, organisation=alpha)
    theme = assessment.themes()[0]
    question = theme.questions[0]
    url = f"/o/alpha/diagnostic/{assessment.pk}/theme/{theme.id}/"
    use_session(context, live_server, alice)

    # Rita's own browser, set up like the `context` and `page` fixtures.
    rita_context = browser.new_context(base_url=live_server.url, locale="fr-FR",
                                       timezone_id="Europe/Paris",
                                       viewport={"width": 1280, "height": 900})
    try:
        rita_context.set_default_timeout(TIMEOUT_MS)
        rita_context.set_default_navigation_timeout(TIMEOUT_MS)
        use_session(rita_context, live_server, rita)
        rita_page = rita_context.new_page()
        rita_csp = []
        rita_page.on("console", lambda m: rita_csp.append(m.text) if m.type == "error"
                     and "Content Security Policy" in m.text else None)

        page.goto(url)
        rita_page.goto(url)
        alice_region = question_region(page, question)
        rita_region = question_region(rita_page, question)
        expect(rita_region).to_be_visible()

        click_and_save(page, assessment, alice_region, "Oui, et toute l'équipe la connaît", 1)

        with rita_page.expect_response(lambda r: r.request.method == "POST") as refused:
            rita_region.get_by_text("Non", exact=True).click()
        assert refused.value.status == 409
        alert = rita_region.get_by_role("alert")
        expect(alert).to_contain_text(re.compile(
            r"alice@alpha\.example a modifié cette réponse à \d\d:\d\d\s: voici sa réponse\s; "
            r"la vôtre n'a pas été enregistrée\."))
        expect(alert).to_contain_text(re.compile(r"Votre réponse était\s: Non\."))
        # Rita now sees Alice's answer, ready to be changed again knowingly.
        expect(rita_region.get_by_label("Oui, et toute l'équipe la connaît")).to_be_checked()
        expect(rita_region.get_by_label("Non", exact=True)).not_to_be_checked()
        assert not rita_csp, rita_csp
    finally:
        rita_context.close()

    answer = Answer.objects.get(assessment=assessment, question_id=question.id)
    assert (answer.choice_ids, answer.answered_by, answer.revision) == (["oui"], alice, 1)
