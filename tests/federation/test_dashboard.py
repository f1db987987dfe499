"""The federation's dashboard and its spreadsheet: tables with hidden cells and their
reasons, the empty state, one snapshot read (constant queries), who may see it."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from pharmagarde.core.models import AuditEntry
from pharmagarde.federation import snapshots
from pharmagarde.federation.models import Snapshot
from tests.base import BaseTestCase, make_user

from .helpers import make_federation, make_member_org


class DashboardTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.federation, cls.analysts = make_federation()
        for n in range(1, 15):
            make_member_org(n, score=30 + 4 * n, federation=cls.federation)
        for n in range(20, 23):
            make_member_org(n, kind="lbm", score=50, federation=cls.federation)

    def url(self, name="federation_dashboard"):
        return self.org_url(name, org=self.federation)

    def test_every_analyst_sees_the_tables_with_hidden_cells_explained(self):
        for user in self.analysts.values():
            self.client.force_login(user)
            page = self.client.get(self.url())
            self.assertShows(page, "17 structures indépendantes")
            self.assertShows(page, "Structures par niveau de maturité et par profession")
            self.assertShows(page, "<th scope=\"col\">Profession</th>")
            self.assertShows(page, "moins de 11 structures")
            self.assertShows(page, "<svg class=\"chart\" role=\"img\"")
            self.assertNotContains(page, "Membre 001")  # never a name next to values
        self.assertEqual(Snapshot.objects.count(), 1)

    def test_the_overdue_share_has_its_table(self):
        from pharmagarde.federation import selectors

        snapshot = snapshots.snapshot(self.federation)
        snapshot.data["scores"] = {"actions.overdue_share": {
            "overall": {"value": 27, "units": 17, "reason": None},
            "kind": {"officine": {"value": 25, "units": 14, "reason": None},
                     "lbm": {"value": None, "units": None, "reason": "few"}}}}
        snapshot.save()
        [table] = [t for t in selectors.dashboard(snapshot).tables if t.key == "scores"]
        self.assertEqual(table.rows[0][0], "Part des actions du plan en retard (%)")
        self.assertEqual([figure.text for figure in table.rows[0][1]], ["27", "—", "25"])
        self.client.force_login(self.analysts["referent"])
        self.assertShows(self.client.get(self.url()), "Part des actions du plan en retard")

    def test_one_snapshot_read_whatever_the_number_of_members(self):
        self.client.force_login(self.analysts["referent"])
        self.client.get(self.url())
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url())
        for n in range(30, 60):
            make_member_org(n, score=60, federation=self.federation)
        with CaptureQueriesContext(connection) as many:
            self.client.get(self.url())
        self.assertEqual(len(few), len(many))
        self.assertLessEqual(len(many), 6)

    def test_the_empty_state_says_how_many(self):
        federation, people = make_federation("Petit groupement", "petit")
        for n in range(70, 75):
            make_member_org(n, score=50, federation=federation)
        self.client.force_login(people["dpo"])
        page = self.client.get(self.org_url("federation_dashboard", org=federation))
        self.assertShows(page, "Les résultats apparaîtront quand 11 structures indépendantes "
                               "auront rejoint la fédération ; il y en a 5.")

    def test_the_spreadsheet_is_what_is_shown(self):
        self.client.force_login(self.analysts["auditeur"])
        response = self.client.get(self.url("federation_dashboard_xlsx"))
        self.assertEqual(response.status_code, 200)
        workbook = load_workbook(io.BytesIO(response.content))
        sheet = workbook.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "Profession")
        self.assertIn("— (moins de 11 structures, ou masquée pour qu'on ne puisse pas la "
                      "déduire des totaux)", [v for row in rows for v in row])
        self.assertTrue(AuditEntry.objects.filter(action="federation.dashboard_exported")
                        .exists())

    def test_members_of_members_outsiders_and_anonymous_are_kept_out(self):
        self.assertEqual(self.client.get(self.url()).status_code, 302)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        owner = make_user("owner99@m99.example", with_mfa=True)
        make_member_org(99, score=40, federation=self.federation, creator=owner)
        self.client.force_login(owner)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.force_login(self.analysts["responsable"])
        self.assertEqual(self.client.post(self.url()).status_code, 405)
        self.client.force_login(self.analysts["auditeur"])
        self.assertEqual(self.client.post(self.url()).status_code, 403)

    def test_the_trend_and_its_spreadsheet_say_dates_the_french_way(self):
        snapshot = snapshots.snapshot(self.federation)
        start = snapshot.period_start
        self.client.force_login(self.analysts["referent"])
        page = self.client.get(self.url())
        self.assertShows(page, f"<th scope=\"row\">{start:%d/%m/%Y}</th>")
        self.assertNotContains(page, f"<th scope=\"row\">{start:%Y-%m-%d}</th>")
        workbook = load_workbook(io.BytesIO(
            self.client.get(self.url("federation_dashboard_xlsx")).content))
        trend = list(workbook.worksheets[-1].iter_rows(values_only=True))
        self.assertEqual(trend[-1][0], f"{start:%d/%m/%Y}")

    def test_merged_levels_are_named_in_the_columns(self):
        federation, people = make_federation("Grand groupement", "grand")
        scores = [30] * 12 + [50] * 12 + [70] * 11 + [90] * 3  # « avancé »: 3
        for n, score in enumerate(scores, start=100):
            make_member_org(n, score=score, federation=federation)
        self.client.force_login(people["referent"])
        page = self.client.get(self.org_url("federation_dashboard", org=federation))
        self.assertShows(page, "<th scope=\"col\">établi ou avancé (60 et plus)</th>")
        self.assertShows(page, "<th scope=\"col\">initial (moins de 40)</th>")
        self.assertShows(page, "Un niveau qui compte moins de 11 structures est regroupé")
