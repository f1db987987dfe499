from pharmagarde.core.models import AuditEntry, Person
from tests.base import BaseTestCase


class PersonDeleteTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("person_delete", self.person.id)

    def test_it_deletes_and_audits(self):
        self.client.force_login(self.owner)
        self.client.post(self.url)
        self.assertFalse(Person.objects.filter(id=self.person.id).exists())
        entry = AuditEntry.objects.get(action="person.deleted")
        self.assertEqual(entry.object_label, "Paul Préparateur")

    def test_it_requires_post(self):
        self.client.force_login(self.owner)
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.assertTrue(Person.objects.filter(id=self.person.id).exists())

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.assertTrue(Person.objects.filter(id=self.person.id).exists())
