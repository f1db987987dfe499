"""Continuity's facts across one's organisations: the last successful restore test and
the plan's review, each stale after a year."""

import datetime

from django.utils import timezone

from pharmagarde.continuity.models import ContinuityPlan, RestoreTest
from pharmagarde.continuity.portfolio import summaries
from pharmagarde.core import portfolio
from pharmagarde.inventory.models import Backup
from tests.base import BaseTestCase
from tests.core.test_portfolio import SummariesTestMixin


class ContinuityPortfolioTestCase(SummariesTestMixin, BaseTestCase):
    def facts(self, user=None):
        restore, review = summaries(self.memberships(user or self.colin))[self.org.pk]
        return restore, review

    def test_it_says_when_there_was_never_a_test_nor_a_review(self):
        restore, review = self.facts()
        self.assertEqual((restore.text, restore.level),
                         ("Aucun test de restauration", portfolio.WARNING))
        self.assertEqual(restore.url, self.org_url("continuity_backups"))
        self.assertEqual((review.text, review.level), ("Jamais revu", portfolio.WARNING))
        self.assertEqual(review.url, self.org_url("continuity_plan") + "#revue")

    def test_it_gives_the_latest_successful_test(self):
        today = timezone.localdate()
        for days, result in [(40, RestoreTest.Result.SUCCESS), (5, RestoreTest.Result.FAILURE)]:
            RestoreTest.objects.create(organisation=self.org, what="LGO", duration_minutes=20,
                                       tested_on=today - datetime.timedelta(days=days),
                                       result=result)
        restore, _review = self.facts()
        day = (today - datetime.timedelta(days=40)).strftime("%d/%m/%Y")
        self.assertEqual((restore.text, restore.level, restore.value),
                         (f"Le {day}", portfolio.OK, 40))

    def test_it_counts_a_date_typed_in_the_inventory_and_says_when_it_is_stale(self):
        old = timezone.localdate() - datetime.timedelta(days=400)
        Backup.objects.create(organisation=self.org, what="LGO", last_restore_test=old)
        restore, _review = self.facts()
        self.assertEqual(restore.level, portfolio.WARNING)
        self.assertEqual(restore.text, f"Le {old:%d/%m/%Y} : plus d'un an")

    def test_it_gives_the_plan_review(self):
        plan = ContinuityPlan.objects.create(organisation=self.org,
                                             reviewed_at=timezone.now())
        _restore, review = self.facts()
        self.assertEqual(review.level, portfolio.OK)
        plan.reviewed_at = timezone.now() - datetime.timedelta(days=400)
        plan.save()
        _restore, review = self.facts()
        self.assertEqual(review.level, portfolio.WARNING)
        self.assertIn("plus d'un an", review.text)

    def test_it_reads_one_query_for_any_number_of_organisations(self):
        self.assertSummariesCost(summaries, 1)
