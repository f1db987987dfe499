"""Reminders of the legal clocks of open incidents (incidents/reminders.py), through
core.reminders.collect and send_urgent, the database and a real SMTP server: half-way,
6 hours before, when late; « sans délai » at once; to the responsables and référents; each
once, and only the latest after a stop."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from pharmagarde.core import reminders
from pharmagarde.core.models import Reminder
from pharmagarde.incidents import services
from pharmagarde.incidents.models import Breach, Incident, ResponseProfile
from pharmagarde.incidents.reminders import due
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin, body_text


def local(*args):
    return timezone.make_aware(datetime(*args))


FRIDAY_NIGHT = local(2026, 12, 4, 23, 0)
SUNDAY_MIDDAY = local(2026, 12, 6, 11, 0)   # half of the 72 hours
MONDAY_AFTERNOON = local(2026, 12, 7, 17, 0)  # 6 hours before
MONDAY_NIGHT = local(2026, 12, 7, 23, 0)    # the deadline


class IncidentRemindersTestCase(SMTPTestMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        # Ransomware noticed on a Friday at 23:00, patients' data touched: the CNIL clock.
        self.incident = services.incident_declare(
            acting_user=self.colin, organisation=self.org, kind="rancongiciel",
            description="Écran de rançon sur le poste du comptoir.", personal_data="oui",
            noticed_at=FRIDAY_NIGHT)

    def run_at(self, now):
        with self.captureOnCommitCallbacks(execute=True):
            reminders.collect(now)
            reminders.send_urgent(now)

    def run_hourly(self, start, end, every=timedelta(hours=1)):
        moment = start
        while moment <= end:
            self.run_at(moment)
            moment += every

    def subjects(self):
        return [message["Subject"].strip() for message in self.smtp.messages]

    def test_a_friday_night_breach_through_the_weekend(self):
        self.run_hourly(FRIDAY_NIGHT, MONDAY_NIGHT + timedelta(hours=2))
        self.assertEqual(self.subjects(), [
            "[Pharmagarde] INC-0001 : Notifier la violation à la CNIL avant le lundi "
            "7 décembre 2026, 23:00"] * 2 + [
            "[Pharmagarde] INC-0001 : plus que 6 heures — Notifier la violation à la "
            "CNIL, avant le lundi 7 décembre 2026, 23:00"] * 2 + [
            "[Pharmagarde] INC-0001 en retard : Notifier la violation à la CNIL "
            "(échéance du lundi 7 décembre 2026, 23:00)"] * 2)
        occurrences = sorted(set(Reminder.objects.values_list("occurrence", flat=True)))
        self.assertEqual(occurrences, [moment.astimezone(UTC).isoformat(
            timespec="minutes") for moment in (SUNDAY_MIDDAY, MONDAY_AFTERNOON,
                                               MONDAY_NIGHT)])
        self.assertEqual(set(Reminder.objects.values_list("key", flat=True)),
                         {f"incidents.clock:{self.incident.pk}:cnil_initial"})
        self.assertTrue(all(reminder.urgent and reminder.state == Reminder.State.SENT
                            for reminder in Reminder.objects.all()))

    def test_the_72_hour_reminder_lands_on_monday(self):
        self.run_at(MONDAY_NIGHT - timedelta(minutes=1))
        self.assertEqual(len(self.smtp.messages), 2, "6 hours before, to alice and rita")
        self.smtp.clear()
        self.run_at(MONDAY_NIGHT)
        [first, second] = self.smtp.messages
        self.assertIn("en retard", first["Subject"])
        self.assertEqual(first["Subject"], second["Subject"])
        text = body_text(first)
        self.assertIn("Incident INC-0001 — Rançongiciel (fichiers chiffrés", text)
        self.assertIn("L'échéance de « Notifier la violation à la CNIL » était le lundi "
                      "7 décembre 2026, 23:00 (RGPD, art. 33 : 72 heures)", text)
        self.assertIn("la raison du retard", text)
        self.assertIn(f"http://127.0.0.1:8000/o/alpha/incidents/{self.incident.pk}/#delais",
                      text)

    def test_to_the_responsables_and_referents_only(self):
        self.run_at(SUNDAY_MIDDAY)
        self.assertEqual(sorted(message["To"] for message in self.smtp.messages),
                         ["alice@alpha.example", "rita@alpha.example"])

    def test_nothing_is_sent_twice(self):
        self.run_hourly(FRIDAY_NIGHT, MONDAY_NIGHT + timedelta(hours=2))
        self.assertEqual(len(self.smtp.messages), 6)
        for moment in (SUNDAY_MIDDAY, MONDAY_AFTERNOON, MONDAY_NIGHT):
            self.run_hourly(moment, moment + timedelta(minutes=30),
                            every=timedelta(minutes=5))
        self.run_hourly(MONDAY_NIGHT, MONDAY_NIGHT + timedelta(days=3))
        self.assertEqual(len(self.smtp.messages), 6)
        self.assertEqual(Reminder.objects.count(), 6)

    def test_a_worker_back_after_a_stop_sends_only_the_latest(self):
        self.run_at(MONDAY_NIGHT + timedelta(hours=11))
        self.assertEqual(len(self.smtp.messages), 2)
        self.assertTrue(all("en retard" in subject for subject in self.subjects()))

    def test_a_step_done_is_not_reminded(self):
        self.run_at(SUNDAY_MIDDAY)
        services.obligation_record(acting_user=self.alice, incident=self.incident,
                                   code="cnil_initial",
                                   done_at=SUNDAY_MIDDAY + timedelta(hours=1))
        self.smtp.clear()
        self.run_hourly(SUNDAY_MIDDAY, MONDAY_NIGHT + timedelta(hours=2))
        self.assertEqual(self.smtp.messages, [])

    def test_a_breach_recorded_only_is_not_reminded(self):
        Breach.objects.filter(incident=self.incident).update(decision="registre")
        self.run_hourly(FRIDAY_NIGHT, MONDAY_NIGHT + timedelta(hours=2))
        self.assertEqual(self.smtp.messages, [])

    def test_a_closed_incident_is_not_reminded(self):
        Incident.objects.filter(pk=self.incident.pk).update(status=Incident.Status.CLOSED)
        self.run_at(MONDAY_NIGHT)
        self.assertEqual(self.smtp.messages, [])

    def test_without_delay_at_once(self):
        ResponseProfile.objects.create(organisation=self.org, cert_sante=True)
        self.run_at(FRIDAY_NIGHT + timedelta(minutes=5))
        self.assertEqual(self.subjects(), [
            "[Pharmagarde] INC-0001 : à faire sans délai — Signaler l'incident à CERT "
            "Santé"] * 2)
        self.assertIn("portail de signalement des événements sanitaires indésirables",
                      body_text(self.smtp.messages[0]))
        self.run_hourly(FRIDAY_NIGHT, FRIDAY_NIGHT + timedelta(hours=6))
        self.assertEqual(len(self.smtp.messages), 2)

    def test_nis2_and_insurance_clocks(self):
        ResponseProfile.objects.create(organisation=self.org, nis2_entity=True,
                                       cyber_insured=True)
        saturday_night = FRIDAY_NIGHT + timedelta(hours=24)
        self.run_at(saturday_night)
        self.assertEqual(set(self.subjects()), {
            "[Pharmagarde] INC-0001 en retard : Alerte précoce NIS 2 (échéance du samedi "
            "5 décembre 2026, 23:00)"})
        self.smtp.clear()
        self.run_at(MONDAY_AFTERNOON)
        self.assertEqual(len(self.smtp.messages), 6, "CNIL, NIS 2 and complaint, to two")
        self.assertIn("[Pharmagarde] INC-0001 : plus que 6 heures — Porter plainte (police "
                      "ou gendarmerie), avant le lundi 7 décembre 2026, 23:00",
                      self.subjects())

    def test_two_queries_whatever_the_number_of_incidents(self):
        for number in range(20):
            organisation = self.other_org if number % 2 else self.org
            services.incident_declare(
                acting_user=self.oscar if number % 2 else self.colin,
                organisation=organisation, kind="fuite", description="Fuite",
                personal_data="oui", noticed_at=FRIDAY_NIGHT - timedelta(hours=number))
        ResponseProfile.objects.create(organisation=self.other_org, nis2_entity=True)
        with self.assertNumQueries(2):
            dues = list(due(MONDAY_NIGHT + timedelta(hours=1)))
        self.assertEqual(len([d for d in dues if d.organisation_id == self.org.pk]), 11)
        bravo = [d for d in dues if d.organisation_id == self.other_org.pk]
        self.assertEqual(len(bravo), 10 * 3, "the CNIL and two NIS 2 clocks are late")
        self.assertTrue(all(d.users == (self.oscar.pk,) for d in bravo))
