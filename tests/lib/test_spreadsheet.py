from unittest import TestCase

from pharmagarde.lib.spreadsheet import csv_lines, escape_formula


class EscapeFormulaTestCase(TestCase):
    def test_it_neutralises_formulas(self):
        for value in ("=1+1", "+33 6", "-2", "@SUM(A1)", "\t=x", "\r=x"):
            self.assertEqual(escape_formula(value), "'" + value)

    def test_it_keeps_plain_text(self):
        self.assertEqual(escape_formula("Pharmacie du Marché"), "Pharmacie du Marché")

    def test_it_turns_none_into_empty(self):
        self.assertEqual(escape_formula(None), "")

    def test_it_stringifies_numbers(self):
        self.assertEqual(escape_formula(42), "42")


class CsvLinesTestCase(TestCase):
    def test_it_writes_what_french_excel_opens(self):
        lines = list(csv_lines(["Intitulé", "=titre"], [["=HYPERLINK(1)", "a;b"], [3, None]]))
        self.assertEqual(lines[0], "\ufeff")
        self.assertEqual(lines[1], "Intitulé;'=titre\r\n")
        self.assertEqual(lines[2], "'=HYPERLINK(1);\"a;b\"\r\n")
        self.assertEqual(lines[3], "3;\r\n")

    def test_it_streams_one_line_at_a_time(self):
        def endless():
            number = 0
            while True:
                number += 1
                yield [number]

        lines = csv_lines(["n"], endless())
        self.assertEqual([next(lines) for _ in range(4)][-1], "2\r\n")
