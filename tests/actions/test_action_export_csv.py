import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pharmagarde.core.models import AuditEntry
from tests.actions.base import PlanTestCase, days


class ActionExportCsvTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("action_export_csv")

    def rows(self, response):
        raw = b"".join(response.streaming_content)
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))

    def test_it_exports_the_organisation_actions(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        rows = self.rows(response)
        self.assertEqual(rows[0][:3], ["Rang de priorité", "Action", "Statut"])
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][1], "Changer le mot de passe du Wi-Fi")
        self.assertEqual(rows[1][4], self.action.due_date.strftime("%d/%m/%Y"))
        self.assertEqual(rows[1][6], "Paul Préparateur")

    def test_it_escapes_formulas(self):
        self.make_action("=HYPERLINK(\"http://evil.example\")", priority=1, notes="+33 6",
                         description="-1")
        self.client.force_login(self.colin)
        row = self.rows(self.client.get(self.url))[1]
        self.assertEqual(row[1], "'=HYPERLINK(\"http://evil.example\")")
        self.assertEqual(row[10], "'-1")
        self.assertEqual(row[13], "'+33 6")

    def test_it_applies_the_filters_and_audits(self):
        self.make_action("Autre", due_date=days(-1))
        self.client.force_login(self.colin)
        rows = self.rows(self.client.get(self.url, {"q": "wi-fi"}))
        self.assertEqual([r[1] for r in rows[1:]], ["Changer le mot de passe du Wi-Fi"])
        entry = AuditEntry.objects.get(action="plan.exported")
        self.assertEqual(entry.details, {"format": "csv", "filtres": {"q": "wi-fi"}})

    def test_its_query_count_does_not_grow_with_the_actions(self):
        self.client.force_login(self.colin)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                self.rows(self.client.get(self.url))
            return len(ctx.captured_queries)

        self.client.get(self.org_url("dashboard"))  # the session now names the organisation
        for i in range(5):
            self.make_action(f"Action {i}", owner=self.person)
        small = count()
        for i in range(5, 60):
            self.make_action(f"Action {i}", owner=self.person)
        self.assertEqual(count(), small)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
