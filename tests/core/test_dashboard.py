from datetime import date

from allauth.mfa.models import Authenticator

from pharmagarde.core.models import Membership, Person
from tests.base import BaseTestCase


class DashboardTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("dashboard")

    def test_it_shows_the_organisation(self):
        self.client.force_login(self.owner)
        response = self.client.get(self.url)
        self.assertContains(response, "Pharmacie Alpha")
        self.assertContains(response, "À faire maintenant")

    def test_it_asks_for_mfa_when_missing(self):
        self.client.force_login(self.colin)
        self.assertContains(self.client.get(self.url), "Activez la double authentification")
        self.client.force_login(self.owner)
        self.assertNotContains(self.client.get(self.url), "Activez la double authentification")

    def test_it_asks_to_register_staff_when_none(self):
        Person.objects.filter(organisation=self.org).delete()
        self.client.force_login(self.owner)
        self.assertContains(self.client.get(self.url), "Enregistrez le personnel")

    def test_it_flags_departed_staff_who_still_have_access(self):
        Person.objects.create(organisation=self.org, first_name="Colin", last_name="Parti",
                              user=self.colin, departure_date=date(2024, 1, 31))
        self.client.force_login(self.owner)
        self.assertContains(self.client.get(self.url), "1 personne(s) partie(s)")

    def test_it_does_not_flag_a_future_departure(self):
        Person.objects.create(organisation=self.org, first_name="Colin", last_name="Bientôt",
                              user=self.colin, departure_date=date(2999, 1, 31))
        self.client.force_login(self.owner)
        self.assertNotContains(self.client.get(self.url), "partie(s)")

    def test_it_suggests_inviting_a_colleague_to_a_lone_responsable(self):
        Membership.objects.filter(organisation=self.org).exclude(user=self.owner).delete()
        self.client.force_login(self.owner)
        self.assertContains(self.client.get(self.url), "Invitez votre référent")

    def test_it_is_readable_by_the_read_only_role(self):
        Authenticator.objects.filter(user=self.readonly).delete()
        self.client.force_login(self.readonly)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Enregistrez le personnel")

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
