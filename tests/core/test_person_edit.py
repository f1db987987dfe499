from pharmagarde.core.models import AuditEntry
from tests.base import BaseTestCase


class PersonEditTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("person_edit", self.person.id)

    def test_it_updates_and_audits(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, {"first_name": "Paul", "last_name": "Préparateur",
                                               "departure_date": "2025-06-30"})
        self.assertEqual(response.status_code, 302)
        self.person.refresh_from_db()
        self.assertEqual(str(self.person.departure_date), "2025-06-30")
        self.assertTrue(AuditEntry.objects.filter(action="person.updated").exists())

    def test_it_shows_the_read_only_role_a_read_only_page(self):
        self.client.force_login(self.readonly)
        response = self.client.get(self.url)
        self.assertContains(response, "Préparateur")
        self.assertNotContains(response, "<form method=\"post\" class=\"card\"")

    def test_it_refuses_the_read_only_role_writes(self):
        self.client.force_login(self.readonly)
        response = self.client.post(self.url, {"first_name": "X", "last_name": "Y"})
        self.assertEqual(response.status_code, 403)
        self.person.refresh_from_db()
        self.assertEqual(self.person.first_name, "Paul")

    def test_it_hides_another_organisation_person(self):
        self.client.force_login(self.owner)
        url = self.org_url("person_edit", self.other_person.id)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
