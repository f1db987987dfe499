"""The incidents' facts across one's organisations: open incidents and the nearest legal
deadline for those who handle them; a collaborateur, only what they declared."""

import datetime

from django.utils import timezone

from pharmagarde.core import portfolio
from pharmagarde.core.models import Role
from pharmagarde.incidents.models import Breach, Incident, Obligation, ResponseProfile
from pharmagarde.incidents.portfolio import summaries
from tests.base import BaseTestCase
from tests.core.test_portfolio import SummariesTestMixin


def incident(organisation, number, *, hours_ago, user=None, status=Incident.Status.OPEN):
    return Incident.objects.create(
        organisation=organisation, number=number, kind=Incident.Kind.PHISHING,
        description="Un lien cliqué", status=status, declared_by=user,
        noticed_at=timezone.now() - datetime.timedelta(hours=hours_ago))


class IncidentsPortfolioTestCase(SummariesTestMixin, BaseTestCase):
    def fact(self, user, organisation=None):
        [fact] = summaries(self.memberships(user))[(organisation or self.org).pk]
        return fact

    def test_it_alerts_on_the_cnil_clock_of_a_breach_within_24_hours(self):
        found = incident(self.org, 1, hours_ago=60, user=self.alice)
        Breach.objects.create(organisation=self.org, number=1, incident=found,
                              aware_at=found.noticed_at)
        fact = self.fact(self.rita)
        self.assertEqual(fact.level, portfolio.ALERT)
        self.assertIn("1 incident en cours", fact.text)
        self.assertIn("Notifier la violation à la CNIL, reste 11 h", fact.text)
        self.assertEqual(fact.url, self.org_url("incident_detail", found.pk) + "#delais")

    def test_it_warns_when_the_deadline_is_further_away(self):
        found = incident(self.org, 1, hours_ago=2, user=self.alice)
        Breach.objects.create(organisation=self.org, number=1, incident=found,
                              aware_at=found.noticed_at)
        fact = self.fact(self.dora)
        self.assertEqual(fact.level, portfolio.WARNING)
        self.assertIn("reste 69 h", fact.text)

    def test_it_alerts_on_a_late_nis2_early_warning_and_forgets_what_is_done(self):
        ResponseProfile.objects.create(organisation=self.org, nis2_entity=True)
        found = incident(self.org, 1, hours_ago=30, user=self.alice)
        self.assertIn("Alerte précoce NIS 2, en retard de 6 h", self.fact(self.alice).text)
        Obligation.objects.create(organisation=self.org, incident=found, code="nis2_early",
                                  done_at=timezone.now())
        fact = self.fact(self.alice)
        self.assertIn("Notification de l'incident NIS 2, reste 41 h", fact.text)
        self.assertEqual(fact.level, portfolio.WARNING)

    def test_it_shows_a_collaborateur_only_what_they_declared_without_clocks(self):
        found = incident(self.org, 1, hours_ago=60, user=self.alice)
        Breach.objects.create(organisation=self.org, number=1, incident=found,
                              aware_at=found.noticed_at)
        self.assertEqual(self.fact(self.colin).text, "Aucun incident en cours")
        incident(self.org, 2, hours_ago=60, user=self.colin)
        fact = self.fact(self.colin)
        self.assertEqual(fact.text, "1 incident déclaré par vous en cours")
        self.assertEqual(fact.url, self.org_url("incident_list"))
        self.assertNotIn("CNIL", fact.text)

    def test_it_leaves_closed_incidents_out(self):
        incident(self.org, 1, hours_ago=60, user=self.alice, status=Incident.Status.CLOSED)
        fact = self.fact(self.alice)
        self.assertEqual((fact.text, fact.level), ("Aucun incident en cours", portfolio.OK))

    def test_it_reads_three_queries_for_any_number_of_organisations(self):
        for organisation in (self.org, self.other_org):
            ResponseProfile.objects.create(organisation=organisation, nis2_entity=True)
            for number in (1, 2):
                found = incident(organisation, number, hours_ago=10)
                Breach.objects.create(organisation=organisation, number=number,
                                      incident=found, aware_at=found.noticed_at)
                # Recorded steps: every field the clocks read comes with the one query.
                Obligation.objects.create(organisation=organisation, incident=found,
                                          code="nis2_early", done_at=timezone.now(),
                                          reference="ANSSI-2026-001")
                Obligation.objects.create(organisation=organisation, incident=found,
                                          code="cnil_initial", delay_reason="Attente")
        self.assertSummariesCost(summaries, 3, role=Role.REFERENT)
