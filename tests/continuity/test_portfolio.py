"""Continuity's facts across one's organisations: the worst restore status of the
backups, as the backups page gives it (each one's own rhythm, a later failure, one never
tested), or without backups the last successful test logged; the plan's review, stale
after a year."""

import datetime

from django.utils import timezone

from pharmagarde.continuity.models import ContinuityPlan, RestoreTest
from pharmagarde.continuity.portfolio import summaries
from pharmagarde.core import portfolio
from pharmagarde.inventory.models import Backup
from pharmagarde.lib.dates import add_months
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

    def backup(self, what, *, days_ago=None, every=3):
        tested = (timezone.localdate() - datetime.timedelta(days=days_ago)
                  if days_ago is not None else None)
        return Backup.objects.create(organisation=self.org, what=what,
                                     last_restore_test=tested, test_every_months=every)

    def test_it_counts_a_date_typed_in_the_inventory_and_says_when_it_is_late(self):
        old = timezone.localdate() - datetime.timedelta(days=400)
        Backup.objects.create(organisation=self.org, what="LGO", last_restore_test=old)
        restore, _review = self.facts()
        self.assertEqual(restore.level, portfolio.WARNING)
        self.assertIn("« LGO » : test en retard depuis le", restore.text)
        self.assertEqual(restore.value, 400)

    def test_it_warns_when_one_backup_was_never_tested(self):
        self.backup("LGO", days_ago=10)
        self.backup("Documents")
        restore, _review = self.facts()
        self.assertEqual((restore.text, restore.level),
                         ("« Documents » : jamais testée", portfolio.WARNING))
        self.assertEqual(restore.url, self.org_url("continuity_backups"))

    def test_it_keeps_to_each_backup_own_rhythm(self):
        self.backup("LGO", days_ago=200, every=3)
        restore, _review = self.facts()
        self.assertEqual(restore.level, portfolio.WARNING)
        self.assertIn("« LGO » : test en retard", restore.text)
        Backup.objects.filter(what="LGO").update(test_every_months=12)
        restore, _review = self.facts()
        self.assertEqual(restore.level, portfolio.OK)
        self.assertTrue(restore.text.startswith("À jour ; prochain test avant le"),
                        restore.text)

    def test_a_later_failed_test_is_not_up_to_date(self):
        backup = self.backup("LGO", days_ago=30)
        RestoreTest.objects.create(organisation=self.org, backup=backup, what="LGO",
                                   duration_minutes=20, result=RestoreTest.Result.FAILURE,
                                   tested_on=timezone.localdate() - datetime.timedelta(days=2))
        restore, _review = self.facts()
        self.assertEqual((restore.text, restore.level),
                         ("« LGO » : dernier test en échec", portfolio.WARNING))

    def test_it_names_the_worst_and_counts_the_others(self):
        self.backup("LGO", days_ago=10)
        self.backup("Documents")
        self.backup("Comptabilité", days_ago=200)
        self.backup("Messagerie")
        restore, _review = self.facts()
        self.assertEqual(restore.text, "« Documents » : jamais testée (et 2 autres "
                                       "sauvegardes à tester)")

    def test_it_is_up_to_date_when_every_backup_is(self):
        self.backup("LGO", days_ago=10)
        self.backup("Documents", days_ago=20, every=1)
        restore, _review = self.facts()
        # The monthly one is due first.
        due = add_months(timezone.localdate() - datetime.timedelta(days=20), 1)
        self.assertEqual((restore.text, restore.level),
                         (f"À jour ; prochain test avant le {due:%d/%m/%Y}", portfolio.OK))

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

    def test_it_reads_two_queries_for_any_number_of_organisations(self):
        for organisation in (self.org, self.other_org):
            for what in ("LGO", "Documents"):
                backup = Backup.objects.create(organisation=organisation, what=what)
                RestoreTest.objects.create(organisation=organisation, backup=backup,
                                           what=what, duration_minutes=20,
                                           result=RestoreTest.Result.FAILURE,
                                           tested_on=timezone.localdate())
        self.assertSummariesCost(summaries, 2)
