"""The builder: every app's sections by order, the checklist and the sign-off among them,
the evidence judged on the pack's day (stale and missing first), the cover, progress."""

import datetime
import io
from unittest import mock

from pharmagarde.core.packs import (
    FAILED,
    FRESH,
    MISSING,
    STALE,
    Evidence,
    Facts,
    PackRequest,
    Paragraph,
    Section,
    Table,
)
from pharmagarde.reports import builder
from tests.base import BaseTestCase

TODAY = datetime.date(2026, 6, 15)


def fake_providers(*sections_lists):
    return mock.patch.object(builder, "providers", return_value=[
        (f"App {index}", lambda pack, found=found: list(found))
        for index, found in enumerate(sections_lists)])


class CollectTestCase(BaseTestCase):
    def pack(self, regime="general"):
        return PackRequest(self.org, regime, TODAY)

    def test_it_orders_every_apps_sections_and_adds_the_checklist_and_the_signoff(self):
        document = builder.collect(self.pack())
        orders = [part.section.order for part in document.parts]
        self.assertEqual(orders, sorted(orders))
        keys = [part.section.key for part in document.parts]
        self.assertIn("reports.signoff", keys)
        self.assertIn("reports.checklist", keys)
        self.assertEqual(len(keys), len(set(keys)))
        anchors = [part.anchor for part in document.parts]
        self.assertEqual(len(anchors), len(set(anchors)))

    def test_sections_from_several_apps_are_merged_by_order(self):
        late = Section("b.late", "Tard", 900, [Paragraph("z")])
        early = Section("a.early", "Tôt", 1, [Paragraph("a")])
        middle = Section("c.middle", "Milieu", 50, [Facts((("Score", "62 / 100"),))])
        with fake_providers([late], [early, middle]):
            document = builder.collect(self.pack())
        titles = [part.title for part in document.parts]
        self.assertEqual([t for t in titles if t in {"Tard", "Tôt", "Milieu"}],
                         ["Tôt", "Milieu", "Tard"])

    def test_the_freshness_summary_counts_and_lists_what_to_fix_failed_then_missing_first(self):
        section = Section("x.proofs", "Preuves", 40, [], [
            Evidence("Test de restauration", datetime.date(2025, 1, 10), 12),  # stale
            Evidence("Diagnostic", datetime.date(2026, 3, 1), 12),  # fresh
            Evidence("Charte signée", datetime.date(2019, 1, 1), None),  # never ages
            Evidence("Plan de continuité", None),  # missing
            Evidence("Notifications", TODAY, None, failed="1 notification après 72 heures"),
        ])
        with fake_providers([section]):
            document = builder.collect(self.pack())
        self.assertEqual(document.counts, {FRESH: 2, STALE: 1, MISSING: 1, FAILED: 1})
        self.assertEqual([(p.label, p.freshness) for p in document.to_fix],
                         [("Notifications", FAILED), ("Plan de continuité", MISSING),
                          ("Test de restauration", STALE)])
        self.assertEqual(document.to_fix[0].section_title, "Preuves")
        self.assertEqual(document.to_fix[0].note, "1 notification après 72 heures")
        self.assertEqual(document.to_fix[0].freshness_label, "non conforme")

    def test_a_restore_test_exactly_twelve_months_old_is_still_fresh(self):
        evidence = Evidence("Test", datetime.date(2025, 6, 15), 12)
        self.assertEqual(evidence.freshness(TODAY), FRESH)
        self.assertEqual(evidence.freshness(TODAY + datetime.timedelta(days=1)), STALE)

    def test_an_aware_datetime_is_judged_on_its_local_day(self):
        # 23:30 UTC on the 14th is 01:30 on the 15th in Paris: twelve months exactly.
        late = datetime.datetime(2025, 6, 14, 23, 30, tzinfo=datetime.UTC)
        self.assertEqual(Evidence("Test", late, 12).freshness(TODAY), FRESH)

    def test_the_proofs_sheet_has_the_local_day_of_an_aware_datetime(self):
        from openpyxl import load_workbook

        from pharmagarde.reports import sheets

        late = datetime.datetime(2025, 6, 14, 23, 30, tzinfo=datetime.UTC)
        section = Section("x.proofs", "Preuves", 40, [], [Evidence("Revue", late, 12)])
        with fake_providers([section]):
            document = builder.collect(self.pack())
        workbook = load_workbook(io.BytesIO(sheets.render_xlsx(document)))
        rows = [[cell.value for cell in row] for row in workbook["Preuves"].iter_rows()]
        self.assertIn(["Revue", datetime.datetime(2025, 6, 15), "à jour", "Preuves", None],
                      rows)

    def test_the_cover_names_the_organisation_its_identifiers_the_regime_and_the_day(self):
        document = builder.collect(self.pack("dqo"))
        cover = dict(document.cover)
        self.assertEqual(cover["Structure"], "Pharmacie Alpha")
        self.assertEqual(cover["SIRET"], self.org.siret)
        self.assertEqual(cover["Type de structure"], "Officine")
        self.assertIn("DQO", cover["Référentiel"])
        self.assertEqual(cover["Preuves appréciées au"], "15 juin 2026")

    def test_progress_is_reported_before_each_app_and_at_the_end(self):
        calls = []
        with fake_providers([], [], []):
            builder.collect(self.pack(), lambda done, total, what: calls.append((done, total)))
        self.assertEqual(calls, [(0, 3), (1, 3), (2, 3), (3, 3)])

    def test_an_unknown_regime_or_block_is_refused(self):
        with self.assertRaises(ValueError):
            builder.collect(self.pack("nope"))
        with fake_providers([Section("x", "X", 1, [object()])]), self.assertRaises(TypeError):
            builder.collect(self.pack())

    def test_tables_are_listed_for_the_spreadsheet(self):
        table = Table(("A", "B"), ((1, "x"),), caption="Tableau")
        with fake_providers([Section("x.t", "T", 30, [Paragraph("p"), table])]):
            document = builder.collect(self.pack())
        self.assertIn(table, [found for _part, found in document.tables])

    def test_cell_text(self):
        self.assertEqual(builder.cell_text(None), "—")
        self.assertEqual(builder.cell_text(True), "Oui")
        self.assertEqual(builder.cell_text(datetime.date(2026, 1, 5)), "05/01/2026")
        self.assertEqual(builder.cell_text(1234.5), "1234,5")
