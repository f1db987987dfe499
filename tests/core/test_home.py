from django.urls import reverse

from pharmagarde.core.models import Membership, Role
from tests.base import BaseTestCase, make_user


class HomeTestCase(BaseTestCase):
    url = reverse("home")

    def test_it_opens_the_only_organisation(self):
        self.client.force_login(self.colin)
        self.assertRedirects(self.client.get(self.url), self.org_url("dashboard"))

    def test_it_lists_organisations_when_several(self):
        Membership.objects.create(organisation=self.other_org, user=self.colin,
                                  role=Role.AUDITEUR)
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "Pharmacie Bravo")
        self.assertContains(response, "Pharmacie Alpha")

    def test_it_switches_to_the_chosen_organisation(self):
        Membership.objects.create(organisation=self.other_org, user=self.colin,
                                  role=Role.AUDITEUR)
        self.client.force_login(self.colin)
        response = self.client.get(self.url, {"o": "bravo"})
        self.assertRedirects(response, self.org_url("dashboard", org=self.other_org))

    def test_it_remembers_the_last_organisation(self):
        Membership.objects.create(organisation=self.other_org, user=self.colin,
                                  role=Role.AUDITEUR)
        self.client.force_login(self.colin)
        self.client.get(self.org_url("dashboard", org=self.other_org))
        self.assertRedirects(self.client.get(self.url),
                             self.org_url("dashboard", org=self.other_org))

    def test_it_ignores_an_organisation_the_user_does_not_belong_to(self):
        Membership.objects.create(organisation=self.other_org, user=self.colin,
                                  role=Role.AUDITEUR)
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"o": "bravo"})
        self.assertRedirects(response, self.org_url("dashboard"))

    def test_it_invites_a_newcomer_to_register_an_organisation(self):
        self.client.force_login(make_user("seul@example.fr"))
        self.assertContains(self.client.get(self.url), "Enregistrer ma structure")

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)


class LanguageSwitcherTestCase(BaseTestCase):
    def test_it_names_each_language_in_itself(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.org_url("dashboard"))
        self.assertContains(response, '<option value="en" lang="en">English</option>',
                            html=True)
        self.assertContains(response, "Français")
        self.assertNotContains(response, "Anglais")
