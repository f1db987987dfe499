from pharmagarde.diagnostic.models import Assessment
from tests.base import BaseTestCase
from tests.diagnostic.test_assessment_referential import AnsweringMixin


class AssessmentDetailTestCase(AnsweringMixin, BaseTestCase):
    def setUp(self):
        self.client.force_login(self.colin)

    def detail(self, assessment):
        return self.client.get(self.org_url("assessment_detail", assessment.pk))

    def test_it_opens_the_first_theme_with_unanswered_questions(self):
        assessment = self.make_assessment(mdp=["oui"], wifi=["non"], admin=["oui"])
        self.assertRedirects(self.detail(assessment), self.theme_url(assessment, "sauvegardes"))

    def test_it_counts_a_conditional_question_once_it_is_shown(self):
        assessment = self.make_assessment(mdp=["oui"], wifi=["oui"], admin=["oui"])
        self.assertRedirects(self.detail(assessment), self.theme_url(assessment, "acces"))

    def test_it_opens_the_last_theme_when_everything_is_answered(self):
        assessment = self.make_assessment(mdp=["oui"], wifi=["non"], admin=["oui"],
                                          supports=["externe"], restauration=["?"],
                                          maj=["oui"])
        self.assertRedirects(self.detail(assessment), self.theme_url(assessment, "postes"))

    def test_it_shows_the_results_of_a_completed_assessment(self):
        assessment = self.make_assessment()
        assessment.status = Assessment.Status.COMPLETED
        assessment.save()
        self.assertRedirects(self.detail(assessment),
                             self.org_url("assessment_results", assessment.pk),
                             fetch_redirect_response=False)

    def test_it_lets_the_read_only_role_see_it(self):
        assessment = self.make_assessment()
        self.client.force_login(self.readonly)
        self.assertRedirects(self.detail(assessment), self.theme_url(assessment, "acces"))

    def test_it_hides_another_organisation_assessment(self):
        theirs = self.make_assessment(org=self.other_org, user=self.oscar)
        self.assertEqual(self.detail(theirs).status_code, 404)

    def test_it_hides_from_outsiders(self):
        assessment = self.make_assessment()
        self.client.force_login(self.outsider)
        self.assertEqual(self.detail(assessment).status_code, 404)

    def test_it_redirects_anonymous(self):
        assessment = self.make_assessment()
        self.client.logout()
        self.assertEqual(self.detail(assessment).status_code, 302)
