"""core/reminders.py through the scheduler's tick, a real SMTP server and the database:
who is reminded, once, urgent at once or in the weekly digest, in the reader's language."""

from datetime import date, datetime, timedelta
from unittest import mock

from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from pharmagarde.core import registry, reminders, scheduler
from pharmagarde.core.models import (
    Membership,
    OutgoingEmail,
    Reminder,
    Role,
    ScheduledRun,
    UserPreferences,
)
from pharmagarde.core.reminders import Due
from tests.base import BaseTestCase, make_organisation, make_user
from tests.smtp import SMTPTestMixin, body_text

MONDAY = date(2026, 3, 2)


def at(day, hour=10, minute=0):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


class RemindersTestCase(SMTPTestMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.dues = []
        patcher = mock.patch.object(registry, "hooks", side_effect=self.hooks)
        patcher.start()
        self.addCleanup(patcher.stop)

    def hooks(self, attribute):
        """The apps' reminders are replaced by this test's own (self.dues)."""
        assert attribute == "reminders"
        return [lambda now: list(self.dues)]

    def due(self, key="test:1", occurrence=MONDAY, **fields):
        fields.setdefault("organisation_id", self.org.pk)
        fields.setdefault("subject", "Sauvegarde à tester")
        fields.setdefault("text", "La sauvegarde du serveur n'a pas été testée.")
        fields.setdefault("link", "/o/alpha/")
        self.dues.append(Due(key=key, occurrence=occurrence, **fields))

    def tick(self, now):
        with self.captureOnCommitCallbacks(execute=True):
            return scheduler.tick(now)

    def mails_to(self, user):
        return [m for m in self.smtp.messages if m["To"] == user.email]


class UrgentTestCase(RemindersTestCase):
    def test_it_sends_an_urgent_reminder_at_once_with_an_absolute_link(self):
        self.due(users=(self.colin.pk,), urgent=True)
        self.tick(at(MONDAY + timedelta(days=2)))
        [message] = self.smtp.messages
        self.assertEqual(message["To"], "colin@alpha.example")
        self.assertEqual(message["Subject"], "[Pharmagarde] Sauvegarde à tester")
        text = body_text(message)
        self.assertIn("La sauvegarde du serveur n'a pas été testée.", text)
        self.assertIn("http://127.0.0.1:8000/o/alpha/", text)
        self.assertIn("http://127.0.0.1:8000/o/alpha/", message.get_body(("html",)).get_content())
        reminder = Reminder.objects.get()
        self.assertEqual(reminder.state, Reminder.State.SENT)
        self.assertIsNotNone(reminder.email.sent_at)

    def test_it_sends_each_reminder_once_however_many_runs(self):
        self.due(users=(self.colin.pk,), urgent=True)
        now = at(MONDAY + timedelta(days=2))
        for minutes in range(0, 60, 5):
            self.tick(now + timedelta(minutes=minutes))
        self.assertEqual(len(self.smtp.messages), 1)
        self.assertEqual(Reminder.objects.count(), 1)

    def test_the_next_occurrence_is_a_new_reminder(self):
        self.due(users=(self.colin.pk,), urgent=True)
        self.tick(at(MONDAY + timedelta(days=2)))
        self.dues = []
        self.due(users=(self.colin.pk,), urgent=True, occurrence=MONDAY + timedelta(days=7))
        self.tick(at(MONDAY + timedelta(days=7)))
        self.assertEqual(len(self.smtp.messages), 2)

    def test_it_goes_to_the_responsables_when_nobody_is_named(self):
        self.due(urgent=True)
        self.tick(at(MONDAY))
        self.assertEqual([m["To"] for m in self.smtp.messages], ["alice@alpha.example"])

    def test_it_goes_to_the_responsables_when_the_named_user_is_not_a_member(self):
        self.due(urgent=True, users=(self.oscar.pk,))
        self.tick(at(MONDAY))
        self.assertEqual([m["To"] for m in self.smtp.messages], ["alice@alpha.example"])

    def test_it_goes_to_the_responsables_when_the_named_account_is_disabled(self):
        self.colin.is_active = False
        self.colin.save()
        self.due(urgent=True, users=(self.colin.pk,))
        self.tick(at(MONDAY))
        self.assertEqual([m["To"] for m in self.smtp.messages], ["alice@alpha.example"])

    def test_it_reminds_every_responsable(self):
        second = make_user("bea@alpha.example")
        Membership.objects.create(organisation=self.org, user=second, role=Role.RESPONSABLE)
        self.due(urgent=True)
        self.tick(at(MONDAY))
        self.assertEqual(sorted(m["To"] for m in self.smtp.messages),
                         ["alice@alpha.example", "bea@alpha.example"])

    def test_it_writes_in_the_language_of_each_reader(self):
        UserPreferences.objects.create(user=self.colin, language="en")
        self.due(users=(self.colin.pk, self.rita.pk), urgent=True,
                 subject=gettext_lazy("Plan d'action"))
        self.tick(at(MONDAY))
        subjects = {m["To"]: m["Subject"] for m in self.smtp.messages}
        self.assertEqual(subjects, {"colin@alpha.example": "[Pharmagarde] Action plan",
                                    "rita@alpha.example": "[Pharmagarde] Plan d'action"})
        html = self.mails_to(self.colin)[0].get_body(("html",)).get_content()
        self.assertIn('<html lang="en">', html)

    def test_a_deadline_in_hours_is_sent_at_once(self):
        deadline = at(MONDAY + timedelta(days=20), 14)
        self.due(users=(self.colin.pk,), deadline=deadline, occurrence=deadline)
        self.tick(at(MONDAY + timedelta(days=20), 9))
        self.assertEqual(len(self.smtp.messages), 1)
        self.assertTrue(Reminder.objects.get().urgent)

    def test_a_deadline_before_the_next_digest_is_sent_at_once(self):
        self.due(users=(self.colin.pk,), deadline=MONDAY + timedelta(days=5))
        self.tick(at(MONDAY + timedelta(days=1)))
        self.assertEqual(len(self.smtp.messages), 1)

    def test_a_deadline_after_the_next_digest_waits_for_it(self):
        self.due(users=(self.colin.pk,), deadline=MONDAY + timedelta(days=12))
        reminders.collect(at(MONDAY, 8))
        self.assertFalse(Reminder.objects.get().urgent)

    def test_it_ignores_an_occurrence_beyond_the_horizon(self):
        self.due(users=(self.colin.pk,), urgent=True, occurrence=MONDAY)
        self.tick(at(MONDAY) + reminders.HORIZON + timedelta(days=1))
        self.assertEqual(self.smtp.messages, [])
        self.assertFalse(Reminder.objects.exists())

    def test_one_app_failing_does_not_stop_the_others(self):
        def broken(now):
            raise RuntimeError("bogue")

        self.due(users=(self.colin.pk,), urgent=True)
        with mock.patch.object(registry, "hooks",
                               return_value=[broken, lambda now: list(self.dues)]), \
                self.assertLogs("pharmagarde.reminders", "ERROR"):
            self.tick(at(MONDAY))
        self.assertEqual(len(self.smtp.messages), 1)

    def test_a_run_cut_short_is_finished_by_the_next_one(self):
        self.due(users=(self.colin.pk,), urgent=True)
        now = at(MONDAY)
        reminders.collect(now)  # the worker is killed here, before sending
        self.assertEqual(self.smtp.messages, [])
        self.tick(now + timedelta(minutes=5))
        self.assertEqual(len(self.smtp.messages), 1)

    def test_the_unique_key_holds_even_without_the_check_before_it(self):
        """Two workers that both passed the "not yet created" check: the database keeps one."""
        self.due(users=(self.colin.pk,), urgent=True)
        with mock.patch.object(reminders, "_not_yet_created", side_effect=lambda dues: dues):
            reminders.collect(at(MONDAY))
            reminders.collect(at(MONDAY))
        self.assertEqual(Reminder.objects.count(), 1)
        with self.captureOnCommitCallbacks(execute=True):
            reminders.send_urgent()
            reminders.send_urgent()
        self.assertEqual(len(self.smtp.messages), 1)


class DigestTestCase(RemindersTestCase):
    def setUp(self):
        super().setUp()
        self.bravo_member = make_user("bruno@bravo.example")
        Membership.objects.create(organisation=self.other_org, user=self.colin,
                                  role=Role.COLLABORATEUR)
        # Last Monday's digest ran, with nothing to send.
        self.tick(at(MONDAY, 7, 30))

    def week_of_reminders(self):
        self.due("test:1", users=(self.colin.pk,), subject="Tester la sauvegarde")
        self.due("test:2", users=(self.colin.pk,), subject="Mettre à jour le pare-feu",
                 link="/o/alpha/plan/")
        self.due("test:3", users=(self.colin.pk,), subject="Former l'équipe",
                 organisation_id=self.other_org.pk, link="/o/bravo/")
        self.due("test:4", users=(self.rita.pk,), subject="Changer le mot de passe Wi-Fi")
        self.tick(at(MONDAY + timedelta(days=2)))

    def test_it_waits_for_the_day_of_the_digest(self):
        self.week_of_reminders()
        self.assertEqual(self.smtp.messages, [])
        self.assertEqual(Reminder.objects.filter(state=Reminder.State.PENDING).count(), 4)

    def test_it_sends_one_digest_per_user_grouped_by_organisation(self):
        self.week_of_reminders()
        self.tick(at(MONDAY + timedelta(days=7), 7, 5))
        self.assertEqual(sorted(m["To"] for m in self.smtp.messages),
                         ["colin@alpha.example", "rita@alpha.example"])
        message = self.mails_to(self.colin)[0]
        # Folded headers come back with the fold's space, which mail clients drop.
        self.assertEqual(message["Subject"].strip(),
                         "[Pharmagarde] Votre résumé de la semaine : 3 rappels")
        text = body_text(message)
        alpha, bravo = text.index("Pharmacie Alpha"), text.index("Pharmacie Bravo")
        self.assertLess(alpha, text.index("Mettre à jour le pare-feu"))
        self.assertLess(text.index("Tester la sauvegarde"), bravo)
        self.assertLess(bravo, text.index("Former l'équipe"))
        self.assertIn("http://127.0.0.1:8000/o/alpha/plan/", text)
        self.assertIn("http://127.0.0.1:8000/o/bravo/", text)
        self.assertNotIn("Changer le mot de passe Wi-Fi", text)
        html = message.get_body(("html",)).get_content()
        self.assertIn('<a href="http://127.0.0.1:8000/o/alpha/plan/">', html)
        self.assertIn("<h2", html)
        self.assertEqual(Reminder.objects.filter(state=Reminder.State.IN_DIGEST).count(), 4)

    def test_it_offers_a_one_click_unsubscribe(self):
        self.week_of_reminders()
        self.tick(at(MONDAY + timedelta(days=7), 7, 5))
        message = self.mails_to(self.colin)[0]
        link = message["List-Unsubscribe"].strip().strip("<>")
        self.assertTrue(link.startswith("http://127.0.0.1:8000/comptes/resume/desabonnement/"))
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertIn(link, body_text(message))
        self.assertEqual(reminders.user_from_unsubscribe_token(link.rstrip("/").rsplit("/")[-1]),
                         self.colin)

    def test_it_sends_the_weeks_digest_once(self):
        self.week_of_reminders()
        monday = MONDAY + timedelta(days=7)
        for hour in range(7, 20):
            self.tick(at(monday, hour, 5))
        self.assertEqual(len(self.smtp.messages), 2)

    def test_what_comes_after_the_digest_waits_for_the_next_one(self):
        self.week_of_reminders()
        monday = MONDAY + timedelta(days=7)
        self.tick(at(monday, 7, 5))
        self.dues = []
        self.due("test:5", users=(self.colin.pk,), subject="Vérifier l'antivirus")
        self.tick(at(monday, 9))
        self.tick(at(monday + timedelta(days=3)))
        self.assertEqual(len(self.mails_to(self.colin)), 1)
        self.tick(at(monday + timedelta(days=7), 7, 5))
        latest = self.mails_to(self.colin)[-1]
        self.assertIn("Vérifier l'antivirus", body_text(latest))
        self.assertIn(": 1 rappel", latest["Subject"])

    def test_a_worker_down_for_weeks_sends_one_digest(self):
        self.week_of_reminders()
        self.tick(at(MONDAY + timedelta(days=30)))
        self.assertEqual(len(self.mails_to(self.colin)), 1)
        self.assertEqual(ScheduledRun.objects.filter(job="digest").count(), 2)

    def test_a_user_who_turned_digests_off_gets_none(self):
        UserPreferences.objects.create(user=self.colin, digest=False)
        self.week_of_reminders()
        self.tick(at(MONDAY + timedelta(days=7), 7, 5))
        self.assertEqual([m["To"] for m in self.smtp.messages], ["rita@alpha.example"])
        dropped = Reminder.objects.filter(user=self.colin)
        self.assertEqual({r.state for r in dropped}, {Reminder.State.DROPPED})

    def test_urgent_reminders_reach_a_user_without_digests(self):
        UserPreferences.objects.create(user=self.colin, digest=False)
        self.due(users=(self.colin.pk,), urgent=True)
        self.tick(at(MONDAY + timedelta(days=2)))
        self.assertEqual(len(self.mails_to(self.colin)), 1)

    def test_urgent_reminders_are_not_repeated_in_the_digest(self):
        self.due("test:urgent", users=(self.colin.pk,), urgent=True, subject="Urgent")
        self.due("test:later", users=(self.colin.pk,), subject="Plus tard")
        self.tick(at(MONDAY + timedelta(days=2)))
        self.tick(at(MONDAY + timedelta(days=7), 7, 5))
        digest = self.mails_to(self.colin)[-1]
        self.assertIn("Plus tard", body_text(digest))
        self.assertNotIn("Urgent", body_text(digest))

    def test_it_writes_the_digest_in_the_readers_language(self):
        UserPreferences.objects.create(user=self.colin, language="en")
        self.week_of_reminders()
        self.tick(at(MONDAY + timedelta(days=7), 7, 5))
        html = self.mails_to(self.colin)[0].get_body(("html",)).get_content()
        self.assertIn('<html lang="en">', html)

    @override_settings(DIGEST_WEEKDAY=4, DIGEST_HOUR=16)
    def test_the_day_and_hour_are_settings(self):
        self.tick(at(MONDAY - timedelta(days=3), 16, 30))  # the previous Friday's digest
        self.week_of_reminders()
        self.tick(at(MONDAY + timedelta(days=4), 15))
        self.assertEqual(self.smtp.messages, [])
        self.tick(at(MONDAY + timedelta(days=4), 16, 5))
        self.assertEqual(len(self.smtp.messages), 2)


class SchedulerTestCase(BaseTestCase):
    def test_one_run_per_period_whatever_the_number_of_workers(self):
        now = at(MONDAY)
        self.assertTrue(scheduler.tick(now, worker="a"))
        self.assertFalse(scheduler.tick(now + timedelta(seconds=30), worker="b"))
        self.assertTrue(scheduler.tick(now + timedelta(minutes=5), worker="b"))
        runs = ScheduledRun.objects.filter(job="tick").order_by("period")
        self.assertEqual([run.worker for run in runs], ["a", "b"])
        self.assertTrue(all(run.finished_at for run in runs))

    def test_the_period_is_the_same_on_every_machine(self):
        now = at(MONDAY, 10, 7)
        self.assertEqual(scheduler.period_of(now, 300), "2026-03-02T09:05:00+00:00")
        self.assertEqual(scheduler.period_of(now + timedelta(minutes=2), 300),
                         scheduler.period_of(now, 300))

    def test_it_purges_once_a_day(self):
        old = make_organisation("Ancienne", "ancienne")
        user = make_user("vieux@ancienne.example")
        Reminder.objects.create(key="k", occurrence="2025-01-01", user=user, organisation=old,
                                subject="s", created_at=at(MONDAY) - timedelta(days=400))
        email = OutgoingEmail.objects.create(to=["x@y.fr"], sent_at=at(MONDAY) - timedelta(days=90))
        scheduler.tick(at(MONDAY))
        self.assertFalse(Reminder.objects.exists())
        self.assertFalse(OutgoingEmail.objects.filter(pk=email.pk).exists())
        self.assertEqual(ScheduledRun.objects.filter(job="purge").count(), 1)
        scheduler.tick(at(MONDAY) + timedelta(minutes=5))
        self.assertEqual(ScheduledRun.objects.filter(job="purge").count(), 1)


class DueTestCase(BaseTestCase):
    def test_occurrence_keys_are_stable(self):
        due = Due(key="k", occurrence=date(2026, 3, 2), organisation_id=1, subject="s")
        self.assertEqual(due.occurrence_key, "2026-03-02")
        hourly = Due(key="k", occurrence=at(MONDAY, 10), organisation_id=1, subject="s")
        self.assertEqual(hourly.occurrence_key, "2026-03-02T09:00+00:00")
