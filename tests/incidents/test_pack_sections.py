"""The incidents' part of the audit packs: the incidents of twelve months, the breach
register with the delay of each CNIL notification, and the NIS 2 deadlines kept or missed."""

import datetime

from django.utils import timezone

from pharmagarde.core.packs import FAILED, FRESH, PackRequest
from pharmagarde.incidents import pack_sections
from pharmagarde.incidents.models import Breach, Incident, Obligation, ResponseProfile
from pharmagarde.reports import checklists
from tests.base import BaseTestCase
from tests.reports.test_content_helpers import query_count, sections_by_key


def today():
    # Taken per use, never at import: a suite that runs past midnight (Paris) would
    # otherwise compare today's records with yesterday's date.
    return timezone.localdate()
HOUR = datetime.timedelta(hours=1)


def by_key(organisation, regime="general"):
    return sections_by_key(pack_sections.sections, organisation, regime, today())


def states(organisation, regime) -> dict:
    """{requirement id: its state in the regime's checklist} from this app's sections."""
    pack = PackRequest(organisation, regime, today())
    found = pack_sections.sections(pack)
    return {item.key: checklists.requirement_state(item, found, pack)[0]
            for item in checklists.requirements_for(regime).requirements}


class IncidentSectionsTestCase(BaseTestCase):
    def incident(self, number, days_ago=10, **fields):
        values = {"organisation": self.org, "number": number, "kind": Incident.Kind.PHISHING,
                  "description": "Un lien cliqué.",
                  "noticed_at": timezone.now() - datetime.timedelta(days=days_ago)}
        values.update(fields)
        return Incident.objects.create(**values)

    def breach(self, number, incident=None, **fields):
        values = {"organisation": self.org, "number": number, "incident": incident,
                  "aware_at": incident.noticed_at if incident else timezone.now(),
                  "decision": Breach.Decision.NOTIFY}
        values.update(fields)
        return Breach.objects.create(**values)

    def done(self, incident, code, after_hours):
        return Obligation.objects.create(organisation=self.org, incident=incident, code=code,
                                         done_at=incident.noticed_at + after_hours * HOUR)

    def test_an_organisation_without_incidents_keeps_empty_registers(self):
        found = by_key(self.org)
        self.assertEqual(list(found), ["incidents.register", "incidents.breaches"])
        for section in found.values():
            self.assertEqual(section.evidence[0].freshness(today()), FRESH)
            self.assertIsNone(section.evidence[0].max_age_months)
        self.assertIn("Aucun incident", found["incidents.register"].blocks[1].empty)

    def test_the_incidents_of_twelve_months_and_cert_sante(self):
        recent = self.incident(1, description="<script>alert(1)</script>")
        self.incident(2, days_ago=400)
        self.incident(3, organisation=self.other_org)
        self.done(recent, "cert_sante", 5)
        section = by_key(self.org)["incidents.register"]
        table = section.blocks[1]
        self.assertEqual([row[0] for row in table.rows], ["INC-0001"])
        self.assertIsNotNone(table.rows[0][6])
        facts = dict(section.blocks[0].items)
        self.assertEqual(facts["Signalés à CERT Santé"], "1")

    def test_the_breach_register_says_which_notification_kept_the_72_hours(self):
        on_time, late, recorded = self.incident(1), self.incident(2), self.incident(3)
        self.breach(1, on_time)
        self.breach(2, late)
        self.breach(3, recorded, decision=Breach.Decision.RECORD)
        self.done(on_time, "cnil_initial", 30)
        step = self.done(late, "cnil_initial", 80)
        step.delay_reason = "Week-end de trois jours"
        step.save()
        section = by_key(self.org)["incidents.breaches"]
        facts = dict(section.blocks[0].items)
        self.assertEqual((facts["Violations inscrites au registre"],
                          facts["Notifiées à la CNIL"], facts["Dans les 72 heures"],
                          facts["Après 72 heures"]), ("3", "2", "1", "1"))
        rows = {row[0]: row for row in section.blocks[1].rows}
        self.assertEqual(rows["VDP-0001"][4:6], (30, "oui"))
        self.assertEqual(rows["VDP-0002"][4:7], (80, "non", "Week-end de trois jours"))
        self.assertEqual(rows["VDP-0003"][5], "notification non requise")

    def test_a_notification_after_72_hours_without_reason_is_not_met(self):
        incident = self.incident(1)
        self.breach(1, incident)
        self.done(incident, "cnil_initial", 100)
        section = by_key(self.org, "cnil")["incidents.breaches"]
        self.assertEqual(dict(section.blocks[0].items)["Après 72 heures"], "1")
        register, notification = section.evidence
        self.assertEqual(register.freshness(today()), FRESH)
        self.assertEqual(notification.freshness(today()), FAILED)
        self.assertIn("1 notification faite après 72 heures", notification.failed)
        found = states(self.org, "cnil")
        self.assertEqual(found["notification-72h"], checklists.UNMET)
        self.assertEqual(found["registre-violations"], checklists.MET)

    def test_a_late_notification_with_its_reason_and_one_on_time_are_met(self):
        late, on_time = self.incident(1), self.incident(2)
        self.breach(1, late)
        self.breach(2, on_time)
        self.done(on_time, "cnil_initial", 10)
        step = self.done(late, "cnil_initial", 100)
        step.delay_reason = "Prestataire injoignable pendant trois jours"
        step.save()
        self.assertEqual(states(self.org, "cnil")["notification-72h"], checklists.MET)

    def test_a_breach_to_notify_left_unnotified_past_72_hours_is_not_met(self):
        self.breach(1, self.incident(1, days_ago=2))  # 48 hours: still in time
        self.assertEqual(states(self.org, "cnil")["notification-72h"], checklists.MET)
        self.breach(2, self.incident(2, days_ago=5))
        notification = by_key(self.org, "cnil")["incidents.breaches"].evidence[1]
        self.assertEqual(notification.failed, "1 violation non notifiée après 72 heures")
        self.assertEqual(states(self.org, "cnil")["notification-72h"], checklists.UNMET)

    def test_missed_nis2_deadlines_are_not_met(self):
        ResponseProfile.objects.create(organisation=self.org, nis2_entity=True)
        self.assertEqual(states(self.org, "nis2")["notification"], checklists.MET)
        incident = self.incident(1, days_ago=60)
        self.done(incident, "nis2_early", 20)
        evidence = by_key(self.org, "nis2")["incidents.nis2"].evidence[0]
        self.assertEqual(evidence.freshness(today()), FAILED)
        self.assertEqual(evidence.failed, "2 déclarations en retard ou manquées")
        self.assertEqual(states(self.org, "nis2")["notification"], checklists.UNMET)

    def test_the_nis2_deadlines_kept_or_missed(self):
        ResponseProfile.objects.create(organisation=self.org, nis2_entity=True)
        incident = self.incident(1, days_ago=60)
        self.done(incident, "nis2_early", 20)
        self.done(incident, "nis2_notification", 90)
        section = by_key(self.org, "nis2")["incidents.nis2"]
        rows = {row[1]: row[4] for row in section.blocks[1].rows}
        self.assertEqual(rows["Alerte précoce NIS 2"], "dans les délais")
        self.assertEqual(rows["Notification de l'incident NIS 2"], "fait en retard")
        self.assertEqual(rows["Rapport final NIS 2"], "en retard")
        facts = dict(section.blocks[0].items)
        self.assertEqual(facts["Déclarations faites dans les délais"], "1")
        self.assertEqual(facts["Déclarations en retard ou manquées"], "2")

    def test_no_nis2_deadline_for_an_organisation_outside_nis2(self):
        self.incident(1)
        section = by_key(self.org, "nis2")["incidents.nis2"]
        self.assertEqual(section.blocks[1].rows, ())
        self.assertIn("n'est pas indiquée comme entité NIS 2", section.blocks[1].empty)

    def test_the_queries_do_not_grow_with_the_incidents(self):
        ResponseProfile.objects.create(organisation=self.org, nis2_entity=True)

        def count():
            return query_count(lambda: (by_key(self.org), by_key(self.org, "nis2")))

        def make(i):
            incident = self.incident(i + 1)
            self.breach(i + 1, incident)
            self.done(incident, "cnil_initial", 10)

        for i in range(5):
            make(i)
        few = count()
        for i in range(5, 40):
            make(i)
        self.assertEqual(count(), few)
