import html as html_module
import re
from unittest import mock

from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from pharmagarde.actions.models import Action
from pharmagarde.diagnostic import peers
from pharmagarde.diagnostic.referential import build_referential
from tests.base import BaseTestCase, make_organisation, valid_siret
from tests.diagnostic.test_results_support import (
    ReferentialsMixin,
    all_answers,
    gate,
    make_assessment,
    module,
    question,
)


def text_of(response):
    """The page's text without tags and with collapsed spaces, to test sentences."""
    html = response.content.decode()
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


# Sign-in, membership, organisation switcher and session (8 queries, every page), then the
# assessment and its answers, the previous one and its answers, the peer averages and the
# plan's actions.
RESULTS_MAX_QUERIES = 14


class ResultsTestCase(ReferentialsMixin, BaseTestCase):
    MAX_QUERIES_PER_PAGE = RESULTS_MAX_QUERIES

    def setUp(self):
        self.assessment = make_assessment(
            self.org, all_answers(mdp="non", admin="?", sauvegarde="partiel", maj="?",
                                  referent="partiel", sensibilisation="non",
                                  restauration="non"),
            completed_days_ago=0)
        self.url = self.org_url("assessment_results", self.assessment.pk)

    def get(self, user=None, url=None):
        self.client.force_login(user or self.owner)
        return self.client.get(url or self.url)

    def test_it_shows_the_overall_score_and_level(self):
        response = self.get()
        self.assertEqual(response.status_code, 200)
        text = text_of(response)
        self.assertIn("25 sur 100", text)
        self.assertIn("Niveau 2 sur 4 : Bases en place", text)
        self.assertIn("Les premières protections existent", text)
        self.assertIn("Comment ce score est calculé", text)
        self.assertIn("De 25 à 49 : niveau 2, Bases en place", text)
        self.assertNotIn("le niveau reste à 2", text)

    def test_it_explains_a_level_held_down_by_a_critical_gap(self):
        assessment = make_assessment(self.org, all_answers(mdp="non"), completed_days_ago=0)
        text = text_of(self.get(url=self.org_url("assessment_results", assessment.pk)))
        self.assertIn("80 sur 100", text)
        self.assertIn("Niveau 2 sur 4 : Bases en place", text)
        self.assertIn("le niveau reste à 2 tant qu'elle n'est pas corrigée", text)

    def test_it_includes_the_radar_and_a_data_table(self):
        response = self.get()
        html = response.content.decode()
        self.assertIn('<svg xmlns="http://www.w3.org/2000/svg" class="radar"', html)
        self.assertIn('role="img"', html)
        # Theme titles are escaped in both the chart and the table.
        self.assertIn("Accès &amp; &lt;mots de passe&gt;", html)
        self.assertNotIn("<mots de passe>", html)
        self.assertContains(response, "<caption>Score par thème, sur 100</caption>", html=True)
        self.assertIn("Organisation 33,3", text_of(response))
        self.assertContains(response, self.org_url("assessment_radar", self.assessment.pk))

    def test_it_lists_critical_gaps_first(self):
        text = text_of(self.get())
        section = text[text.index("Vos failles"):text.index("Vos 6 mesures prioritaires")]
        order = [section.index(q) for q in (
            "Les mots de passe sont-ils robustes", "Les comptes administrateur",
            "Les sauvegardes sont-elles hors ligne", "Un référent est-il désigné",
            "Les mises à jour sont-elles automatiques", "L'équipe est-elle sensibilisée")]
        self.assertEqual(order, sorted(order))
        self.assertIn("Critique Les mots de passe sont-ils robustes ? Votre réponse : Non",
                      section)
        self.assertIn("Votre réponse : Je ne sais pas", section)

    def test_it_shows_six_priority_measures_then_the_others(self):
        response = self.get()
        html = response.content.decode()
        text = text_of(response)
        self.assertIn("Vos 6 mesures prioritaires", text)
        priority = html[html.index("priority-title"):html.index("Les autres mesures")]
        self.assertEqual(priority.count('<li class="measure">'), 6)
        for measure in ("mdp", "admin", "sauvegarde", "referent", "maj", "sensibilisation"):
            self.assertIn(f"Mesure {measure}", priority)
        others = html[html.index("Les autres mesures"):]
        self.assertIn("Mesure restauration", others)
        self.assertIn("<details", html[html.index("priority-title"):])
        # Why and how, and the level of the measure: basic below half the points.
        self.assertIn("Pourquoi : Pourquoi mdp.", text)
        self.assertIn("Comment : Comment mdp.", text)
        self.assertIn("Base mdp.", text)
        self.assertIn("Avancé sauvegarde.", text)
        self.assertIn("Effort : faible", text)

    def test_it_links_a_measure_to_its_action_when_there_is_one(self):
        action = Action.objects.create(organisation=self.org, source="diagnostic",
                                       source_key="m-mdp", title="Mots de passe")
        Action.objects.create(organisation=self.other_org, source="diagnostic",
                              source_key="m-admin", title="Bravo")
        # A hand-made action, or another source's, with the same key is not the measure's.
        Action.objects.create(organisation=self.org, source="inventaire",
                              source_key="m-admin", title="Autre origine")
        try:
            link = reverse("action_edit", args=[self.org.slug, action.pk])
        except NoReverseMatch:
            self.skipTest("The action plan's edit page is not there yet.")
        html = self.get().content.decode()
        self.assertIn(f'href="{link}"', html)
        self.assertEqual(html.count("Suivre cette mesure dans le plan d'action"), 1)

    def test_it_gathers_dont_know_answers_for_the_it_provider(self):
        text = text_of(self.get())
        section = text[text.index("Questions à poser à votre prestataire informatique"):]
        self.assertIn("Les comptes administrateur sont-ils séparés ?", section)
        self.assertIn("Aide pour admin.", section)
        self.assertIn("Les mises à jour sont-elles automatiques ?", section)
        self.assertNotIn("Les mots de passe sont-ils robustes", section[:section.index(
            "Depuis votre diagnostic")])

    def test_it_says_when_there_is_no_previous_assessment(self):
        self.assertIn("C'est votre premier diagnostic", text_of(self.get()))

    def test_it_compares_with_the_previous_assessment(self):
        make_assessment(self.org, all_answers("non", referent="oui", admin="oui"),
                        completed_days_ago=100)
        response = self.get()
        text = text_of(response)
        self.assertIn("Diagnostic précédent", text)
        self.assertIn("Organisation 33,3 66,7 \u221233,4", text)
        self.assertIn("Sauvegardes 25 0 +25", text)
        self.assertIn("Score global 25 30 \u22125", text)
        self.assertIn("Score global : 30 puis 25 (\u22125 points)", text)
        self.assertIn("Faille corrigée (1) Un antivirus est-il installé ?", text)
        self.assertIn("Nouvelles failles (2) Les comptes administrateur sont-ils séparés ? "
                      "Un référent est-il désigné ?", text)
        self.assertIn("radar__series--previous", response.content.decode())

    def test_it_ignores_another_organisations_previous_assessment(self):
        make_assessment(self.other_org, all_answers(), completed_days_ago=100)
        self.assertIn("C'est votre premier diagnostic", text_of(self.get()))

    def peers(self, count, answer="oui", kind="officine"):
        # Independent organisations (their own SIRET), finished before this week's snapshot.
        for index in range(count):
            organisation = make_organisation(f"Pair secret {index}", f"pair-{kind}-{index}",
                                             kind=kind, siret=valid_siret(index + 100 * len(kind)))
            make_assessment(organisation, all_answers(answer), completed_days_ago=10)

    def test_it_hides_the_peer_comparison_below_eleven_organisations(self):
        self.peers(10)
        response = self.get()
        text = text_of(response)
        self.assertIn("La comparaison anonyme avec les structures du même type apparaîtra dès "
                      "que 11 structures indépendantes", text)
        self.assertNotIn("Moyenne des structures du même type", text)
        self.assertNotIn("radar__series--peers", response.content.decode())

    def test_it_shows_the_peer_average_from_eleven_organisations(self):
        self.peers(11)
        self.peers(3, "non", kind="pui")
        response = self.get()
        text = text_of(response)
        self.assertIn("Moyenne des structures du même type", text)
        self.assertIn("Organisation 33,3 100", text)
        self.assertIn("Score global 25 100", text)
        self.assertIn("de 11 structures indépendantes", text)
        self.assertIn("radar__series--peers", response.content.decode())
        # Never a name or an address of another organisation.
        self.assertNotIn("Pair secret", text)
        self.assertNotIn("pair-officine", response.content.decode())

    def test_it_shows_partial_results_of_an_assessment_in_progress(self):
        assessment = make_assessment(self.org, {"mdp": "oui", "admin": "non"})
        response = self.get(url=self.org_url("assessment_results", assessment.pk))
        text = text_of(response)
        self.assertIn("Diagnostic en cours : ces résultats sont partiels.", text)
        self.assertIn("Vous avez répondu à 2 questions sur 8 (25 %)", text)
        self.assertContains(response, self.org_url("assessment_detail", assessment.pk))
        self.assertIn("Postes de travail non évalué", text)

    def test_it_shows_an_assessment_without_any_answer(self):
        assessment = make_assessment(self.org)
        response = self.get(url=self.org_url("assessment_results", assessment.pk))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Pas encore de score", text_of(response))

    def test_it_says_so_when_everything_is_in_place(self):
        assessment = make_assessment(self.org, all_answers(), completed_days_ago=0)
        text = text_of(self.get(url=self.org_url("assessment_results", assessment.pk)))
        self.assertIn("100 sur 100", text)
        self.assertIn("Aucune faille parmi vos réponses", text)
        self.assertIn("Aucune mesure à prendre", text)

    def test_it_links_to_the_changes_of_a_newer_version(self):
        response = self.get()
        self.assertIn("Le questionnaire a été mis à jour (version 2026.1)", text_of(response))
        self.assertContains(response, self.org_url("version_changes", self.assessment.pk))

    def test_it_has_no_version_banner_on_the_latest_version(self):
        assessment = make_assessment(self.org, {"mdp": "oui"}, version="2026.1")
        response = self.get(url=self.org_url("assessment_results", assessment.pk))
        self.assertNotContains(response, "Le questionnaire a été mis à jour")

    def test_it_is_readable_by_the_read_only_role(self):
        Authenticator.objects.filter(user=self.readonly).delete()
        response = self.get(self.readonly)
        self.assertEqual(response.status_code, 200)
        self.assertIn("25 sur 100", text_of(response))

    def test_every_member_can_read_it(self):
        for user in self.personas.values():
            self.assertEqual(self.get(user).status_code, 200)

    def test_it_hides_from_outsiders(self):
        self.assertEqual(self.get(self.outsider).status_code, 404)

    def test_it_hides_another_organisations_assessment(self):
        foreign = make_assessment(self.other_org, all_answers(), completed_days_ago=0)
        self.assertEqual(
            self.get(url=self.org_url("assessment_results", foreign.pk)).status_code, 404)
        # Even through the other organisation's address, for a member of Alpha only.
        self.assertEqual(self.get(url=self.org_url("assessment_results", foreign.pk,
                                                   org=self.other_org)).status_code, 404)

    def test_it_answers_404_to_an_unknown_id(self):
        self.assertEqual(self.get(url=self.org_url("assessment_results", 987654)).status_code,
                         404)
        self.assertEqual(self.get(url=f"/o/{self.org.slug}/diagnostic/abc/resultats/")
                         .status_code, 404)

    def test_it_redirects_anonymous(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/comptes/login/", response["Location"])

    def test_it_has_a_print_stylesheet(self):
        from pathlib import Path

        from django.contrib.staticfiles import finders

        css = Path(finders.find("pharmagarde/app.css")).read_text(encoding="utf-8")
        section = css[css.index("/* Diagnostic: results */"):]
        self.assertIn("@media print", section)
        self.assertRegex(section, r"\.site-header, \.org-nav, \.site-footer[^{]*\{ display: none")

    def test_it_uses_no_inline_style_or_script(self):
        html = self.get().content.decode()
        self.assertNotIn("style=", html)
        self.assertNotIn("<style", html)
        self.assertNotRegex(html, r"<script(?![^>]*\bsrc=)")

    def test_its_query_count_does_not_grow_with_actions(self):
        def make_action(index):
            Action.objects.create(organisation=self.org, title=f"Action {index}",
                                  source="diagnostic", source_key=f"m-autre-{index}")

        self.client.force_login(self.owner)
        make_assessment(self.org, all_answers("non"), completed_days_ago=100)
        self.peers(11)
        self.assertQueriesConstant(self.url, make_action)


def big_referential(version="2025.1"):
    themes = [(f"theme-{t}", f"Thème {t}", [
        question(f"q-{t}-{q}", f"Question {t}.{q} ?", priority=t * 10 + q + 1,
                 criticality=["critique", "majeure", "normale"][q % 3])
        for q in range(6)]) for t in range(12)]
    return build_referential(version, [(f"{version}/socle.yaml", module(themes))])


class ResultsQueryCountTestCase(ReferentialsMixin, BaseTestCase):
    MAX_QUERIES_PER_PAGE = RESULTS_MAX_QUERIES
    referentials = {"2025.1": big_referential()}

    def count(self, answers):
        assessment = make_assessment(self.org, answers, completed_days_ago=0)
        make_assessment(self.org, answers, completed_days_ago=10)
        self.client.force_login(self.owner)
        self.client.get(self.org_url("dashboard"))  # the session now names the organisation
        peers.snapshot(self.org.kind)  # computed once a week, by the first reader
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(self.org_url("assessment_results", assessment.pk))
        self.assertEqual(response.status_code, 200)
        return len(ctx.captured_queries)

    def test_its_query_count_does_not_grow_with_answers(self):
        ids = [f"q-{t}-{q}" for t in range(12) for q in range(6)]
        few = self.count(dict.fromkeys(ids[:5], "non"))
        many = self.count({qid: "?" if i % 2 else "non" for i, qid in enumerate(ids)})
        self.assertEqual(few, many)
        self.assertLessEqual(many, self.MAX_QUERIES_PER_PAGE)

    def test_it_draws_twelve_themes(self):
        self.count({})
        html = self.client.get(self.org_url(
            "assessment_results", self.org.assessments.first().pk)).content.decode()
        labels = re.search(r'<g class="radar__labels".*?</g>', html, flags=re.S).group()
        self.assertEqual(labels.count("<text "), 12)
        self.assertIn(">Thème 11<", labels)


def gated_referential():
    wifi = ("wifi", ["oui"])
    return build_referential("2025.1", [("2025.1/socle.yaml", module([
        ("reseau", "Réseau", [
            gate("wifi", "Avez-vous un Wi-Fi ?"),
            question("wifi-chiffrement", "Le Wi-Fi est-il chiffré ?", criticality="critique",
                     priority=1, show_if=wifi),
            question("wifi-invites", "Le Wi-Fi des invités est-il séparé ?", priority=2,
                     show_if=wifi),
        ]),
        ("acces", "Accès", [
            question("mdp", "Les mots de passe sont-ils robustes ?", priority=3),
        ]),
    ]))])


class UnscoredGateResultsTestCase(ReferentialsMixin, BaseTestCase):
    """A gate (scored: false) answered « Non »: no full marks, no gap, no plan item."""

    referentials = {"2025.1": gated_referential()}

    def setUp(self):
        self.client.force_login(self.owner)

    def answer(self, assessment, question_id, choice):
        # Through the answering page: saving an answer is what syncs the plan.
        return self.client.post(self.org_url("answer_save", assessment.pk, question_id),
                                {"choices": [choice], "comment": "", "revision": 0})

    def complete(self, answers):
        assessment = make_assessment(self.org)
        for question_id, choice in answers.items():
            self.answer(assessment, question_id, choice)
        self.client.post(self.org_url("assessment_complete", assessment.pk))
        assessment.refresh_from_db()
        return assessment

    def test_it_scores_only_the_questions_that_count(self):
        assessment = self.complete({"wifi": "non", "mdp": "partiel"})
        self.assertEqual(assessment.status, assessment.Status.COMPLETED)
        # mdp alone, at half its points: a scored gate at full marks would have made it 75.
        self.assertEqual(assessment.score, 50)
        self.assertEqual(assessment.theme_scores, {"reseau": None, "acces": 50})
        response = self.client.get(self.org_url("assessment_results", assessment.pk))
        self.assertEqual(response.status_code, 200)
        text = text_of(response)
        self.assertIn("50 sur 100", text)
        self.assertIn("Mesure mdp", text)
        self.assertNotIn("Avez-vous un Wi-Fi", text)
        self.assertNotIn("Le Wi-Fi est-il chiffré", text)
        self.assertIn("vous n'avez répondu « Je ne sais pas » à aucune question", text)

    def test_the_plan_gets_no_item_from_a_gate_or_the_questions_it_hides(self):
        self.complete({"wifi": "non", "mdp": "non"})
        actions = Action.objects.filter(organisation=self.org, source="diagnostic")
        self.assertEqual([a.source_key for a in actions], ["m-mdp"])

    def test_the_questions_a_gate_opens_count_and_reach_the_plan(self):
        assessment = self.complete({"wifi": "oui", "wifi-chiffrement": "non",
                                    "wifi-invites": "oui", "mdp": "oui"})
        # (0 + 1 + 1) ÷ 3, and the critical gap holds the level down.
        self.assertEqual(assessment.score, 66.7)
        self.assertEqual(assessment.level, 2)
        actions = Action.objects.filter(organisation=self.org, source="diagnostic")
        self.assertEqual([a.source_key for a in actions], ["m-wifi-chiffrement"])

    def test_an_unanswered_gate_keeps_the_assessment_open(self):
        assessment = self.complete({"mdp": "oui"})
        self.assertEqual(assessment.status, assessment.Status.IN_PROGRESS)

    def test_a_gate_does_not_offer_dont_know(self):
        assessment = make_assessment(self.org)
        self.answer(assessment, "wifi", "_dont_know")
        self.assertFalse(assessment.answers.exists())

    def test_a_hand_made_action_cannot_be_linked_to_a_gate(self):
        from pharmagarde.diagnostic.plan_source import SOURCE

        # plan_source holds its own reference to get_referential.
        with mock.patch("pharmagarde.diagnostic.plan_source.get_referential",
                        side_effect=self.referentials.__getitem__):
            keys = [key for _theme, options in SOURCE.manual_choices(self.org)
                    for key, _text in options]
        self.assertNotIn("wifi", keys)
        self.assertIn("wifi-chiffrement", keys)


class PackagedReferentialResultsTestCase(BaseTestCase):
    """The referential shipped in the package renders, whatever its size."""

    def test_it_renders_the_packaged_referential(self):
        from pharmagarde.diagnostic import referential

        version = referential.latest_version()
        ref = referential.get_referential(version)
        answers = {qid: "?" if q.dont_know else q.choices[-1].id
                   for qid, q in ref.questions.items()}
        assessment = make_assessment(self.org, answers, version=version, completed_days_ago=0)
        self.client.force_login(self.owner)
        for name in ("assessment_results", "assessment_radar", "version_changes"):
            response = self.client.get(self.org_url(name, assessment.pk))
            if name == "assessment_radar" and len(assessment.themes()) < 3:
                self.assertEqual(response.status_code, 404)
            else:
                self.assertEqual(response.status_code, 200, name)
