"""Reminders of the processors' reviews (processor_services.due), time given: 30 days
before the review is due, then once when it is overdue (urgent); to the responsables and
the DPO; one query whatever the number of processors."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from pharmagarde.privacy.models import Processor
from pharmagarde.privacy.processor_services import due
from pharmagarde.privacy.reminders import PROVIDERS
from tests.base import BaseTestCase

SIGNED = date(2025, 3, 10)
REVIEW = date(2026, 3, 10)  # twelve months later


def at(day, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


class ProcessorReminderTestCase(BaseTestCase):
    def setUp(self):
        self.processor = Processor.objects.create(organisation=self.org, name="Dupont",
                                                  contract_signed_on=SIGNED)

    def dues(self, day):
        return list(due(at(day)))

    def test_nothing_until_30_days_before(self):
        self.assertEqual(self.dues(REVIEW - timedelta(days=31)), [])

    def test_30_days_before_to_the_responsables_and_the_dpo(self):
        [item] = self.dues(REVIEW - timedelta(days=30))
        self.assertEqual(item.key, f"privacy.processor:{self.processor.pk}")
        self.assertEqual(item.occurrence, REVIEW - timedelta(days=30))
        self.assertEqual(set(item.users), {self.alice.pk, self.dora.pk})
        self.assertFalse(item.urgent)
        self.assertEqual(str(item.subject),
                         "Contrat à revoir : « Dupont », avant le 10 mars 2026")
        self.assertEqual(str(item.link),
                         f"/o/alpha/donnees-personnelles/sous-traitants/{self.processor.pk}/")
        # The same occurrence until the day: reminded once.
        [later] = self.dues(REVIEW - timedelta(days=1))
        self.assertEqual(later.occurrence, item.occurrence)

    def test_once_when_overdue_urgent(self):
        [item] = self.dues(REVIEW + timedelta(days=1))
        self.assertEqual((item.occurrence, item.urgent), (REVIEW, True))
        self.assertEqual(str(item.subject), "Revue du contrat en retard : « Dupont »")
        self.assertIn("était à faire avant le 10 mars 2026", str(item.text))
        [much_later] = self.dues(REVIEW + timedelta(days=90))
        self.assertEqual(much_later.occurrence, REVIEW)

    def test_a_review_moves_it_and_its_own_period_counts(self):
        Processor.objects.filter(pk=self.processor.pk).update(
            reviewed_on=date(2026, 3, 1), review_every_months=6)
        self.assertEqual(self.dues(REVIEW + timedelta(days=1)), [])
        [item] = self.dues(date(2026, 8, 2))
        self.assertEqual(item.occurrence, date(2026, 9, 1) - timedelta(days=30))

    def test_no_date_no_reminder_and_one_query(self):
        Processor.objects.create(organisation=self.org, name="Sans contrat")
        for i in range(5):
            Processor.objects.create(organisation=self.other_org, name=f"B{i}",
                                     contract_signed_on=SIGNED)
        with self.assertNumQueries(1):
            found = self.dues(REVIEW)
        self.assertEqual(len(found), 6)
        self.assertEqual({item.organisation_id for item in found},
                         {self.org.pk, self.other_org.pk})

    def test_it_is_one_of_the_apps_reminders(self):
        self.assertIn("pharmagarde.privacy.processor_services.due", PROVIDERS)
