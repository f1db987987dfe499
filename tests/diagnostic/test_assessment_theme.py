from django.utils.html import escape

from pharmagarde.diagnostic.models import Answer, Assessment, Evidence
from tests.base import BaseTestCase
from tests.diagnostic.test_assessment_referential import AnsweringMixin


class AssessmentThemeTestCase(AnsweringMixin, BaseTestCase):
    def setUp(self):
        self.assessment = self.make_assessment()
        self.url = self.theme_url(self.assessment, "acces")
        self.client.force_login(self.colin)

    def test_it_shows_the_theme_its_progress_and_its_questions(self):
        self.make_answer("supports", ["externe"])
        response = self.client.get(self.url)
        self.assertShows(response, "Thème 1 sur 3 :")
        self.assertContains(response, "Accès et mots de passe")
        self.assertContains(response, "Qui entre dans vos ordinateurs, et avec quoi\u202f?")
        self.assertContains(response, '<label for="progress-bar">Avancement du diagnostic'
                            "</label>")
        self.assertContains(response, '<progress id="progress-bar" max="6" value="1">')
        self.assertContains(response, "1 question sur 6")
        self.assertContains(response, "Chaque personne a-t-elle son propre mot de passe\u202f?")
        self.assertShows(response, "Pourquoi c'est important :")
        self.assertContains(response, "Un mot de passe partagé ne permet pas")
        self.assertContains(response, escape("Pensez au logiciel de gestion de l'officine"))
        self.assertContains(response, 'type="radio" name="choices" value="partiel"')
        self.assertContains(response, '<label for="choix-mdp__ne-sais-pas">Je ne sais pas')
        self.assertContains(response, 'id="choix-wifi__ne-sais-pas"')
        self.assertNotContains(response, 'id="choix-admin__ne-sais-pas"')
        self.assertContains(response, "à poser à votre prestataire informatique")
        self.assertContains(response, 'name="comment"')
        self.assertContains(response, 'hx-post="' + self.save_url(self.assessment, "mdp"))
        self.assertContains(response, 'id="rev-mdp" value="0"')

    def make_answer(self, question_id, choices, **fields):
        return Answer.objects.create(organisation=self.org, assessment=self.assessment,
                                     question_id=question_id, choice_ids=choices,
                                     answered_by=self.rita, **fields)

    def test_it_shows_checkboxes_for_a_multiple_question(self):
        response = self.client.get(self.theme_url(self.assessment, "sauvegardes"))
        self.assertContains(response, 'type="checkbox" name="choices" value="externe"')
        self.assertContains(response, 'value="aucune" id="choix-supports__aucune" data-exclusive')
        self.assertContains(response, "Plusieurs réponses possibles.")

    def test_it_shows_saved_answers_ticked_with_who_answered(self):
        self.make_answer("mdp", ["partiel"], comment="Sauf le LGO")
        response = self.client.get(self.url)
        self.assertContains(response, 'value="partiel" id="choix-mdp__partiel" checked')
        self.assertContains(response, "Sauf le LGO</textarea>")
        self.assertContains(response, "Répondu par rita@alpha.example")
        self.assertContains(response, 'id="rev-mdp" value="1"')

    def test_it_marks_proposed_answers(self):
        self.make_answer("mdp", ["oui"], proposed=True)
        response = self.client.get(self.url)
        self.assertContains(response, '<span class="badge badge--proposed">proposée</span>')
        self.assertShows(response, "Confirmez-la avec « Enregistrer » ou changez-la.")

    def test_it_lists_the_themes_with_their_state(self):
        self.make_answer("mdp", ["oui"])
        self.make_answer("supports", ["externe"])
        self.make_answer("restauration", ["oui"])
        response = self.client.get(self.url)
        self.assertContains(response, 'aria-current="step"', count=1)
        self.assertContains(response, "en cours, 1 sur 3")
        self.assertContains(response, "terminé")
        self.assertContains(response, "à faire")

    def test_it_shows_a_conditional_question_only_for_its_answers(self):
        self.assertNotContains(self.client.get(self.url), "Le Wi-Fi des clients")
        self.make_answer("wifi", ["oui"])
        self.assertContains(self.client.get(self.url), "Le Wi-Fi des clients")

    def test_it_links_the_previous_and_next_themes_and_completes_on_the_last(self):
        response = self.client.get(self.theme_url(self.assessment, "sauvegardes"))
        self.assertContains(response, self.theme_url(self.assessment, "acces"))
        self.assertShows(response, "Thème suivant : Postes de travail")
        self.assertNotContains(response, "Terminer le diagnostic")
        response = self.client.get(self.theme_url(self.assessment, "postes"))
        self.assertShows(response, "Thème précédent : Sauvegardes")
        self.assertContains(response, self.org_url("assessment_complete", self.assessment.pk))

    def test_it_lists_the_missing_answers_after_a_failed_completion(self):
        self.make_answer("mdp", ["oui"])
        response = self.client.get(self.url + "?manquantes=1")
        self.assertContains(response, "Questions sans réponse")
        self.assertContains(response, f'{self.url}#q-wifi"')
        self.assertContains(response, self.theme_url(self.assessment, "postes") + "#q-maj")
        self.assertContains(response, "question card question--missing", count=2)

    def test_it_shows_the_evidence_of_each_answer(self):
        answer = self.make_answer("mdp", ["oui"])
        evidence = Evidence.objects.create(organisation=self.org, answer=answer,
                                           file="evidence/x.pdf", original_name="charte.pdf",
                                           size=2048, content_type="application/pdf")
        response = self.client.get(self.url)
        self.assertContains(response, "charte.pdf")
        self.assertContains(response, self.org_url("evidence_download", evidence.pk))
        self.assertContains(response, self.org_url("evidence_delete", evidence.pk))
        self.assertContains(response, 'type="file" name="file" id="fichier-mdp"')
        self.assertContains(response, "Répondez d'abord à la question", count=2)

    def test_it_shows_the_read_only_role_answers_without_inputs(self):
        answer = self.make_answer("mdp", ["partiel"], comment="Sauf le LGO")
        Evidence.objects.create(organisation=self.org, answer=answer, file="evidence/x.pdf",
                                original_name="charte.pdf", size=10,
                                content_type="application/pdf")
        self.client.force_login(self.readonly)
        response = self.client.get(self.url)
        self.assertContains(response, "lecture seule")
        self.assertContains(response, "Pour certains logiciels")
        self.assertContains(response, "Sauf le LGO")
        self.assertContains(response, "Pas encore de réponse")
        self.assertContains(response, "charte.pdf")
        self.assertNotContains(response, 'name="choices"')
        self.assertNotContains(response, 'name="file"')
        self.assertNotContains(response, "Retirer")
        self.assertNotContains(response, "Terminer le diagnostic")

    def test_it_shows_a_completed_assessment_read_only(self):
        self.make_answer("mdp", ["oui"])
        self.assessment.status = Assessment.Status.COMPLETED
        self.assessment.save()
        response = self.client.get(self.url)
        self.assertContains(response, "Ce diagnostic est terminé")
        self.assertContains(response, self.org_url("assessment_results", self.assessment.pk))
        self.assertNotContains(response, 'name="choices"')

    def test_it_costs_the_same_queries_with_more_answers_and_evidence(self):
        questions = ["mdp", "wifi", "wifi-invites", "admin", "supports", "restauration"]

        def make_row(i):
            if i < len(questions):
                self.make_answer(questions[i], ["_"])
            answer = Answer.objects.filter(assessment=self.assessment).order_by("?").first()
            Evidence.objects.create(organisation=self.org, answer=answer,
                                    file=f"evidence/{i}.pdf", original_name=f"{i}.pdf",
                                    size=10, content_type="application/pdf")

        self.assertQueriesConstant(self.url, make_row, few=6)

    def test_it_answers_404_for_an_unknown_theme(self):
        self.assertEqual(self.client.get(self.theme_url(self.assessment, "inconnu"))
                         .status_code, 404)

    def test_it_hides_another_organisation_assessment(self):
        theirs = self.make_assessment(org=self.other_org, user=self.oscar)
        self.assertEqual(self.client.get(self.theme_url(theirs, "acces")).status_code, 404)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_it_refuses_post(self):
        self.assertEqual(self.client.post(self.url).status_code, 405)
