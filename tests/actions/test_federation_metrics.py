"""actions.federation_metrics: the share of the items open at the moment that were late."""

import datetime

from django.test import TestCase
from django.utils import timezone

from pharmagarde.actions import federation_metrics
from pharmagarde.actions.models import Action
from tests.base import make_organisation

NOW = timezone.now()
TODAY = timezone.localdate(NOW)
KEY = "actions.overdue_share"


def days(count):
    return TODAY + datetime.timedelta(days=count)


class ActionsMetricsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = make_organisation("Pharmacie Alpha", "alpha")
        cls.empty = make_organisation("Pharmacie Bravo", "bravo")

    def values(self, moment=None):
        # A minute after what the test created: taken now, not when the file was imported
        # (the suite may reach this file minutes later).
        moment = moment or timezone.now() + datetime.timedelta(minutes=1)
        return federation_metrics.values({self.org.pk, self.empty.pk}, moment)

    def make(self, **fields):
        return Action.objects.create(organisation=self.org, title="Action", **fields)

    def test_the_share_of_open_items_past_their_due_date(self):
        self.make(due_date=days(-3))
        self.make(due_date=days(10))
        self.make()
        self.make(due_date=days(-30), status=Action.Status.DONE, closed_at=NOW)
        self.make(due_date=days(-30), status=Action.Status.DROPPED)
        found = self.values()
        self.assertEqual(found[self.org.pk], {KEY: 33.3})
        self.assertNotIn(self.empty.pk, found)

    def test_an_item_closed_after_the_moment_was_open_then(self):
        self.make(due_date=days(-10), status=Action.Status.DONE, closed_at=NOW)
        self.make(due_date=days(10))
        self.assertEqual(self.values()[self.org.pk], {KEY: 0.0})
        earlier = NOW - datetime.timedelta(days=1)
        Action.objects.update(created_at=NOW - datetime.timedelta(days=20))
        self.assertEqual(self.values(earlier)[self.org.pk], {KEY: 50.0})

    def test_the_number_of_queries_does_not_grow_with_the_organisations(self):
        self.make(due_date=days(-1))
        Action.objects.create(organisation=self.empty, title="Autre")
        later = timezone.now() + datetime.timedelta(minutes=1)
        with self.assertNumQueries(1):
            self.assertEqual(len(federation_metrics.values({self.org.pk}, later)), 1)
        with self.assertNumQueries(1):
            self.assertEqual(len(self.values()), 2)
