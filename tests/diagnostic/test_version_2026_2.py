"""From questionnaire 2026.1 to 2026.2, with the packaged content: what the comparison
shows, and which previous answers a new assessment proposes again."""

import html
import re

from django.utils import timezone

from pharmagarde.diagnostic.models import Answer, Assessment
from pharmagarde.diagnostic.referential import compare_versions, latest_version, load_version
from tests.base import BaseTestCase

# The questions 2026.2 adds: the gates that used to be the first answer of a scored
# question, and the topics of the Ordre's dossier that 2026.1 did not ask about.
GATES = {"nomade-usages", "res-wifi-present", "web-site", "rgpd-video-cameras",
         "rgpd-ca-officine", "off-robot-present", "off-teleconsultation-present",
         "pui-armoires-presence", "pui-dm-connectes", "pui-preparations", "lbm-portail",
         "indus-ot-present"}
NEW_TOPICS = {"gouv-controle-externe", "gouv-ia", "cpt-echecs", "cpt-admin-renouvellement",
              "cpt-cps", "nomade-teletravail", "web-securite", "pui-dm-securite",
              "lbm-surveillance"}


def text_of(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.content.decode())))


class ComparisonTestCase(BaseTestCase):
    def test_it_publishes_2026_2_as_the_latest_version(self):
        self.assertEqual(latest_version(), "2026.2")

    def test_it_adds_the_gates_and_the_missing_topics_and_removes_nothing(self):
        old, new = load_version("2026.1"), load_version("2026.2")
        diff = compare_versions(old, new)
        self.assertEqual(set(diff["added"]), GATES | NEW_TOPICS)
        self.assertEqual(diff["removed"], [])
        for question_id in GATES:
            self.assertFalse(new.questions[question_id].scored, question_id)
            self.assertIsNone(new.questions[question_id].measure, question_id)
        # The questions whose gate was their first answer, and the corrected wording.
        self.assertLessEqual({"res-wifi", "nomade-protection", "rgpd-video",
                              "rgpd-dpo-officine", "off-robot", "lbm-serveur-resultats",
                              "lbm-automates", "indus-informations-sensibles",
                              "indus-transferts-hors-ue", "lbm-nis2-perimetre",
                              "gouv-audit"}, set(diff["changed"]))
        self.assertNotIn("pas-de-wifi", {c.id for c in new.questions["res-wifi"].choices})

    def test_the_version_page_shows_an_officine_what_changed(self):
        assessment = Assessment.objects.create(
            organisation=self.org, referential_version="2026.1", organisation_kind="officine",
            size_band="1-9", status=Assessment.Status.COMPLETED, completed_at=timezone.now())
        self.client.force_login(self.owner)
        text = text_of(self.client.get(self.org_url("version_changes", assessment.pk)))
        self.assertIn("Ce diagnostic a été rempli avec la version 2026.1", text)
        self.assertIn("La version 2026.2 est sortie depuis", text)
        self.assertIn("Y a-t-il un réseau Wi-Fi dans vos locaux, y compris celui de la box ?",
                      text)
        self.assertIn("Avant : La structure a-t-elle un Wi-Fi, et comment est-il protégé ? "
                      "Maintenant : Comment ce Wi-Fi est-il protégé ?", text)
        # An officine of 1 to 9 people is not shown what only concerns other kinds or sizes.
        self.assertNotIn("Qui surveille les alertes de sécurité", text)
        self.assertNotIn("dispositifs médicaux reliés au réseau", text)


class CarryOverTestCase(BaseTestCase):
    """A new assessment on 2026.2 proposes the 2026.1 answers that still fit."""

    def test_it_proposes_only_what_the_new_questions_can_take(self):
        previous = Assessment.objects.create(
            organisation=self.org, referential_version="2026.1", organisation_kind="officine",
            size_band="1-9", status=Assessment.Status.COMPLETED, completed_at=timezone.now())
        answers = {
            "res-wifi": ["pas-de-wifi"],           # became the gate res-wifi-present
            "rgpd-video": ["oui-informe"],         # still a choice
            "rgpd-dpo-officine": ["sous-seuil"],   # became the gate rgpd-ca-officine
            "off-robot": ["maitrise"],             # now a checklist with other choices
            "cpt-mdp-regles": ["imposees"],        # unchanged
            "nomade-protection": ["proteges"],     # its « no device » answer went to a gate
        }
        for question_id, choices in answers.items():
            Answer.objects.create(organisation=self.org, assessment=previous,
                                  question_id=question_id, choice_ids=choices)
        Answer.objects.create(organisation=self.org, assessment=previous,
                              question_id="sauv-test", dont_know=True)
        self.client.force_login(self.owner)
        self.client.post(self.org_url("assessment_start"))
        current = Assessment.objects.get(status=Assessment.Status.IN_PROGRESS)
        self.assertEqual(current.referential_version, "2026.2")
        proposed = {a.question_id: (a.choice_ids, a.dont_know)
                    for a in Answer.objects.filter(assessment=current)}
        self.assertEqual(proposed, {
            "rgpd-video": (["oui-informe"], False),
            "cpt-mdp-regles": (["imposees"], False),
            "nomade-protection": (["proteges"], False),
            "sauv-test": ([], True),
        })
