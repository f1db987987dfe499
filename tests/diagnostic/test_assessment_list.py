from django.utils import timezone

from pharmagarde.diagnostic.models import Answer, Assessment
from tests.base import BaseTestCase
from tests.diagnostic.test_assessment_referential import VERSION, AnsweringMixin


class AssessmentListTestCase(AnsweringMixin, BaseTestCase):
    def setUp(self):
        self.url = self.org_url("assessment_list")
        self.client.force_login(self.colin)

    def make_completed(self, i=0, org=None, score=71.8, level=3):
        return Assessment.objects.create(
            organisation=org or self.org, referential_version=VERSION,
            organisation_kind="officine", size_band="1-9", status=Assessment.Status.COMPLETED,
            completed_at=timezone.now() - timezone.timedelta(days=30 * (i + 1)),
            score=score, level=level)

    def test_it_explains_the_diagnostic_when_there_is_none(self):
        response = self.client.get(self.url)
        self.assertContains(response, "comptez une vingtaine de minutes")
        self.assertContains(response, "thème par thème")
        self.assertShows(response, "« Je ne sais pas » est une bonne réponse")
        self.assertContains(response, "Commencer un diagnostic")
        self.assertContains(response, f'action="{self.org_url("assessment_start")}"')

    def test_it_shows_the_assessment_in_progress_with_its_progress(self):
        assessment = self.make_assessment(mdp=["oui"], wifi=["non"])
        response = self.client.get(self.url)
        self.assertContains(response, "Diagnostic en cours")
        self.assertContains(response, '<progress id="avancement" max="6" value="2">')
        self.assertContains(response, "2 questions sur 6")
        self.assertContains(response, "Reprendre")
        self.assertContains(response, self.org_url("assessment_detail", assessment.pk))
        # One assessment at a time: no second start button while one is in progress.
        self.assertNotContains(response, "Commencer un diagnostic")

    def test_it_lists_completed_assessments_with_score_level_and_results(self):
        done = self.make_completed()
        response = self.client.get(self.url)
        self.assertContains(response, "Diagnostics terminés")
        self.assertContains(response, "72 / 100")
        self.assertShows(response, "Niveau 3 sur 4 : Maîtrisé")
        self.assertContains(response, self.org_url("assessment_results", done.pk))
        self.assertContains(response, "Commencer un diagnostic")
        self.assertContains(response, "Vos réponses précédentes vous seront proposées")

    def test_it_paginates(self):
        for i in range(25):
            self.make_completed(i)
        self.assertContains(self.client.get(self.url), "Page 1 sur 2")
        self.assertContains(self.client.get(self.url + "?page=2"), "Page 2 sur 2")

    def test_it_shows_the_read_only_role_no_start_button(self):
        self.make_assessment()
        self.client.force_login(self.readonly)
        response = self.client.get(self.url)
        self.assertContains(response, "Voir les réponses")
        self.assertNotContains(response, "Commencer un diagnostic")
        self.assertNotContains(response, "Reprendre")

    def test_it_tells_the_read_only_role_it_cannot_start_one(self):
        self.client.force_login(self.readonly)
        self.assertContains(self.client.get(self.url), "Votre rôle ne permet pas d'en commencer")

    def test_it_shows_only_this_organisation_assessments(self):
        theirs = self.make_completed(org=self.other_org)
        self.make_assessment(org=self.other_org, user=self.oscar)
        response = self.client.get(self.url)
        self.assertNotContains(response, self.org_url("assessment_results", theirs.pk))
        self.assertNotContains(response, "Diagnostic en cours")

    def test_it_costs_the_same_queries_for_many_assessments(self):
        assessment = self.make_assessment()
        questions = list(assessment.referential.questions)

        def make_row(i):
            self.make_completed(i)
            if i < len(questions):
                Answer.objects.create(organisation=self.org, assessment=assessment,
                                      question_id=questions[i], choice_ids=["oui"])

        self.assertQueriesConstant(self.url, make_row)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)
