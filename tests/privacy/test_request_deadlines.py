"""The deadline of a request (art. 12(3) GDPR) and its state, with explicit dates: one
month counted as the same day of the next month (end of month, leap year), from the proof
of identity when one was asked for, two more months when extended; the reminders' dates."""

from datetime import date, timedelta

from django.test import SimpleTestCase

from pharmagarde.privacy.models import PersonRequest
from pharmagarde.privacy.request_services import (
    deadline,
    first_deadline,
    latest_occurrence,
    state,
)

Identity = PersonRequest.Identity


def make(received, **fields):
    return PersonRequest(number=1, requester_name="Mme Durand", right="acces",
                         received_on=received, **fields)


class DeadlineTestCase(SimpleTestCase):
    def test_one_month_is_the_same_day_of_the_next_month(self):
        self.assertEqual(deadline(make(date(2026, 3, 12))), date(2026, 4, 12))
        self.assertEqual(deadline(make(date(2026, 12, 20))), date(2027, 1, 20))

    def test_the_31st_of_january_ends_on_the_last_day_of_february(self):
        self.assertEqual(deadline(make(date(2026, 1, 31))), date(2026, 2, 28))
        self.assertEqual(deadline(make(date(2028, 1, 31))), date(2028, 2, 29), "leap year")
        self.assertEqual(deadline(make(date(2026, 3, 31))), date(2026, 4, 30))

    def test_the_month_runs_from_the_proof_of_identity(self):
        checked = make(date(2026, 1, 10), identity=Identity.CHECKED,
                       identity_received_on=date(2026, 1, 31))
        self.assertEqual(deadline(checked), date(2026, 2, 28))

    def test_while_the_proof_is_awaited_the_month_from_receipt_is_provisional(self):
        waiting = make(date(2026, 1, 10), identity=Identity.REQUESTED)
        self.assertEqual(deadline(waiting), date(2026, 2, 10))
        result = state(waiting, date(2026, 3, 1))
        self.assertEqual((result.code, result.label), ("waiting", "en attente du justificatif"))
        self.assertEqual(result.deadline, date(2026, 2, 10))

    def test_an_extension_adds_two_months_from_the_same_start(self):
        extended = make(date(2026, 1, 31), extended=True)
        self.assertEqual(first_deadline(extended), date(2026, 2, 28))
        self.assertEqual(deadline(extended), date(2026, 4, 30))
        proof = make(date(2027, 11, 20), identity=Identity.CHECKED,
                     identity_received_on=date(2027, 11, 30), extended=True)
        self.assertEqual(deadline(proof), date(2028, 2, 29))


class StateTestCase(SimpleTestCase):
    def test_the_days_left_then_today_then_late(self):
        request = make(date(2026, 3, 12))
        self.assertEqual(state(request, date(2026, 4, 2)).label, "à répondre sous 10 jours")
        self.assertEqual(state(request, date(2026, 4, 11)).label, "à répondre sous 1 jour")
        self.assertEqual(state(request, date(2026, 4, 12)).label, "à répondre aujourd'hui")
        late = state(request, date(2026, 4, 13))
        self.assertEqual((late.code, late.label, late.days_left), ("late", "en retard", -1))

    def test_answered_whatever_the_date(self):
        request = make(date(2026, 3, 12), answered_on=date(2026, 5, 1))
        result = state(request, date(2026, 6, 1))
        self.assertEqual((result.code, result.label, result.is_open),
                         ("answered", "répondue", False))


class LatestOccurrenceTestCase(SimpleTestCase):
    def test_a_week_before_the_day_before_then_once_late(self):
        due = date(2026, 4, 12)
        self.assertIsNone(latest_occurrence(due, due - timedelta(days=8)))
        self.assertEqual(latest_occurrence(due, due - timedelta(days=7)),
                         (due - timedelta(days=7), "soon", False))
        self.assertEqual(latest_occurrence(due, due - timedelta(days=2)),
                         (due - timedelta(days=7), "soon", False))
        self.assertEqual(latest_occurrence(due, due - timedelta(days=1)),
                         (due - timedelta(days=1), "eve", True))
        self.assertEqual(latest_occurrence(due, due), (due - timedelta(days=1), "eve", True))
        self.assertEqual(latest_occurrence(due, due + timedelta(days=1)),
                         (due + timedelta(days=1), "late", True))
        self.assertEqual(latest_occurrence(due, due + timedelta(days=40)),
                         (due + timedelta(days=1), "late", True), "once")
