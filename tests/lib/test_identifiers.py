from unittest import TestCase

from pharmagarde.lib.identifiers import finess_error, luhn_valid, normalise, siret_error


class SiretTestCase(TestCase):
    def test_it_accepts_a_valid_siret(self):
        self.assertIsNone(siret_error("73282932000074"))

    def test_it_accepts_spaces_as_typed_from_a_kbis(self):
        self.assertIsNone(siret_error("732 829 320 00074"))

    def test_it_rejects_a_wrong_key(self):
        self.assertIn("clé de contrôle", siret_error("73282932000075"))

    def test_it_says_how_many_digits_were_typed(self):
        self.assertIn("vous en avez saisi 13", siret_error("7328293200007"))

    def test_it_rejects_letters(self):
        self.assertIn("que des chiffres", siret_error("7328293200007A"))

    def test_it_accepts_la_poste_establishments(self):
        # La Poste's SIRET numbers follow the "sum multiple of 5" rule, not Luhn.
        self.assertIsNone(siret_error("35600000049837"))
        self.assertFalse(luhn_valid("35600000049837"))
        self.assertIsNone(siret_error("35600000000048"))  # the head office: Luhn


class FinessTestCase(TestCase):
    def test_it_accepts_a_valid_finess(self):
        self.assertIsNone(finess_error("750712184"))

    def test_it_rejects_a_wrong_key(self):
        self.assertIn("clé de contrôle", finess_error("750712185"))

    def test_it_requires_nine_characters(self):
        self.assertIn("9 caractères", finess_error("75071218"))

    def test_it_accepts_corsica(self):
        self.assertIsNone(finess_error("2A0000123"))

    def test_it_rejects_other_letters(self):
        self.assertIn("que des chiffres", finess_error("75071218X"))


class NormaliseTestCase(TestCase):
    def test_it_removes_separators(self):
        self.assertEqual(normalise(" 732.829-320 00074 "), "73282932000074")

    def test_it_handles_none(self):
        self.assertEqual(normalise(None), "")
