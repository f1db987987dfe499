from pharmagarde.core.models import AuditEntry, Person
from tests.base import BaseTestCase


class PersonNewTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("person_new")

    def post(self, **fields):
        data = {"first_name": "Inès", "last_name": "Adjointe", "email": "ines@alpha.example",
                "job": "Pharmacienne adjointe", "arrival_date": "2024-09-01",
                "departure_date": ""}
        data.update(fields)
        return self.client.post(self.url, data)

    def test_it_adds_a_person_and_audits_it(self):
        self.client.force_login(self.colin)
        response = self.post()
        self.assertRedirects(response, self.org_url("person_list"),
                             fetch_redirect_response=False)
        person = Person.objects.get(last_name="Adjointe")
        self.assertEqual(person.organisation, self.org)
        self.assertTrue(AuditEntry.objects.filter(action="person.created",
                                                  object_id=str(person.id)).exists())

    def test_it_links_a_member_account(self):
        self.client.force_login(self.owner)
        self.post(user=self.colin.id)
        self.assertEqual(Person.objects.get(last_name="Adjointe").user, self.colin)

    def test_it_refuses_to_link_an_outsider_account(self):
        self.client.force_login(self.owner)
        response = self.post(user=self.oscar.id)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Person.objects.filter(last_name="Adjointe").exists())

    def test_it_checks_dates_next_to_the_field(self):
        self.client.force_login(self.owner)
        response = self.post(arrival_date="2025-01-10", departure_date="2024-01-10")
        self.assertContains(response, "La date de départ précède la date d")
        self.assertFalse(Person.objects.filter(last_name="Adjointe").exists())

    def test_it_rejects_a_malformed_date(self):
        self.client.force_login(self.owner)
        response = self.post(arrival_date="32/13/2024")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Person.objects.filter(last_name="Adjointe").exists())

    def test_it_rejects_over_long_fields(self):
        self.client.force_login(self.owner)
        response = self.post(last_name="x" * 500)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Person.objects.filter(first_name="Inès").exists())

    def test_it_requires_names(self):
        self.client.force_login(self.owner)
        response = self.post(first_name="", last_name="")
        self.assertContains(response, "Ce champ est obligatoire")

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.post().status_code, 403)
        self.assertFalse(Person.objects.filter(last_name="Adjointe").exists())

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.post().status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.post().status_code, 302)
        self.assertFalse(Person.objects.filter(last_name="Adjointe").exists())
