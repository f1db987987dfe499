from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from pharmagarde.diagnostic.models import Answer, Assessment
from tests.base import BaseTestCase
from tests.diagnostic.test_assessment_referential import VERSION, AnsweringMixin


class AssessmentStartTestCase(AnsweringMixin, BaseTestCase):
    def setUp(self):
        self.url = self.org_url("assessment_start")
        self.client.force_login(self.colin)

    def test_it_starts_and_opens_the_first_theme(self):
        response = self.client.post(self.url, follow=True)
        assessment = Assessment.objects.get(organisation=self.org)
        self.assertRedirects(response, self.theme_url(assessment, "acces"))
        self.assertEqual((assessment.referential_version, assessment.started_by),
                         (VERSION, self.colin))
        self.assertContains(response, "Diagnostic commencé")
        self.assertTrue(AuditEntry.objects.filter(action="assessment.started").exists())

    def test_it_resumes_the_assessment_in_progress_instead_of_starting_another(self):
        current = self.make_assessment()
        response = self.client.post(self.url)
        self.assertRedirects(response, self.org_url("assessment_detail", current.pk),
                             fetch_redirect_response=False)
        self.assertEqual(Assessment.objects.filter(organisation=self.org).count(), 1)
        self.assertContains(self.client.get(self.org_url("assessment_list")),
                            "Un diagnostic est déjà en cours")

    def test_it_proposes_the_previous_answers(self):
        previous = self.make_assessment(mdp=["partiel"], wifi=["?"])
        previous.status, previous.completed_at = Assessment.Status.COMPLETED, timezone.now()
        previous.save()
        Action.objects.create(organisation=self.org, title="Sauvegarder", status="done",
                              source_data={"closes": {"diagnostic": ["supports"]}})
        self.client.post(self.url)
        assessment = Assessment.objects.get(status=Assessment.Status.IN_PROGRESS)
        proposed = {a.question_id: (a.choice_ids, a.dont_know, a.proposed)
                    for a in Answer.objects.filter(assessment=assessment)}
        self.assertEqual(proposed, {"mdp": (["partiel"], False, True),
                                    "wifi": ([], True, True),
                                    "supports": (["externe", "hors-ligne"], False, True)})
        page = self.client.get(self.theme_url(assessment, "acces"))
        self.assertContains(page, "proposée")
        self.assertShows(page, "Confirmez-la avec « Enregistrer » ou changez-la.")

    def test_it_refuses_get(self):
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.assertFalse(Assessment.objects.exists())

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.assertFalse(Assessment.objects.exists())

    def test_it_redirects_anonymous(self):
        self.client.logout()
        self.assertEqual(self.client.post(self.url).status_code, 302)
        self.assertFalse(Assessment.objects.exists())
