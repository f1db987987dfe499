"""The legal clocks of an incident (incidents/clocks.py), with explicit times: which steps
apply and why, their deadlines (weekends and nights count, real hours across a change of
the clocks), their state and the countdown shown."""

from datetime import UTC, datetime, timedelta

from django.test import SimpleTestCase
from django.utils import timezone

from pharmagarde.incidents.clocks import (
    by_urgency,
    clocks,
    duration_text,
)
from pharmagarde.incidents.models import Breach, Incident, Obligation, ResponseProfile


def local(*args):
    return timezone.make_aware(datetime(*args))


FRIDAY_NIGHT = local(2026, 12, 4, 23, 0)  # a Friday, winter time
MONDAY_NIGHT = local(2026, 12, 7, 23, 0)


def compute(*, noticed=FRIDAY_NIGHT, now=None, kind="officine", breach=None,
            obligations=(), **profile):
    incident = Incident(noticed_at=noticed, number=1)
    return {clock.code: clock for clock in clocks(
        incident, profile=ResponseProfile(**profile), organisation_kind=kind, breach=breach,
        obligations=obligations, now=now or noticed + timedelta(hours=1))}


def breach(decision="", aware=FRIDAY_NIGHT, decided=None):
    return Breach(aware_at=aware, decision=decision, decided_at=decided)


class DeadlineTestCase(SimpleTestCase):
    def test_72_hours_from_a_friday_night_end_on_the_monday_night(self):
        result = compute(breach=breach(), cyber_insured=True, nis2_entity=True)
        self.assertEqual(result["cnil_initial"].due_at, MONDAY_NIGHT)
        self.assertEqual(result["complaint"].due_at, MONDAY_NIGHT)
        self.assertEqual(result["nis2_notification"].due_at, MONDAY_NIGHT)
        self.assertEqual(result["nis2_early"].due_at, local(2026, 12, 5, 23, 0))

    def test_hours_are_real_hours_across_the_change_to_summer_time(self):
        # Friday 27 March 2026 at 23:00 (UTC+1); clocks go forward on Sunday the 29th.
        noticed = local(2026, 3, 27, 23, 0)
        due = compute(noticed=noticed, breach=breach(aware=noticed))["cnil_initial"].due_at
        # (Python subtracts two times of the same zone on the wall clock: compare in UTC.)
        self.assertEqual(due.astimezone(UTC) - noticed.astimezone(UTC), timedelta(hours=72))
        self.assertEqual(due.astimezone(UTC), datetime(2026, 3, 30, 22, 0, tzinfo=UTC))
        self.assertEqual(timezone.localtime(due).strftime("%d/%m %H:%M"), "31/03 00:00")

    def test_the_cnil_clock_starts_when_the_breach_was_known(self):
        aware = FRIDAY_NIGHT + timedelta(hours=10)
        result = compute(breach=breach(aware=aware))
        self.assertEqual(result["cnil_initial"].due_at, aware + timedelta(hours=72))
        self.assertEqual(result["cnil_initial"].starts_at, aware)

    def test_the_nis2_final_report_is_due_a_month_after_the_72_hour_deadline(self):
        result = compute(nis2_entity=True)
        self.assertEqual(result["nis2_final"].due_at, local(2027, 1, 7, 23, 0))

    def test_or_a_month_after_the_notification_when_it_was_made(self):
        sent = local(2026, 12, 6, 15, 30)
        result = compute(nis2_entity=True, obligations=[
            Obligation(code="nis2_notification", done_at=sent)])
        self.assertEqual(result["nis2_final"].due_at, local(2027, 1, 6, 15, 30))

    def test_a_month_after_the_31st_is_the_end_of_the_next_month(self):
        noticed = local(2027, 1, 28, 9, 0)  # the 72 h end on 31 January
        result = compute(noticed=noticed, nis2_entity=True)
        self.assertEqual(result["nis2_final"].due_at, local(2027, 2, 28, 9, 0))


