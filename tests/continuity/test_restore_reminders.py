"""Reminders of the restore tests due (restore_services.due), through core.reminders and a
real SMTP server: a week before, on the day, then monthly and urgent once more than a
month late; a backup never tested, once; to the responsables and référents; one query."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from pharmagarde.continuity import restore_services
from pharmagarde.continuity.restore_services import due, latest_occurrence
from pharmagarde.core import reminders
from pharmagarde.core.models import Membership, Reminder, Role
from pharmagarde.inventory.models import Backup
from tests.base import BaseTestCase, make_organisation
from tests.smtp import SMTPTestMixin, body_text

LAST = date(2026, 1, 7)  # a Wednesday
DUE = date(2026, 4, 7)  # three months later, a Tuesday
MONDAY_BEFORE = date(2026, 4, 6)  # digests go out on Mondays at 7:00


def at(day, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def restore_dues(now):
    return [item for item in due(now) if item.key.startswith("continuity.restore:")]


class LatestOccurrenceTestCase(BaseTestCase):
    def test_a_week_before_on_the_day_then_every_31_days(self):
        self.assertIsNone(latest_occurrence(DUE, DUE - timedelta(days=8)))
        self.assertEqual(latest_occurrence(DUE, DUE - timedelta(days=7)),
                         (DUE - timedelta(days=7), "soon"))
        self.assertEqual(latest_occurrence(DUE, DUE - timedelta(days=1)),
                         (DUE - timedelta(days=7), "soon"))
        self.assertEqual(latest_occurrence(DUE, DUE), (DUE, "due"))
        self.assertEqual(latest_occurrence(DUE, DUE + timedelta(days=30)), (DUE, "due"))
        self.assertEqual(latest_occurrence(DUE, DUE + timedelta(days=31)),
                         (DUE + timedelta(days=31), "late"))
        self.assertEqual(latest_occurrence(DUE, DUE + timedelta(days=70)),
                         (DUE + timedelta(days=62), "late"))


class DueTestCase(BaseTestCase):
    def setUp(self):
        self.backup = Backup.objects.create(organisation=self.org, what="Base du LGO",
                                            last_restore_test=LAST)

    def test_nothing_until_a_week_before(self):
        self.assertEqual(restore_dues(at(DUE - timedelta(days=8))), [])

    def test_a_week_before_to_the_responsables_and_referents_not_urgent(self):
        [item] = restore_dues(at(DUE - timedelta(days=7)))
        self.assertEqual(item.key, f"continuity.restore:{self.backup.pk}")
        self.assertEqual(item.occurrence, DUE - timedelta(days=7))
        self.assertEqual(set(item.users), {self.alice.pk, self.rita.pk})
        self.assertFalse(item.urgent)
        self.assertIsNone(item.deadline)
        self.assertEqual(str(item.subject), "Test de restauration à prévoir : « Base du LGO », "
                                            "avant le 7 avril 2026")
        self.assertEqual(str(item.link), f"/o/alpha/continuite/sauvegardes/{self.backup.pk}/")

    def test_on_the_day_then_urgent_after_a_month(self):
        [item] = restore_dues(at(DUE))
        self.assertEqual((item.occurrence, item.urgent), (DUE, False))
        self.assertEqual(str(item.subject), "Test de restauration à faire : « Base du LGO »")
        [item] = restore_dues(at(DUE + timedelta(days=31)))
        self.assertEqual((item.occurrence, item.urgent), (DUE + timedelta(days=31), True))
        self.assertIn("a plus d'un mois de retard", str(item.text))

    def test_its_own_period(self):
        Backup.objects.filter(pk=self.backup.pk).update(test_every_months=12)
        self.assertEqual(restore_dues(at(DUE + timedelta(days=60))), [])
        [item] = restore_dues(at(date(2027, 1, 7)))
        self.assertEqual(item.occurrence, date(2027, 1, 7))

    def test_a_test_logged_stops_them(self):
        restore_services.restore_log(
            acting_user=self.alice, organisation=self.org, backup=self.backup, activity=None,
            tested_on=DUE - timedelta(days=10), what="LGO", duration_minutes=30,
            result="reussi")
        self.assertEqual(restore_dues(at(DUE + timedelta(days=40))), [])

    def test_never_tested_once_when_added(self):
        never = Backup.objects.create(organisation=self.org, what="Comptabilité")
        added = at(DUE, 9)
        Backup.objects.filter(pk=never.pk).update(created_at=added)
        [item] = [d for d in restore_dues(at(DUE, 11)) if d.key.endswith(f":{never.pk}")]
        self.assertEqual((item.occurrence, item.urgent), (DUE, False))
        self.assertEqual(str(item.subject), "Sauvegarde jamais testée : « Comptabilité »")
        # The same occurrence on every later run: core reminds it once.
        [later] = [d for d in restore_dues(at(DUE + timedelta(days=5)))
                   if d.key.endswith(f":{never.pk}")]
        self.assertEqual(later.occurrence, DUE)
        self.assertEqual([d for d in restore_dues(at(DUE + timedelta(days=9)))
                          if d.key.endswith(f":{never.pk}")], [])

    def test_one_query_whatever_the_number_of_backups(self):
        def count():
            with self.assertNumQueries(1):
                return len(restore_dues(at(DUE)))

        few = count()
        for i in range(30):
            org = make_organisation(f"Pharmacie {i}", f"pharmacie-{i}")
            Membership.objects.create(organisation=org, user=self.alice, role=Role.RESPONSABLE)
            Backup.objects.create(organisation=org, what=f"Sauvegarde {i}",
                                  last_restore_test=LAST)
        self.assertEqual((few, count()), (1, 31))


class MailTestCase(SMTPTestMixin, BaseTestCase):
    """core.reminders.collect at chosen moments, then the sending of urgent reminders and
    of the Monday digest, to a real SMTP server."""

    def setUp(self):
        super().setUp()
        self.backup = Backup.objects.create(organisation=self.org, what="Base du LGO",
                                            last_restore_test=LAST)

    def run_at(self, now, *, digest=False):
        """Collect and send; how many of this part's reminders are new (other parts of
        the app may remind other things)."""
        before = self.restore_reminders().count()
        with self.captureOnCommitCallbacks(execute=True):
            reminders.collect(now)
            reminders.send_urgent(now)
            if digest:
                reminders.send_digests(now)
        return self.restore_reminders().count() - before

    def restore_reminders(self):
        return Reminder.objects.filter(key__startswith="continuity.restore:")

    def messages(self):
        return [m for m in self.smtp.messages if "restauration" in body_text(m)
                or "restauration" in m["Subject"]]

    def test_a_week_before_it_waits_for_the_monday_digest(self):
        self.assertEqual(self.run_at(at(DUE - timedelta(days=7))), 2, "alice and rita")
        self.assertEqual(self.messages(), [])
        self.assertEqual(self.run_at(at(DUE - timedelta(days=6))), 0, "nothing twice")
        self.run_at(at(MONDAY_BEFORE, 7), digest=True)
        self.assertEqual(sorted(m["To"] for m in self.messages()),
                         ["alice@alpha.example", "rita@alpha.example"])
        digest = self.messages()[0]
        self.assertIn("résumé", digest["Subject"])
        text = body_text(digest)
        self.assertIn("Test de restauration à prévoir : « Base du LGO », avant le 7 avril "
                      "2026", " ".join(text.split()))
        self.assertIn(f"http://127.0.0.1:8000/o/alpha/continuite/sauvegardes/"
                      f"{self.backup.pk}/", text)
        self.assertEqual(set(self.restore_reminders().values_list("state", flat=True)),
                         {Reminder.State.IN_DIGEST})

    def test_more_than_a_month_late_it_goes_at_once(self):
        late = DUE + timedelta(days=31)  # a Friday
        self.run_at(at(late))
        self.assertEqual(sorted(m["To"] for m in self.messages()),
                         ["alice@alpha.example", "rita@alpha.example"])
        message = self.messages()[0]
        self.assertEqual(" ".join(message["Subject"].split()),
                         "[Pharmagarde] Test de restauration en retard : « Base du LGO »")
        text = " ".join(body_text(message).split())
        self.assertIn("a plus d'un mois de retard : il était prévu pour le 7 avril 2026 "
                      "(dernier test le 7 janvier 2026)", text)
        self.assertIn(f"/o/alpha/continuite/sauvegardes/{self.backup.pk}/", text)
        self.run_at(at(late, 15))
        self.assertEqual(len(self.messages()), 2, "once per occurrence and person")

    def test_a_backup_never_tested_is_reminded_once(self):
        Backup.objects.filter(pk=self.backup.pk).update(last_restore_test=DUE)
        never = Backup.objects.create(organisation=self.org, what="Comptabilité")
        Backup.objects.filter(pk=never.pk).update(created_at=at(DUE, 9))
        self.assertEqual(self.run_at(at(DUE, 10)), 2)
        for days in range(1, 9):
            self.assertEqual(self.run_at(at(DUE + timedelta(days=days))), 0)
        self.assertEqual(Reminder.objects.filter(key=f"continuity.restore:{never.pk}").count(),
                         2)
