"""The yearly review of the register (register_services.due): a month after the prefill
when never reviewed, a year after the last review, then every 30 days while not done; to
the responsables and the DPO; one query."""

from datetime import date, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pharmagarde.privacy.models import PrivacyProfile
from pharmagarde.privacy.register_services import due, register_review
from tests.base import BaseTestCase


def at(day, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def register_dues(now):
    return [item for item in due(now) if item.key.startswith("privacy.register:")]


PREFILLED = date(2026, 1, 5)


class DueTestCase(BaseTestCase):
    def setUp(self):
        self.profile = PrivacyProfile.objects.create(organisation=self.org,
                                                     prefilled_at=at(PREFILLED))

    def test_nothing_before_a_month_after_the_prefill(self):
        self.assertEqual(register_dues(at(PREFILLED + timedelta(days=29))), [])

    def test_a_month_after_the_prefill_to_the_responsables_and_the_dpo(self):
        [item] = register_dues(at(PREFILLED + timedelta(days=30)))
        self.assertEqual(item.key, f"privacy.register:{self.org.pk}")
        self.assertEqual(item.occurrence, PREFILLED + timedelta(days=30))
        self.assertEqual(set(item.users), {self.alice.pk, self.dora.pk})
        self.assertEqual(str(item.subject), "Revue annuelle du registre des traitements")
        self.assertIn("depuis le 4 février 2026", str(item.text))
        self.assertEqual(str(item.link), "/o/alpha/donnees-personnelles/registre/")

    def test_then_every_30_days_while_not_reviewed(self):
        first = PREFILLED + timedelta(days=30)
        [item] = register_dues(at(first + timedelta(days=40)))
        self.assertEqual(item.occurrence, first + timedelta(days=30))

    def test_a_review_moves_it_a_year_later(self):
        self.client.force_login(self.dora)
        register_review(acting_user=self.dora, organisation=self.org)
        PrivacyProfile.objects.filter(pk=self.profile.pk).update(
            register_reviewed_at=at(date(2026, 3, 10)))
        self.assertEqual(register_dues(at(date(2027, 3, 9))), [])
        [item] = register_dues(at(date(2027, 3, 10)))
        self.assertEqual(item.occurrence, date(2027, 3, 10))

    def test_no_prefill_no_reminder_and_one_query(self):
        PrivacyProfile.objects.create(organisation=self.other_org)
        with CaptureQueriesContext(connection) as queries:
            items = register_dues(at(PREFILLED + timedelta(days=30)))
        self.assertEqual(len(items), 1)
        self.assertEqual(len(queries.captured_queries), 1)
