"""federation.values: the catalogue of every app's metrics and their values collected for
many organisations at once, in a number of queries that does not grow with them."""

import datetime

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.continuity.models import RestoreTest
from pharmagarde.core.metrics import RATE, SCORE, SHARE, Metric
from pharmagarde.diagnostic.models import Assessment
from pharmagarde.federation import values
from tests.base import make_organisation

NOW = timezone.now()


def later():
    """A minute after what the test created (taken now, not when the file was imported)."""
    return timezone.now() + datetime.timedelta(minutes=1)

EXPECTED_KEYS = {"diagnostic.score", "diagnostic.theme.sauvegardes",
                 "awareness.phishing_click", "awareness.phishing_report",
                 "awareness.training_done", "continuity.restore_fresh",
                 "continuity.plan_tested", "actions.overdue_share"}


def make_organisations(count, start=0):
    found = []
    for i in range(start, start + count):
        org = make_organisation(f"Pharmacie {i}", f"p{i}")
        Assessment.objects.create(
            organisation=org, organisation_kind="officine", size_band="1-5",
            referential_version="2026.2", status=Assessment.Status.COMPLETED,
            score=40 + i % 50, completed_at=NOW - datetime.timedelta(days=1),
            theme_scores={"sauvegardes": 50})
        RestoreTest.objects.create(organisation=org, tested_on=timezone.localdate(NOW),
                                   what="LGO", duration_minutes=5,
                                   result=RestoreTest.Result.SUCCESS)
        Action.objects.create(organisation=org, title="Action",
                              due_date=timezone.localdate(NOW) - datetime.timedelta(days=1))
        found.append(org)
    return found


class CatalogueTests(TestCase):
    def test_it_holds_every_apps_metrics_once(self):
        found = values.catalogue()
        self.assertLessEqual(EXPECTED_KEYS, set(found))
        self.assertTrue(all(isinstance(metric, Metric) for metric in found.values()))
        self.assertTrue(all(key == metric.key for key, metric in found.items()))
        self.assertEqual(found["awareness.phishing_click"].kind, RATE)
        self.assertEqual(found["continuity.restore_fresh"].kind, SHARE)
        self.assertEqual(found["diagnostic.score"].kind, SCORE)


class CollectTests(TestCase):
    def test_no_organisation_no_query(self):
        with self.assertNumQueries(0):
            self.assertEqual(values.collect(set(), later()), {})

    def test_one_organisation(self):
        org, = make_organisations(1)
        found = values.collect({org.pk}, later())
        self.assertEqual(found, {org.pk: {
            "diagnostic.score": 40.0, "diagnostic.theme.sauvegardes": 50.0,
            "continuity.restore_fresh": True, "continuity.plan_tested": False,
            "actions.overdue_share": 100.0}})

    def test_an_organisation_without_any_data_is_there_with_what_it_has(self):
        org = make_organisation("Vide", "vide")
        self.assertEqual(values.collect([org.pk], later()), {org.pk: {
            "continuity.restore_fresh": False, "continuity.plan_tested": False}})

    def test_values_as_of_the_moment(self):
        org, = make_organisations(1)
        found = values.collect({org.pk}, NOW - datetime.timedelta(days=2))
        self.assertNotIn("diagnostic.score", found[org.pk])

    def test_the_number_of_queries_does_not_grow_with_the_organisations(self):
        few = make_organisations(2)

        def count(orgs):
            with CaptureQueriesContext(connection) as context:
                found = values.collect({org.pk for org in orgs}, later())
            self.assertEqual(len(found), len(orgs))
            return len(context.captured_queries)

        small = count(few)
        many = few + make_organisations(40, start=2)
        self.assertEqual(count(many), small)
        self.assertLessEqual(small, 10)


class ValidityTests(TestCase):
    def test_what_a_value_may_be(self):
        score = Metric("x.score", "Score", SCORE)
        rate = Metric("x.rate", "Taux", RATE)
        share = Metric("x.share", "Part", SHARE)
        for metric, value in [(score, 0), (score, 100), (score, 55.5), (rate, (0, 0)),
                              (rate, [3, 10]), (share, True), (share, False)]:
            self.assertTrue(values.is_valid(metric, value), (metric.key, value))
        for metric, value in [(score, -1), (score, 100.1), (score, float("nan")),
                              (score, True), (score, "50"), (score, None),
                              (rate, (11, 10)), (rate, (-1, 10)), (rate, (1, 2, 3)),
                              (rate, ("1", "2")), (rate, (1.5, 2)), (rate, (True, 2)),
                              (rate, "Pharmacie du Marché"), (share, 1), (share, "oui"),
                              (share, None)]:
            self.assertFalse(values.is_valid(metric, value), (metric.key, value))
