"""Due-date reminders of the action plan (actions/reminders.py), through the scheduler, the
database and a real SMTP server: 7 days before, on the day, then weekly while open, to the
owner's account or the responsables."""

from datetime import date, datetime, timedelta

from django.test import SimpleTestCase
from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.actions.reminders import due, latest_occurrence
from pharmagarde.core import scheduler
from pharmagarde.core.models import Person, Reminder, UserPreferences
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin, body_text

DUE = date(2026, 3, 18)
MONDAY_DUE = date(2026, 3, 16)  # digests go out on Mondays at 7:00


def at(day, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


class LatestOccurrenceTestCase(SimpleTestCase):
    def test_nothing_until_seven_days_before(self):
        self.assertIsNone(latest_occurrence(DUE, DUE - timedelta(days=8)))

    def test_seven_days_before_until_the_day(self):
        for days in range(1, 8):
            self.assertEqual(latest_occurrence(DUE, DUE - timedelta(days=days)),
                             DUE - timedelta(days=7))

    def test_the_day_for_a_week(self):
        for days in range(7):
            self.assertEqual(latest_occurrence(DUE, DUE + timedelta(days=days)), DUE)

    def test_then_every_week(self):
        self.assertEqual(latest_occurrence(DUE, DUE + timedelta(days=7)), DUE + timedelta(days=7))
        self.assertEqual(latest_occurrence(DUE, DUE + timedelta(days=20)),
                         DUE + timedelta(days=14))


class ActionRemindersTestCase(SMTPTestMixin, BaseTestCase):
    """A worker always up ticks every few minutes; `run_until` ticks at 7:00 (the Monday
    digest's hour) and 10:00 of every day up to the moment given."""

    def setUp(self):
        super().setUp()
        self.clock = at(MONDAY_DUE - timedelta(days=8), 12)
        self.tick(self.clock)  # the first run: last Monday's digest, with nothing in it
        self.colin_person = Person.objects.create(organisation=self.org, first_name="Colin",
                                                  last_name="Collab", user=self.colin)
        self.action = Action.objects.create(organisation=self.org, title="Tester la sauvegarde",
                                            due_date=MONDAY_DUE, owner=self.colin_person)

    def tick(self, now):
        with self.captureOnCommitCallbacks(execute=True):
            scheduler.tick(now)

    def run_until(self, day, hour=10):
        end = at(day, hour)
        moment = self.clock.replace(hour=7) + timedelta(days=1)
        while moment <= end:
            for time in (moment, moment.replace(hour=10)):
                if self.clock < time <= end:
                    self.tick(time)
            moment += timedelta(days=1)
        self.clock = end

    def recipients(self):
        return [message["To"] for message in self.smtp.messages]

    def test_it_reminds_the_owner_seven_days_before(self):
        self.run_until(MONDAY_DUE - timedelta(days=7))
        [message] = self.smtp.messages
        self.assertEqual(message["To"], "colin@alpha.example")
        self.assertEqual(message["Subject"].strip(),
                         "[Pharmagarde] Échéance proche : « Tester la sauvegarde »")
        text = body_text(message)
        self.assertIn("« Tester la sauvegarde » arrive à échéance le 16 mars 2026.", text)
        self.assertIn("Responsable de l'action : Colin Collab. Statut : À faire.", text)
        self.assertIn(f"http://127.0.0.1:8000/o/alpha/plan/{self.action.pk}/", text)

    def test_seven_days_before_goes_in_the_digest_when_it_comes_before_the_due_date(self):
        wednesday = MONDAY_DUE + timedelta(days=9)
        Action.objects.create(organisation=self.org, title="Mettre à jour le pare-feu",
                              due_date=wednesday, owner=self.colin_person)
        self.run_until(wednesday - timedelta(days=7))
        self.assertNotIn("pare-feu", " ".join(body_text(m) for m in self.smtp.messages))
        self.run_until(MONDAY_DUE + timedelta(days=7), 7)
        digest = self.smtp.messages[-1]
        self.assertIn("résumé", digest["Subject"])
        self.assertIn("« Mettre à jour le pare-feu » arrive à échéance le 25 mars 2026.",
                      body_text(digest))

    def test_it_reminds_on_the_day(self):
        self.run_until(MONDAY_DUE - timedelta(days=7))
        self.run_until(MONDAY_DUE)
        self.assertEqual(len(self.smtp.messages), 2)
        self.assertIn("Échéance aujourd'hui", self.smtp.messages[1]["Subject"])

    def test_it_reminds_nothing_twice_in_a_day(self):
        self.run_until(MONDAY_DUE, 8)
        for hour in range(8, 22):
            self.tick(at(MONDAY_DUE, hour))
        self.assertEqual(len(self.smtp.messages), 2, "7 days before, then on the day")

    def test_then_weekly_in_the_digest_while_open(self):
        self.run_until(MONDAY_DUE + timedelta(days=5))
        self.assertEqual(len(self.smtp.messages), 2, "7 days before, then on the day")
        # A week late: a Monday, so it goes in that morning's digest.
        later = MONDAY_DUE + timedelta(days=7)
        self.run_until(later, 7)
        reminder = Reminder.objects.get(occurrence=later.isoformat())
        self.assertFalse(reminder.urgent)
        self.assertEqual(reminder.state, Reminder.State.IN_DIGEST)
        digest = self.smtp.messages[-1]
        self.assertIn("résumé", digest["Subject"])
        self.assertIn("est en retard : son échéance était le 16 mars 2026", body_text(digest))
        self.run_until(later + timedelta(days=6))
        self.assertEqual(len(self.smtp.messages), 3, "nothing more until the next week")

    def test_it_stops_once_the_action_is_done(self):
        self.run_until(MONDAY_DUE - timedelta(days=7))
        self.action.status = Action.Status.DONE
        self.action.save()
        self.run_until(MONDAY_DUE + timedelta(days=30))
        self.assertEqual(len(self.smtp.messages), 1)

    def test_it_goes_to_the_responsables_when_the_owner_has_no_account(self):
        self.action.owner = self.person  # Paul, staff without a login
        self.action.save()
        self.tick(at(MONDAY_DUE - timedelta(days=7), 8))
        self.assertEqual(self.recipients(), ["alice@alpha.example"])
        self.assertIn("sans compte Pharmagarde", body_text(self.smtp.messages[0]))

    def test_it_goes_to_the_responsables_when_nobody_owns_it(self):
        self.action.owner = None
        self.action.save()
        self.tick(at(MONDAY_DUE - timedelta(days=7), 8))
        self.assertEqual(self.recipients(), ["alice@alpha.example"])
        self.assertIn("Aucun responsable désigné", body_text(self.smtp.messages[0]))

    def test_a_worker_back_after_a_stop_sends_only_the_latest(self):
        """Down from before the "7 days" reminder until 3 days after the due date."""
        self.tick(at(MONDAY_DUE + timedelta(days=3)))
        self.assertEqual(len(self.smtp.messages), 1)
        message = self.smtp.messages[0]
        self.assertIn("Action en retard", message["Subject"])
        self.assertEqual(Reminder.objects.get().occurrence, MONDAY_DUE.isoformat())
        self.assertTrue(Reminder.objects.get().urgent, "the day's reminder, late, not later")

    def test_it_writes_in_the_owners_language(self):
        UserPreferences.objects.create(user=self.colin, language="en")
        self.run_until(MONDAY_DUE - timedelta(days=7))
        message = self.smtp.messages[0]
        self.assertIn('<html lang="en">', message.get_body(("html",)).get_content())
        self.assertIn("March 16, 2026", body_text(message))
        self.assertIn("To do", body_text(message))

    def test_it_costs_one_query_whatever_the_number_of_actions(self):
        for number in range(30):
            Action.objects.create(organisation=self.other_org, title=f"Action {number}",
                                  due_date=MONDAY_DUE - timedelta(days=number))
        with self.assertNumQueries(1):
            dues = list(due(at(MONDAY_DUE)))
        self.assertEqual(len(dues), 31)
