import csv
import io

from pharmagarde.core import audit
from pharmagarde.core.models import AuditEntry
from tests.base import BaseTestCase


class AuditLogCsvTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("audit_log_csv")
        audit.record("person.created", actor=self.colin, organisation=self.org,
                     obj=self.person)
        audit.record("person.created", actor=self.oscar, organisation=self.other_org)

    def rows(self, response):
        content = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(content), delimiter=";"))

    def test_it_exports_the_organisation_entries(self):
        self.client.force_login(self.owner)
        response = self.client.get(self.url)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        rows = self.rows(response)
        self.assertEqual(rows[0][0], "date")
        actions = [row[2] for row in rows[1:]]
        # Alice's own sign-in (force_login) is an account event of a member: it is there too.
        self.assertEqual(actions, ["person.created", "auth.login", "audit.exported"])
        self.assertEqual(rows[1][1], "colin@alpha.example")
        self.assertNotIn("oscar@bravo.example", [row[1] for row in rows])

    def test_it_escapes_formulas(self):
        self.person.first_name = "=HYPERLINK(\"http://evil.example\")"
        audit.record("person.updated", actor=self.colin, organisation=self.org,
                     obj=self.person, actor_label="@SUM(1+1)")
        self.client.force_login(self.owner)
        row = self.rows(self.client.get(self.url))[2]
        self.assertEqual(row[2], "person.updated")
        self.assertEqual(row[1], "'@SUM(1+1)")
        self.assertEqual(row[3], "Fiche d'une personne modifiée")
        self.assertTrue(row[4].startswith("person ="))

    def test_it_audits_the_export(self):
        self.client.force_login(self.owner)
        self.client.get(self.url, {"action": "person.created"})
        entry = AuditEntry.objects.get(action="audit.exported")
        self.assertEqual(entry.organisation, self.org)
        self.assertEqual(entry.details["filtres"], {"action": "person.created"})

    def test_it_is_for_responsables_only(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
