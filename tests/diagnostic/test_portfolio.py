"""The diagnostic's facts across one's organisations: the latest score, stale after a
year, in one query."""

from django.utils import timezone

from pharmagarde.core import portfolio
from pharmagarde.diagnostic.models import Assessment
from pharmagarde.diagnostic.portfolio import summaries
from tests.base import BaseTestCase
from tests.core.test_portfolio import SummariesTestMixin, completed_assessment


class DiagnosticPortfolioTestCase(SummariesTestMixin, BaseTestCase):
    def test_it_gives_the_latest_completed_score_and_its_page(self):
        completed_assessment(self.org, score=40, days_ago=100)
        latest = completed_assessment(self.org, score=71.6, days_ago=3)
        Assessment.objects.create(organisation=self.org, referential_version="2025.1",
                                  organisation_kind="officine", size_band="1-9")
        [fact] = summaries(self.memberships(self.colin))[self.org.pk]
        self.assertEqual(fact.key, portfolio.SCORE)
        self.assertEqual(fact.value, 71.6)
        self.assertEqual(fact.level, portfolio.OK)
        day = timezone.localtime(latest.completed_at).strftime("%d/%m/%Y")
        self.assertEqual(fact.text, f"72 / 100, le {day}")
        self.assertEqual(fact.url, self.org_url("assessment_results", latest.pk))

    def test_it_says_a_score_older_than_a_year_is_stale(self):
        completed_assessment(self.org, days_ago=400)
        [fact] = summaries(self.memberships(self.aude))[self.org.pk]
        self.assertEqual(fact.level, portfolio.WARNING)
        self.assertIn("à refaire", fact.text)

    def test_it_invites_to_start_when_there_is_none(self):
        [fact] = summaries(self.memberships(self.alice))[self.org.pk]
        self.assertEqual(fact.text, "Pas encore fait")
        self.assertEqual(fact.url, self.org_url("assessment_list"))

    def test_it_reads_one_query_for_any_number_of_organisations(self):
        completed_assessment(self.org)
        completed_assessment(self.other_org)
        self.assertSummariesCost(summaries, 1)
