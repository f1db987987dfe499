from django.urls import reverse

from pharmagarde.core.models import Person
from tests.base import BaseTestCase


class PersonListTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("person_list")

    def test_it_lists_the_organisation_people(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "Préparateur")
        self.assertNotContains(response, "Basile")

    def test_it_redirects_anonymous_to_login(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, reverse("account_login") + "?next=" + self.url,
                             fetch_redirect_response=False)

    def test_it_hides_the_organisation_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_searches(self):
        Person.objects.create(organisation=self.org, first_name="Zoé", last_name="Zèbre")
        self.client.force_login(self.colin)
        response = self.client.get(self.url, {"q": "zèb"})
        self.assertContains(response, "Zèbre")
        self.assertNotContains(response, "Préparateur")

    def test_it_shows_an_empty_state(self):
        self.person.delete()
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url), "Aucune personne enregistrée.")

    def test_it_bounds_queries(self):
        self.client.force_login(self.colin)
        self.assertQueriesConstant(self.url, lambda i: Person.objects.create(
            organisation=self.org, first_name=f"P{i}", last_name="X"))
