"""The demo federation: a groupement whose dashboard shows real tables with hidden cells,
its rates and shares (restore tests, training, phishing), the demo officine's place among
its members, the responsable's login printed."""

from django.test import TestCase

from pharmagarde.awareness.models import Assignment, Campaign, Recipient
from pharmagarde.continuity.models import RestoreTest
from pharmagarde.core import demo as core_demo
from pharmagarde.core.models import Membership, Organisation, Person
from pharmagarde.federation.models import FederationMember, Snapshot
from tests.core.test_demo import OFFICINE, run_demo


class FederationDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.federation = Organisation.objects.get(name="Groupement Pharmavie Ouest")
        cls.officine = Organisation.objects.get(name=OFFICINE)

    def test_the_dashboard_shows_tables_with_hidden_cells(self):
        responsable = Membership.objects.get(organisation=self.federation).user
        self.client.force_login(responsable)
        page = self.client.get(f"/o/{self.federation.slug}/federation/")
        self.assertContains(page, "Structures par niveau de maturité et par profession")
        self.assertContains(page, "moins de 11 structures")
        self.assertEqual(Snapshot.objects.get(organisation=self.federation).units, 31)

    def test_the_rates_and_shares_show(self):
        data = Snapshot.objects.get(organisation=self.federation).data
        for key in ("awareness.training_done", "awareness.phishing_click",
                    "awareness.phishing_report"):
            self.assertIsNotNone(data["rates"][key]["overall"]["value"], key)
            self.assertIsNotNone(data["rates"][key]["kind"]["officine"]["value"], key)
            self.assertIsNone(data["rates"][key]["kind"]["lbm"]["value"], key)  # three
        restore = data["shares"]["continuity.restore_fresh"]
        self.assertIsNotNone(restore["value"])
        self.assertEqual(restore["units"], 31)
        responsable = Membership.objects.get(organisation=self.federation).user
        self.client.force_login(responsable)
        page = self.client.get(f"/o/{self.federation.slug}/federation/")
        self.assertContains(page, f"{restore['value']} %")

    def test_the_members_activity_is_varied_and_dated_before_the_period(self):
        snapshot = Snapshot.objects.get(organisation=self.federation)
        members = FederationMember.objects.filter(
            organisation=self.federation).exclude(member=self.officine).values("member")
        tests = RestoreTest.objects.filter(organisation__in=members)
        self.assertGreater(tests.count(), 15)
        self.assertLess(tests.count(), 30)  # some never tested
        self.assertTrue(tests.filter(result="echec").exists())
        self.assertFalse(tests.filter(created_at__gte=snapshot.period_start).exists())
        assignments = Assignment.objects.filter(organisation__in=members)
        self.assertTrue(assignments.exclude(completed_at=None).exists())
        self.assertTrue(assignments.filter(completed_at=None).exists())
        self.assertFalse(assignments.filter(assigned_at__gte=snapshot.period_start).exists())
        self.assertEqual(Campaign.objects.filter(organisation__in=members,
                                                 status="terminee").count(), 30)
        recipients = Recipient.objects.filter(organisation__in=members)
        self.assertEqual(recipients.count(), Person.objects.filter(
            organisation__in=members).count())
        self.assertTrue(recipients.filter(result__gte=2).exists())
        self.assertTrue(recipients.exclude(reported_at=None).exists())

    def test_the_officine_sees_its_place(self):
        titulaire = Membership.objects.filter(organisation=self.officine,
                                              role="responsable").first().user
        self.client.force_login(titulaire)
        page = self.client.get(f"/o/{self.officine.slug}/federation/mes-federations/")
        self.assertContains(page, "Groupement Pharmavie Ouest")
        self.assertContains(page, "Votre niveau de maturité")

    def test_the_login_is_printed_and_a_second_run_adds_nothing(self):
        self.assertIn("anne.lemoine@demo.pharmagarde.fr", core_demo.banner())
        self.assertNotIn("pharmavie.example", core_demo.banner())
        models = (FederationMember, Person, RestoreTest, Assignment, Campaign, Recipient)
        before = [model.objects.count() for model in models]
        run_demo()
        self.assertEqual([model.objects.count() for model in models], before)
