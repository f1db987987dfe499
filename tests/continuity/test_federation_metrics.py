"""continuity.federation_metrics: a successful restore test, and a finished exercise, in
the 12 months before the moment."""

import datetime

from django.test import TestCase
from django.utils import timezone

from pharmagarde.continuity import federation_metrics
from pharmagarde.continuity.models import Exercise, RestoreTest
from pharmagarde.inventory.models import Backup
from tests.base import make_organisation

RESTORE, EXERCISE = "continuity.restore_fresh", "continuity.plan_tested"


def restore(organisation, days_ago, result=RestoreTest.Result.SUCCESS):
    return RestoreTest.objects.create(
        organisation=organisation,
        tested_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        what="LGO", duration_minutes=30, result=result)


class ContinuityMetricsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.orgs = [make_organisation(f"Pharmacie {i}", f"p{i}") for i in range(4)]

    def setUp(self):
        # Taken per test, not at import: the suite may reach this file minutes later, and
        # what the test creates must be recorded before the moment asked for.
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)

    def values(self, moment=None):
        moment = moment or timezone.now() + datetime.timedelta(minutes=1)
        return federation_metrics.values({org.pk for org in self.orgs}, moment)

    def test_every_organisation_gets_a_yes_or_a_no(self):
        fresh, stale, failed, typed = self.orgs
        restore(fresh, 30)
        restore(stale, 400)
        restore(failed, 10, RestoreTest.Result.FAILURE)
        Backup.objects.create(organisation=typed, what="LGO",
                              last_restore_test=self.today - datetime.timedelta(days=60))
        found = self.values()
        self.assertEqual({org.pk: found[org.pk][RESTORE] for org in self.orgs},
                         {fresh.pk: True, stale.pk: False, failed.pk: False, typed.pk: True})

    def test_a_test_recorded_after_the_moment_does_not_count(self):
        test = restore(self.orgs[0], 3)
        self.assertTrue(self.values()[self.orgs[0].pk][RESTORE])
        RestoreTest.objects.filter(pk=test.pk).update(
            created_at=self.now + datetime.timedelta(days=1))
        self.assertFalse(self.values()[self.orgs[0].pk][RESTORE])

    def test_a_finished_exercise_in_the_twelve_months(self):
        done, old, running, _none = self.orgs
        for org, days, status in [(done, 30, Exercise.Status.DONE),
                                  (old, 500, Exercise.Status.DONE),
                                  (running, 1, Exercise.Status.RUNNING)]:
            at = self.now - datetime.timedelta(days=days)
            Exercise.objects.create(organisation=org, scenario="faux-rib", title="Exercice",
                                    status=status, started_at=at,
                                    ended_at=at if status == Exercise.Status.DONE else None)
        found = self.values()
        self.assertEqual([found[org.pk][EXERCISE] for org in self.orgs],
                         [True, False, False, False])

    def test_the_number_of_queries_does_not_grow_with_the_organisations(self):
        for org in self.orgs:
            restore(org, 5)
        with self.assertNumQueries(3):
            self.assertEqual(len(federation_metrics.values({self.orgs[0].pk}, self.now)), 1)
        with self.assertNumQueries(3):
            self.assertEqual(len(self.values()), 4)
