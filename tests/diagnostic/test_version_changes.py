import html
import re

from allauth.mfa.models import Authenticator

from tests.base import BaseTestCase
from tests.diagnostic.test_results_support import (
    ReferentialsMixin,
    all_answers,
    make_assessment,
)


def text_of(response):
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                    response.content.decode())))


class VersionChangesTestCase(ReferentialsMixin, BaseTestCase):
    def setUp(self):
        self.assessment = make_assessment(self.org, all_answers(), completed_days_ago=10)
        self.url = self.org_url("version_changes", self.assessment.pk)

    def get(self, user=None, url=None):
        self.client.force_login(user or self.owner)
        return self.client.get(url or self.url)

    def test_it_lists_added_changed_and_removed_questions(self):
        response = self.get()
        self.assertEqual(response.status_code, 200)
        text = text_of(response)
        self.assertIn("Ce diagnostic a été rempli avec la version 2025.1", text)
        self.assertIn("La version 2026.1 est sortie depuis", text)
        self.assertIn("1 nouvelle question Un outil de détection est-il installé ?", text)
        self.assertIn("1 question modifiée Avant : L'équipe est-elle sensibilisée ? "
                      "Maintenant : L'équipe est-elle formée chaque année ?", text)
        self.assertIn("1 question retirée Un antivirus est-il installé ?", text)
        self.assertNotIn("Les mots de passe sont-ils robustes", text)
        self.assertContains(response, self.org_url("assessment_results", self.assessment.pk))

    def test_it_says_when_the_version_is_the_latest(self):
        assessment = make_assessment(self.org, {"mdp": "oui"}, version="2026.1")
        text = text_of(self.get(url=self.org_url("version_changes", assessment.pk)))
        self.assertIn("Ce diagnostic utilise déjà la dernière version du questionnaire "
                      "(2026.1) : rien n'a changé.", text)
        self.assertNotIn("nouvelle question", text)

    def test_it_leaves_out_questions_for_other_kinds_of_organisation(self):
        text = text_of(self.get())
        self.assertNotIn("Question réservée aux PUI", text)

    def test_it_is_readable_by_the_read_only_role(self):
        Authenticator.objects.filter(user=self.readonly).delete()
        self.assertEqual(self.get(self.readonly).status_code, 200)

    def test_it_hides_from_outsiders(self):
        self.assertEqual(self.get(self.outsider).status_code, 404)

    def test_it_hides_another_organisations_assessment(self):
        foreign = make_assessment(self.other_org, all_answers(), completed_days_ago=0)
        self.assertEqual(self.get(url=self.org_url("version_changes", foreign.pk)).status_code,
                         404)

    def test_it_answers_404_to_an_unknown_id(self):
        self.assertEqual(self.get(url=self.org_url("version_changes", 987654)).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