class WhatAppliesTestCase(SimpleTestCase):
    def test_no_breach_no_cnil_clock(self):
        result = compute()
        self.assertFalse(result["cnil_initial"].applies)
        self.assertEqual(result["cnil_initial"].state, "not_applicable")
        self.assertIn("Aucune fiche au registre", result["cnil_initial"].reason)

    def test_while_undecided_the_cnil_clock_runs(self):
        clock = compute(breach=breach())["cnil_initial"]
        self.assertTrue(clock.applies)
        self.assertEqual(clock.state, "due")
        self.assertIn("le délai court déjà", clock.reason)
        self.assertIn("RGPD, art. 33", str(clock.label))

    def test_a_breach_recorded_only_has_no_cnil_clock(self):
        clock = compute(breach=breach("registre"))["cnil_initial"]
        self.assertFalse(clock.applies)
        self.assertIn("seulement inscrite au registre", clock.reason)

    def test_the_complement_comes_once_the_initial_notification_is_done(self):
        self.assertFalse(compute(breach=breach("cnil"))["cnil_complement"].applies)
        done = Obligation(code="cnil_initial", done_at=FRIDAY_NIGHT + timedelta(hours=30))
        clock = compute(breach=breach("cnil"), obligations=[done],
                        now=FRIDAY_NIGHT + timedelta(hours=31))["cnil_complement"]
        self.assertTrue(clock.applies)
        self.assertEqual((clock.state, clock.due_at), ("due", None))
        self.assertEqual(clock.countdown, "quand les faits sont connus")

    def test_people_are_informed_without_delay_when_the_risk_is_high(self):
        decided = FRIDAY_NIGHT + timedelta(hours=5)
        clock = compute(breach=breach("cnil-personnes", decided=decided))["people"]
        self.assertTrue(clock.applies)
        self.assertEqual((clock.due_at, clock.immediate, clock.starts_at),
                         (None, True, decided))
        self.assertEqual(clock.countdown, "sans délai")
        for decision in ("", "cnil", "registre"):
            self.assertFalse(compute(breach=breach(decision))["people"].applies, decision)

    def test_nis2_only_for_nis2_entities(self):
        for code in ("nis2_early", "nis2_notification", "nis2_final"):
            self.assertFalse(compute()[code].applies)
            self.assertTrue(compute(nis2_entity=True)[code].applies)

    def test_cert_sante_for_laboratories_and_puis_unless_the_profile_says(self):
        cases = [({"kind": "lbm"}, True), ({"kind": "pui"}, True),
                 ({"kind": "officine"}, False), ({"kind": "distribution"}, False),
                 ({"kind": "officine", "cert_sante": True}, True),
                 ({"kind": "lbm", "cert_sante": False}, False)]
        for arguments, applies in cases:
            clock = compute(**arguments)["cert_sante"]
            self.assertEqual(clock.applies, applies, arguments)
        clock = compute(kind="lbm")["cert_sante"]
        self.assertEqual((clock.due_at, clock.countdown), (None, "sans délai"))

    def test_the_complaint_is_due_in_72_hours_when_insured_and_advised_otherwise(self):
        insured = compute(cyber_insured=True)["complaint"]
        self.assertTrue(insured.applies)
        self.assertIn("L.12-10-1", str(insured.label))
        advised = compute()["complaint"]
        self.assertFalse(advised.applies)
        self.assertIn("Conseillée même sans assurance cyber", advised.reason)

    def test_a_step_said_not_to_apply_keeps_the_reason_given(self):
        clock = compute(nis2_entity=True, obligations=[Obligation(
            code="nis2_early", not_applicable="Incident sans effet sur le service.")])[
            "nis2_early"]
        self.assertEqual((clock.applies, clock.state), (False, "not_applicable"))
        self.assertEqual(clock.reason, "Incident sans effet sur le service.")


class StateAndCountdownTestCase(SimpleTestCase):
    def test_time_left_in_hours(self):
        clock = compute(breach=breach(), now=FRIDAY_NIGHT + timedelta(hours=30, minutes=20))[
            "cnil_initial"]
        self.assertEqual((clock.state, clock.countdown), ("due", "reste 41 h"))

    def test_late(self):
        clock = compute(breach=breach(), now=MONDAY_NIGHT + timedelta(hours=3, minutes=5))[
            "cnil_initial"]
        self.assertEqual((clock.state, clock.countdown), ("late", "en retard de 3 h"))

    def test_the_deadline_itself_is_still_on_time(self):
        clock = compute(breach=breach(), now=MONDAY_NIGHT)["cnil_initial"]
        self.assertEqual(clock.state, "due")

    def test_done_late_keeps_the_reason(self):
        done = Obligation(code="cnil_initial", done_at=MONDAY_NIGHT + timedelta(hours=2),
                          delay_reason="Serveur chiffré, pas d'accès à Internet.",
                          reference="ABC-123")
        clock = compute(breach=breach(), obligations=[done],
                        now=MONDAY_NIGHT + timedelta(days=2))["cnil_initial"]
        self.assertEqual(clock.state, "done")
        self.assertEqual(clock.countdown, "fait le 08/12/2026 à 01:00")
        self.assertEqual(clock.late_by, timedelta(hours=2))
        self.assertEqual((clock.delay_reason, clock.reference),
                         ("Serveur chiffré, pas d'accès à Internet.", "ABC-123"))

    def test_long_durations_in_days_short_ones_in_minutes(self):
        self.assertEqual(duration_text(timedelta(days=29, hours=5)), "29 jours")
        self.assertEqual(duration_text(timedelta(hours=95, minutes=59)), "95 h")
        self.assertEqual(duration_text(timedelta(minutes=12)), "12 min")
        self.assertEqual(duration_text(timedelta(seconds=5)), "1 min")

    def test_the_most_urgent_first(self):
        now = MONDAY_NIGHT + timedelta(hours=1)
        result = compute(breach=breach("cnil-personnes"), nis2_entity=True, kind="lbm",
                         now=now, obligations=[Obligation(code="nis2_early",
                                                          done_at=FRIDAY_NIGHT)])
        order = [clock.code for clock in by_urgency(list(result.values()))]
        self.assertEqual(order[:3], ["cnil_initial", "nis2_notification", "people"])
        self.assertEqual(order[3:6], ["cert_sante", "nis2_final", "nis2_early"])
        self.assertEqual(set(order[6:]), {"cnil_complement", "complaint"})
