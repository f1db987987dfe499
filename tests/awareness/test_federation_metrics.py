"""awareness.federation_metrics: click and report rates of the campaigns finished in the
12 months before the moment, and training done among the assignments due then."""

import datetime

from django.test import TestCase
from django.utils import timezone

from pharmagarde.awareness import federation_metrics
from pharmagarde.awareness.models import Assignment, Campaign, Recipient
from pharmagarde.core.models import Person
from tests.base import make_organisation

NOW = timezone.now()
CLICK, REPORT, TRAINING = ("awareness.phishing_click", "awareness.phishing_report",
                           "awareness.training_done")


def ago(days):
    return NOW - datetime.timedelta(days=days)


def campaign(organisation, number, *, finished_days_ago, results):
    """A finished campaign with one recipient per (result, reported) pair."""
    found = Campaign.objects.create(organisation=organisation, number=number, name="Test",
                                    status=Campaign.Status.DONE,
                                    finished_at=ago(finished_days_ago))
    sent = ago(finished_days_ago + 1)
    Recipient.objects.bulk_create([
        Recipient(organisation=organisation, campaign=found, email=f"p{number}-{i}@x.example",
                  send_at=sent, sent_at=sent, result=result,
                  clicked_at=sent if result >= Recipient.Result.CLICKED else None,
                  submitted_at=sent if result == Recipient.Result.SUBMITTED else None,
                  reported_at=sent if reported else None)
        for i, (result, reported) in enumerate(results)])
    return found


class AwarenessMetricsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = make_organisation("Pharmacie Alpha", "alpha")
        cls.other = make_organisation("Pharmacie Bravo", "bravo")
        cls.people = Person.objects.bulk_create([
            Person(organisation=cls.org, first_name=f"P{i}", last_name="N") for i in range(4)])

    def values(self, moment=None):
        # A minute after what the test created: taken now, not when the file was imported
        # (the suite may reach this file minutes later).
        moment = moment or timezone.now() + datetime.timedelta(minutes=1)
        return federation_metrics.values({self.org.pk, self.other.pk}, moment)

    def test_it_counts_clicks_and_submissions_but_not_scanner_only_hits(self):
        R = Recipient.Result
        campaign(self.org, 1, finished_days_ago=10, results=[
            (R.NONE, True), (R.OPENED, False), (R.CLICKED, False), (R.SUBMITTED, True)])
        # A hit taken for a mail scanner never raises the result (tracking.py): it counts
        # as nothing here.
        Recipient.objects.filter(result=R.OPENED).update(scanner_hits=3)
        found = self.values()
        self.assertEqual(found[self.org.pk], {CLICK: (2, 4), REPORT: (2, 4)})
        self.assertNotIn(self.other.pk, found)

    def test_only_campaigns_finished_in_the_twelve_months_before_the_moment_count(self):
        R = Recipient.Result
        campaign(self.org, 1, finished_days_ago=400, results=[(R.CLICKED, False)] * 3)
        campaign(self.org, 2, finished_days_ago=20, results=[(R.NONE, False)] * 2)
        campaign(self.org, 3, finished_days_ago=5, results=[(R.CLICKED, True)])
        self.assertEqual(self.values()[self.org.pk], {CLICK: (1, 3), REPORT: (1, 3)})
        self.assertEqual(self.values(ago(10))[self.org.pk], {CLICK: (0, 2), REPORT: (0, 2)})
        # A campaign still sending (not finished) does not count.
        Campaign.objects.filter(number=3).update(status=Campaign.Status.SENDING,
                                                 finished_at=None)
        self.assertEqual(self.values()[self.org.pk], {CLICK: (0, 2), REPORT: (0, 2)})

    def test_a_click_after_the_moment_is_not_counted(self):
        R = Recipient.Result
        campaign(self.org, 1, finished_days_ago=10, results=[(R.CLICKED, False)] * 2)
        Recipient.objects.filter(pk=Recipient.objects.first().pk).update(clicked_at=ago(-1))
        self.assertEqual(self.values()[self.org.pk][CLICK], (1, 2))

    def test_training_done_among_the_assignments_due_in_the_twelve_months(self):
        today = timezone.localdate(NOW)
        day = datetime.timedelta(days=1)
        Assignment.objects.bulk_create([
            Assignment(organisation=self.org, person=self.people[0], module="a",
                       due_on=today - 10 * day, completed_at=ago(12)),
            Assignment(organisation=self.org, person=self.people[1], module="a",
                       due_on=today - 5 * day, completed_at=ago(1)),
            Assignment(organisation=self.org, person=self.people[2], module="a",
                       due_on=today - 3 * day),
            # Due in the future, or more than a year ago, or without a date: not counted.
            Assignment(organisation=self.org, person=self.people[3], module="a",
                       due_on=today + 3 * day),
            Assignment(organisation=self.org, person=self.people[3], module="b",
                       due_on=today - 400 * day, completed_at=ago(500)),
            Assignment(organisation=self.org, person=self.people[3], module="c"),
        ])
        Assignment.objects.update(assigned_at=ago(30))
        self.assertEqual(self.values()[self.org.pk], {TRAINING: (2, 3)})
        self.assertEqual(self.values(ago(4))[self.org.pk], {TRAINING: (1, 2)})

    def test_the_number_of_queries_does_not_grow_with_the_organisations(self):
        R = Recipient.Result
        campaign(self.org, 1, finished_days_ago=10, results=[(R.CLICKED, False)])
        campaign(self.other, 1, finished_days_ago=10, results=[(R.NONE, False)])
        with self.assertNumQueries(2):
            self.assertEqual(len(federation_metrics.values({self.org.pk}, NOW)), 1)
        with self.assertNumQueries(2):
            self.assertEqual(len(self.values()), 2)

    def test_the_click_rate_is_lower_is_better(self):
        metrics = {metric.key: metric for metric in federation_metrics.SOURCE.metrics}
        self.assertFalse(metrics[CLICK].higher_is_better)
        self.assertTrue(metrics[REPORT].higher_is_better)
