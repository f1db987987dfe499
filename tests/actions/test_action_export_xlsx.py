import datetime
import io

from openpyxl import load_workbook

from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from tests.actions.base import PlanTestCase, days


class ActionExportXlsxTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("action_export_xlsx")

    def sheet(self, response):
        self.assertEqual(response.status_code, 200)
        return load_workbook(io.BytesIO(response.content)).active

    def test_it_exports_one_sheet_with_a_bold_frozen_header(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertIn("spreadsheetml", response["Content-Type"])
        self.assertIn('attachment; filename="plan-action-alpha-', response["Content-Disposition"])
        sheet = self.sheet(response)
        self.assertEqual(len(sheet.parent.worksheets), 1)
        self.assertEqual(sheet["B1"].value, "Action")
        self.assertTrue(sheet["A1"].font.bold)
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertGreater(sheet.column_dimensions["B"].width, 20)
        self.assertEqual(sheet["B2"].value, "Changer le mot de passe du Wi-Fi")
        self.assertEqual(sheet["G2"].value, "Paul Préparateur")
        self.assertEqual(sheet.max_row, 2)

    def test_dates_are_real_dates(self):
        self.client.force_login(self.colin)
        sheet = self.sheet(self.client.get(self.url))
        due = sheet["E2"].value
        self.assertIsInstance(due, datetime.datetime)
        self.assertEqual(due.date(), self.action.due_date)
        self.assertEqual(sheet["E2"].number_format, "DD/MM/YYYY")
        self.assertEqual(sheet["D2"].value, 0)

    def test_it_escapes_formulas(self):
        self.make_action('=HYPERLINK("http://evil.example","Cliquez")', priority=1,
                         notes="@SUM(1+1)")
        self.client.force_login(self.colin)
        sheet = self.sheet(self.client.get(self.url))
        self.assertEqual(sheet["B2"].value, '\'=HYPERLINK("http://evil.example","Cliquez")')
        self.assertEqual(sheet["B2"].data_type, "s")
        self.assertEqual(sheet["N2"].value, "'@SUM(1+1)")

    def test_it_applies_the_filters_and_audits(self):
        self.make_action("En retard", due_date=days(-5))
        self.client.force_login(self.colin)
        sheet = self.sheet(self.client.get(self.url, {"overdue": "on"}))
        self.assertEqual([row[1].value for row in sheet.iter_rows(min_row=2)], ["En retard"])
        entry = AuditEntry.objects.get(action="plan.exported")
        self.assertEqual(entry.details["format"], "xlsx")
        self.assertEqual(entry.organisation, self.org)

    def test_it_never_exports_another_organisation(self):
        self.client.force_login(self.colin)
        sheet = self.sheet(self.client.get(self.url))
        titles = [row[1].value for row in sheet.iter_rows(min_row=2)]
        self.assertNotIn("Action Bravo", titles)

    def test_its_query_count_does_not_grow_with_the_actions(self):
        self.client.force_login(self.colin)

        def make_row(i):
            self.make_linked_action(f"Action {i}", owner=self.person, status=Action.Status.DONE,
                                    due_date=days(i), question_ids=["gouv-referent"])

        self.assertQueriesConstant(self.url, make_row)

    def test_the_read_only_role_may_export(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
