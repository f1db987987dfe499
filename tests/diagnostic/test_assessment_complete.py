from pharmagarde.core.models import AuditEntry
from pharmagarde.diagnostic.models import Assessment
from tests.base import BaseTestCase
from tests.diagnostic.test_assessment_referential import AnsweringMixin

ALL_ANSWERED = {"mdp": ["oui"], "wifi": ["non"], "admin": ["oui"], "supports": ["externe"],
                "restauration": ["?"], "maj": ["oui"]}


class AssessmentCompleteTestCase(AnsweringMixin, BaseTestCase):
    def setUp(self):
        self.client.force_login(self.colin)

    def complete(self, assessment, **kwargs):
        return self.client.post(self.org_url("assessment_complete", assessment.pk), **kwargs)

    def test_it_completes_and_shows_the_results(self):
        assessment = self.make_assessment(**ALL_ANSWERED)
        response = self.complete(assessment)
        self.assertRedirects(response, self.org_url("assessment_results", assessment.pk),
                             fetch_redirect_response=False)
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, Assessment.Status.COMPLETED)
        self.assertIsNotNone(assessment.score)
        self.assertTrue(AuditEntry.objects.filter(action="assessment.completed").exists())

    def test_it_ignores_the_stale_answer_of_a_hidden_question(self):
        # wifi-invites was answered, then wifi changed to "non": it no longer counts.
        assessment = self.make_assessment(**ALL_ANSWERED, wifi_invites=["non"])
        self.assertEqual(self.complete(assessment).status_code, 302)
        assessment.refresh_from_db()
        self.assertNotIn("wifi-invites", [g.question.id for g in assessment.result().gaps])

    def test_it_lists_what_is_missing_and_goes_back_to_it(self):
        answers = dict(ALL_ANSWERED, wifi=["oui"])  # wifi-invites and wifi-chiffrement appear
        del answers["supports"]
        assessment = self.make_assessment(**answers)
        response = self.complete(assessment, follow=True)
        self.assertRedirects(response, self.theme_url(assessment, "acces")
                             + "?manquantes=1#manquantes")
        self.assertContains(response, "Il reste 3 question(s) sans réponse.")
        self.assertContains(response, "Questions sans réponse")
        self.assertContains(response, "#q-wifi-invites")
        self.assertContains(response, "#q-supports")
        self.assertContains(response, "#q-wifi-chiffrement")
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, Assessment.Status.IN_PROGRESS)

    def test_it_does_not_complete_twice(self):
        assessment = self.make_assessment(**ALL_ANSWERED)
        self.complete(assessment)
        response = self.complete(assessment, follow=True)
        self.assertEqual(AuditEntry.objects.filter(action="assessment.completed").count(), 1)
        self.assertEqual(response.redirect_chain[0][0],
                         self.org_url("assessment_results", assessment.pk))

    def test_it_refuses_get(self):
        assessment = self.make_assessment(**ALL_ANSWERED)
        response = self.client.get(self.org_url("assessment_complete", assessment.pk))
        self.assertEqual(response.status_code, 405)

    def test_it_refuses_the_read_only_role(self):
        assessment = self.make_assessment(**ALL_ANSWERED)
        self.client.force_login(self.readonly)
        self.assertEqual(self.complete(assessment).status_code, 403)
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, Assessment.Status.IN_PROGRESS)

    def test_it_hides_another_organisation_assessment(self):
        theirs = self.make_assessment(org=self.other_org, user=self.oscar, **ALL_ANSWERED)
        self.assertEqual(self.complete(theirs).status_code, 404)
        theirs.refresh_from_db()
        self.assertEqual(theirs.status, Assessment.Status.IN_PROGRESS)

    def test_it_hides_from_outsiders(self):
        assessment = self.make_assessment(**ALL_ANSWERED)
        self.client.force_login(self.outsider)
        self.assertEqual(self.complete(assessment).status_code, 404)

    def test_it_redirects_anonymous(self):
        assessment = self.make_assessment(**ALL_ANSWERED)
        self.client.logout()
        self.assertEqual(self.complete(assessment).status_code, 302)


class CarriedOverAnswersTestCase(AnsweringMixin, BaseTestCase):
    """Answers carried over from the last assessment wait for confirmation."""

    def setUp(self):
        self.client.force_login(self.colin)
        previous = self.make_assessment(**ALL_ANSWERED)
        self.assertEqual(self.client.post(
            self.org_url("assessment_complete", previous.pk)).status_code, 302)
        self.client.post(self.org_url("assessment_start"))
        self.assessment = Assessment.objects.get(status=Assessment.Status.IN_PROGRESS)

    def test_it_does_not_count_them_as_done(self):
        self.assertEqual(self.assessment.answers.filter(proposed=True).count(), 6)
        response = self.client.get(self.theme_url(self.assessment, "acces"))
        self.assertContains(response, "0 questions sur 6")
        self.assertNotContains(response, "terminé</span>")

    def test_it_refuses_to_complete_before_they_are_confirmed(self):
        response = self.client.post(self.org_url("assessment_complete", self.assessment.pk),
                                    follow=True)
        self.assertContains(response, "6 réponses reprises du diagnostic précédent")
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, Assessment.Status.IN_PROGRESS)

    def test_it_counts_a_confirmed_answer(self):
        answer = self.assessment.answers.get(question_id="mdp")
        self.answer(self.assessment, "mdp", "oui", revision=answer.revision)
        response = self.client.get(self.theme_url(self.assessment, "acces"))
        self.assertContains(response, "1 question sur 6")

    def test_it_shows_the_confirmed_progress_in_the_list(self):
        response = self.client.get(self.org_url("assessment_list"))
        self.assertContains(response, "0 questions sur 6")
