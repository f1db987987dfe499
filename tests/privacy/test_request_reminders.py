"""Reminders of the requests to answer (request_services.due), through core.reminders and
a real SMTP server: 7 days before the deadline, the day before (urgent), once late
(urgent); to the organisation's DPOs and responsables; none while a proof of identity is
awaited, none once answered; one query."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from pharmagarde.core import reminders
from pharmagarde.core.models import Membership, Reminder, Role
from pharmagarde.privacy.models import PersonRequest
from pharmagarde.privacy.request_services import due
from tests.base import BaseTestCase, make_organisation
from tests.smtp import SMTPTestMixin, body_text

RECEIVED = date(2026, 1, 31)
DEADLINE = date(2026, 2, 28)  # the 31st of January + one month


def at(day, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def make(organisation, number=1, **fields):
    values = {"requester_name": "Mme Durand", "right": "acces", "received_on": RECEIVED,
              **fields}
    return PersonRequest.objects.create(organisation=organisation, number=number, **values)


class DueTestCase(BaseTestCase):
    def setUp(self):
        self.request = make(self.org)

    def test_nothing_until_a_week_before(self):
        self.assertEqual(list(due(at(DEADLINE - timedelta(days=8)))), [])

    def test_a_week_before_to_the_dpos_and_responsables(self):
        [item] = due(at(DEADLINE - timedelta(days=7)))
        self.assertEqual(item.key, f"privacy.request:{self.request.pk}")
        self.assertEqual((item.occurrence, item.urgent, item.deadline),
                         (DEADLINE - timedelta(days=7), False, DEADLINE))
        self.assertEqual(set(item.users), {self.alice.pk, self.dora.pk})
        self.assertEqual(str(item.subject), "Demande D-001 « Accès à ses données (art. 15) » : "
                                            "réponse à envoyer avant le 28 février 2026")
        self.assertEqual(str(item.link), f"/o/alpha/donnees-personnelles/demandes/"
                                         f"{self.request.pk}/")
        self.assertNotIn("Durand", str(item.subject) + str(item.text), "no name in mail")

    def test_the_day_before_then_once_late_both_urgent(self):
        [item] = due(at(DEADLINE - timedelta(days=1)))
        self.assertEqual((item.occurrence, item.urgent), (DEADLINE - timedelta(days=1), True))
        [item] = due(at(DEADLINE + timedelta(days=1)))
        self.assertEqual((item.occurrence, item.urgent), (DEADLINE + timedelta(days=1), True))
        self.assertIn("le délai de réponse est dépassé", str(item.subject))
        [item] = due(at(DEADLINE + timedelta(days=5)))
        self.assertEqual(item.occurrence, DEADLINE + timedelta(days=1), "the same, once")

    def test_the_proof_of_identity_and_the_extension_move_the_deadline(self):
        PersonRequest.objects.filter(pk=self.request.pk).update(identity="demandee")
        self.assertEqual(list(due(at(DEADLINE + timedelta(days=1)))), [], "clock not started")
        PersonRequest.objects.filter(pk=self.request.pk).update(
            identity="verifiee", identity_received_on=date(2026, 2, 10))
        self.assertEqual(list(due(at(DEADLINE + timedelta(days=1)))), [])
        [item] = due(at(date(2026, 3, 3)))
        self.assertEqual(item.deadline, date(2026, 3, 10))
        PersonRequest.objects.filter(pk=self.request.pk).update(extended=True)
        [item] = due(at(date(2026, 5, 3)))
        self.assertEqual((item.deadline, item.urgent), (date(2026, 5, 10), False))

    def test_answered_no_more_reminders(self):
        PersonRequest.objects.filter(pk=self.request.pk).update(answered_on=DEADLINE)
        self.assertEqual(list(due(at(DEADLINE + timedelta(days=1)))), [])

    def test_one_query_whatever_the_number_of_requests(self):
        def count():
            with self.assertNumQueries(1):
                return len(list(due(at(DEADLINE))))

        few = count()
        for i in range(20):
            org = make_organisation(f"Pharmacie {i}", f"pharmacie-{i}")
            Membership.objects.create(organisation=org, user=self.dora, role=Role.DPO)
            make(org)
        self.assertEqual((few, count()), (1, 21))


class MailTestCase(SMTPTestMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.request = make(self.org)

    def run_at(self, now):
        before = self.reminders().count()
        with self.captureOnCommitCallbacks(execute=True):
            reminders.collect(now)
            reminders.send_urgent(now)
        return self.reminders().count() - before

    def reminders(self):
        return Reminder.objects.filter(key__startswith="privacy.request:")

    def messages(self):
        return [m for m in self.smtp.messages if "Demande D-001" in m["Subject"]]

    def test_the_day_before_it_goes_at_once_to_the_dpo_and_the_responsable(self):
        self.assertEqual(self.run_at(at(DEADLINE - timedelta(days=1))), 2)
        self.assertEqual(sorted(m["To"] for m in self.messages()),
                         ["alice@alpha.example", "dora@alpha.example"])
        message = self.messages()[0]
        self.assertEqual(" ".join(message["Subject"].split()),
                         "[Pharmagarde] Demande D-001 « Accès à ses données (art. 15) » : "
                         "la réponse est due demain, 28 février 2026")
        text = " ".join(body_text(message).split())
        self.assertIn("reçue le 31 janvier 2026", text)
        self.assertIn(f"/o/alpha/donnees-personnelles/demandes/{self.request.pk}/", text)
        self.assertEqual(self.run_at(at(DEADLINE, 9)), 0, "once per occurrence")

    def test_late_once(self):
        self.run_at(at(DEADLINE + timedelta(days=1)))
        self.assertEqual(len(self.messages()), 2)
        for days in range(2, 9):
            self.run_at(at(DEADLINE + timedelta(days=days)))
        self.assertEqual(len(self.messages()), 2)

    def test_an_inactive_dpo_is_not_reminded(self):
        self.dora.is_active = False
        self.dora.save(update_fields=["is_active"])
        self.run_at(at(DEADLINE - timedelta(days=1)))
        self.assertEqual([m["To"] for m in self.messages()], ["alice@alpha.example"])
