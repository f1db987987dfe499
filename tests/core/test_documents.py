"""core.documents: the control characters XML refuses are dropped from every workbook cell,
sheet name and title (one in a user's text made the whole export fail), and the pause of
the cycle collector around a PDF holds when several threads render at once."""

import gc
import io
import threading

from django.test import SimpleTestCase

from pharmagarde.core import documents
from pharmagarde.core.documents import Column, Sheet, cell_value, printable, xlsx


class PrintableTestCase(SimpleTestCase):
    def test_control_characters_are_dropped_tab_and_line_breaks_kept(self):
        self.assertEqual(printable("Pare-feu\x0bà jour\x01\x1f"), "Pare-feuà jour")
        self.assertEqual(printable("a\tb\nc\rd"), "a\tb\nc\rd")
        self.assertEqual(cell_value("=1+1\x0c"), "'=1+1")
        self.assertEqual(cell_value(3), 3)

    def test_a_workbook_with_control_characters_everywhere_is_written_and_reads_back(self):
        from openpyxl import load_workbook

        content = xlsx([Sheet("Parc\x0binformatique", [
            Column("Nom\x01", 20, lambda row: row),
        ], ["Pare-feu\x0bà jour"])], title="Pharmacie\x02 Alpha")
        workbook = load_workbook(io.BytesIO(content))
        self.assertEqual(workbook.sheetnames, ["Parcinformatique"])
        sheet = workbook["Parcinformatique"]
        self.assertEqual([sheet["A1"].value, sheet["A2"].value], ["Nom", "Pare-feuà jour"])
        self.assertEqual(workbook.properties.title, "Pharmacie Alpha")


class CollectorPauseTestCase(SimpleTestCase):
    def setUp(self):
        self.addCleanup(gc.enable)
        gc.enable()

    def in_thread(self, entered: threading.Event, leave: threading.Event) -> threading.Thread:
        def run():
            with documents._collected_once():
                entered.set()
                leave.wait(10)

        thread = threading.Thread(target=run)
        thread.start()
        self.assertTrue(entered.wait(10))
        return thread

    def test_the_collector_stays_paused_until_the_last_render_ends(self):
        first_in, first_out = threading.Event(), threading.Event()
        second_in, second_out = threading.Event(), threading.Event()
        first = self.in_thread(first_in, first_out)
        second = self.in_thread(second_in, second_out)
        self.assertFalse(gc.isenabled())
        first_out.set()
        first.join(10)
        self.assertFalse(gc.isenabled())  # the second render is still laying out
        second_out.set()
        second.join(10)
        self.assertTrue(gc.isenabled())

    def test_many_renders_at_once_leave_the_collector_enabled(self):
        start = threading.Barrier(8)

        def run():
            start.wait(10)
            for _ in range(50):
                with documents._collected_once():
                    pass

        threads = [threading.Thread(target=run) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        self.assertTrue(gc.isenabled())

    def test_a_collector_disabled_before_stays_disabled(self):
        gc.disable()
        with documents._collected_once():
            pass
        self.assertFalse(gc.isenabled())
