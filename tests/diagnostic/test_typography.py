"""French typography on the questionnaire's pages: content written with ordinary spaces is
shown with no-break spaces before : ? (core/templatetags/typography.py), still escaped."""

import re
from unittest.mock import patch

from django.conf import settings

from pharmagarde.diagnostic.referential import build_referential
from tests.base import BaseTestCase
from tests.diagnostic.test_assessment_referential import REFERENTIAL, VERSION, AnsweringMixin

QUESTION = "Chaque personne a-t-elle son propre mot de passe ?"
TEXT = "Mot de passe <b>fort</b> : chacun a-t-il le sien ?"
HELP = "Voir https://cyber.gouv.fr/?page=1 avant 10:30 ; le guide « Mots de passe »."
CONTENT = build_referential(VERSION, [("socle.yaml", REFERENTIAL
                                       .replace(QUESTION, f'"{TEXT}"')
                                       .replace("Pensez au logiciel de gestion de l'officine"
                                                " et à la messagerie.", f'"{HELP}"'))])


class TypographyTestCase(AnsweringMixin, BaseTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # After the mixin's own patch, so that this content wins.
        cls.enterClassContext(patch("pharmagarde.diagnostic.models.get_referential",
                                    lambda version: CONTENT))

    def setUp(self):
        self.client.force_login(self.colin)
        self.url = self.theme_url(self.make_assessment(), "acces")

    def question_title(self, response):
        return re.search(r'<h2 class="question__title" id="titre-mdp">(.*?)</h2>',
                         response.content.decode()).group(1)

    def test_it_shows_no_break_spaces_before_a_colon_and_a_question_mark(self):
        response = self.client.get(self.url)
        title = self.question_title(response)
        self.assertEqual(title, "Mot de passe &lt;b&gt;fort&lt;/b&gt;\u00a0: chacun a-t-il le"
                                " sien\u202f?")
        # No ordinary space or line break left where the browser could start a line with ":".
        self.assertIsNone(re.search(r"[ \t\n][;:?!]", title))
        self.assertNotContains(response, "<b>fort</b>")
        self.assertContains(response, "Voir https://cyber.gouv.fr/?page=1 avant 10:30\u202f; le"
                                      " guide «\u202fMots de passe\u202f».")
        self.assertContains(response, "Qui entre dans vos ordinateurs, et avec quoi\u202f?")
        lines = response.content.decode().splitlines()
        self.assertEqual([line for line in lines if line.strip()[:1] in {":", "?"}], [])

    def test_it_leaves_english_as_written(self):
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.client.get(self.url)
        self.assertEqual(self.question_title(response),
                         "Mot de passe &lt;b&gt;fort&lt;/b&gt; : chacun a-t-il le sien ?")

    def test_it_spaces_the_labels_of_the_templates_too(self):
        # « Pourquoi c'est important : » is the template's own text, not the content's.
        response = self.client.get(self.url)
        page = response.content.decode()
        self.assertIn("Pourquoi c'est important\u00a0:</strong>", page)
        self.assertIn("Besoin d'aide pour répondre\u202f?", page)
        main = page[page.index("<main"):page.index("</main>")]
        self.assertIsNone(re.search(r"[ \t\n][;:?!]", re.sub(r"<[^>]*>", "", main)))

    def test_it_spaces_the_answer_returned_to_htmx(self):
        assessment_id = int(self.url.split("/diagnostic/")[1].split("/")[0])
        response = self.client.post(
            self.url.split("/diagnostic/")[0] + f"/diagnostic/{assessment_id}/reponse/mdp/",
            {"choices": ["oui", "_dont_know"], "revision": 0}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 422)
        self.assertIn("soit «\u202fJe ne sais pas\u202f», pas les deux", response.content.decode())
