"""The demo federation: a groupement whose dashboard shows real tables with hidden cells,
the demo officine's place among its members, the responsable's login printed."""

from django.test import TestCase

from pharmagarde.core import demo as core_demo
from pharmagarde.core.models import Membership, Organisation
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
        before = FederationMember.objects.count()
        run_demo()
        self.assertEqual(FederationMember.objects.count(), before)
