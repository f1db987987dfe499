from pharmagarde.core.models import AuditEntry
from tests.base import BaseTestCase


class OrganisationEditTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("organisation_edit")

    def post(self, **fields):
        data = {"name": "Pharmacie Alpha", "kind": "officine", "siret": "73282932000074",
                "size_band": "10-49", "region": "BRE"}
        data.update(fields)
        return self.client.post(self.url, data)

    def test_it_saves_and_audits_the_changed_fields(self):
        self.client.force_login(self.owner)
        self.assertEqual(self.post(require_mfa_for_all="on").status_code, 302)
        self.org.refresh_from_db()
        self.assertTrue(self.org.require_mfa_for_all)
        self.assertEqual(self.org.region, "BRE")
        entry = AuditEntry.objects.get(action="organisation.updated")
        self.assertIn("require_mfa_for_all", entry.details["champs"])

    def test_it_keeps_the_data_on_error(self):
        self.client.force_login(self.owner)
        response = self.post(siret="123", name="Autre nom")
        self.assertContains(response, "14 chiffres")
        self.org.refresh_from_db()
        self.assertEqual(self.org.name, "Pharmacie Alpha")

    def test_it_is_for_responsables_only(self):
        self.client.force_login(self.rita)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.post().status_code, 403)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
