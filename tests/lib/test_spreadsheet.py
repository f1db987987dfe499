from unittest import TestCase

from pharmagarde.lib.spreadsheet import escape_formula


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
