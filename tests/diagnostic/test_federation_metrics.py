"""diagnostic.federation_metrics: the latest completed assessment before the moment."""

import datetime

from django.test import TestCase
from django.utils import timezone

from pharmagarde.diagnostic import federation_metrics
from pharmagarde.diagnostic.models import Assessment
from tests.base import make_organisation

NOW = timezone.now()


def assess(organisation, score, *, days_ago, themes=None, status=Assessment.Status.COMPLETED):
    at = NOW - datetime.timedelta(days=days_ago)
    return Assessment.objects.create(
        organisation=organisation, organisation_kind=organisation.kind, size_band="1-5",
        referential_version="2026.2", status=status, score=score,
        completed_at=at if status == Assessment.Status.COMPLETED else None,
        theme_scores=themes or {})


class DiagnosticMetricsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.orgs = [make_organisation(f"Pharmacie {i}", f"p{i}") for i in range(3)]

    def values(self, moment=NOW):
        return federation_metrics.values({org.pk for org in self.orgs}, moment)

    def test_it_declares_the_score_and_every_theme(self):
        keys = [metric.key for metric in federation_metrics.SOURCE.metrics]
        self.assertEqual(keys[0], "diagnostic.score")
        self.assertIn("diagnostic.theme.sauvegardes", keys)
        self.assertIn("diagnostic.theme.lbm-sil", keys)
        self.assertEqual(len(keys), len(set(keys)))

    def test_it_gives_the_latest_completed_assessment_before_the_moment(self):
        first, second, third = self.orgs
        assess(first, 40, days_ago=30, themes={"sauvegardes": 20, "inconnu": 5})
        assess(first, 70, days_ago=2, themes={"sauvegardes": 80, "comptes": None})
        assess(second, 55, days_ago=10)
        assess(second, None, days_ago=1, status=Assessment.Status.IN_PROGRESS)
        found = self.values()
        self.assertEqual(found[first.pk], {"diagnostic.score": 70.0,
                                           "diagnostic.theme.sauvegardes": 80.0})
        self.assertEqual(found[second.pk], {"diagnostic.score": 55.0})
        self.assertNotIn(third.pk, found)
        # Five days ago, the first organisation's latest was the older assessment; a theme
        # no questionnaire has is never passed on.
        earlier = self.values(NOW - datetime.timedelta(days=5))
        self.assertEqual(earlier[first.pk], {"diagnostic.score": 40.0,
                                             "diagnostic.theme.sauvegardes": 20.0})

    def test_the_number_of_queries_does_not_grow_with_the_organisations(self):
        for org in self.orgs:
            assess(org, 50, days_ago=3, themes={"postes": 60})
        with self.assertNumQueries(1):
            self.assertEqual(len(federation_metrics.values({self.orgs[0].pk}, NOW)), 1)
        with self.assertNumQueries(1):
            self.assertEqual(len(self.values()), 3)
        with self.assertNumQueries(0):
            self.assertEqual(federation_metrics.values(set(), NOW), {})
