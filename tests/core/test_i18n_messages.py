from django.test import SimpleTestCase
from django.utils import translation

from pharmagarde.core.i18n import translated
from pharmagarde.core.models import validate_siret
from pharmagarde.lib.identifiers import siret_error
from pharmagarde.lib.uploads import human_size


class TranslatedTestCase(SimpleTestCase):
    def test_it_translates_a_lib_message_with_its_values(self):
        with translation.override("en"):
            self.assertEqual(translated(siret_error("7328293200007")),
                             "A SIRET number has 14 digits; you typed 13.")

    def test_it_keeps_french_by_default(self):
        self.assertEqual(translated(siret_error("7328293200007")),
                         "Le SIRET compte 14 chiffres ; vous en avez saisi 13.")

    def test_it_translates_values_that_are_messages_too(self):
        with translation.override("en"):
            self.assertEqual(translated(human_size(10 * 1024 * 1024)), "10 MB")

    def test_it_passes_plain_text_through(self):
        self.assertEqual(translated("déjà traduit"), "déjà traduit")

    def test_it_shows_identifier_errors_in_the_active_language(self):
        with translation.override("en"), self.assertRaisesMessage(Exception, "wrong check"):
            validate_siret("73282932000075")


class PercentTestCase(SimpleTestCase):
    def test_it_writes_percentages_the_reader_s_way(self):
        from pharmagarde.core.formats import percent

        self.assertEqual(percent(40), "40 %")
        with translation.override("en"):
            self.assertEqual(percent(40), "40%")
