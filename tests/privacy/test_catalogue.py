"""The catalogue of prefilled processings: every kind has its file, the files follow the
schema (errors name file and line), the themes exist in the diagnostic's latest
referential, health data always comes with its art. 9 exception."""

import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from pharmagarde.diagnostic.referential import get_referential, latest_version
from pharmagarde.privacy import catalogue
from pharmagarde.privacy.models import Processing

MINIMAL = """type: officine
traitements:
  - cle: essai
    nom: Essai
    finalite: Une finalité assez longue.
    base_legale: contrat
    precision_base: Contrat
    personnes: [Clients]
    donnees: [Identité]
    donnees_sante: {sante}
    nir: false
    destinataires: [Personne]
    conservation:
      - donnees: Tout
        duree: 1 an
        reference: Choix
    mesures: [Mots de passe]
    themes: [comptes]
"""


class CatalogueTestCase(SimpleTestCase):
    def test_it_has_a_list_for_every_kind(self):
        found = catalogue.catalogue()
        self.assertEqual(set(found), set(catalogue.ORGANISATION_KINDS))
        for kind, entries in found.items():
            self.assertGreaterEqual(len(entries), 5, kind)

    def test_it_names_only_themes_of_the_latest_referential(self):
        ids = {theme.id for theme in get_referential(latest_version()).themes}
        for kind, entries in catalogue.catalogue().items():
            for entry in entries:
                self.assertTrue(entry.themes, entry.key)
                self.assertLessEqual(set(entry.themes), ids, f"{kind}/{entry.key}")

    def test_it_gives_health_data_its_exception_and_every_retention_a_reference(self):
        for entries in catalogue.catalogue().values():
            for entry in entries:
                if entry.health_data:
                    self.assertTrue(entry.special_basis, entry.key)
                for row in entry.retentions:
                    self.assertTrue(row.reference and row.duration, entry.key)

    def test_it_prefills_model_fields_with_lines_and_optional_as_to_confirm(self):
        video = catalogue.entry("officine", "videoprotection")
        fields = video.model_fields()
        self.assertIsNone(fields["in_use"])
        self.assertEqual(fields["transfers"], Processing.Transfers.NONE)
        self.assertIn("\n", fields["data_categories"] + fields["recipients"])
        self.assertTrue(catalogue.entry("officine", "dispensation").model_fields()["in_use"])
        self.assertEqual(video.processor_labels(), ["Installateur de vidéoprotection"])

    def test_it_refuses_health_data_without_exception_naming_file_and_line(self):
        with self.assertRaisesRegex(catalogue.CatalogueError,
                                    r"essai\.yaml:3 — traitements\.0 : 'exception_sante'"):
            catalogue.parse(MINIMAL.format(sante="true"), "essai.yaml")
        kind, [entry] = catalogue.parse(MINIMAL.format(sante="false"), "essai.yaml")
        self.assertEqual((kind, entry.key, entry.transfers), ("officine", "essai", "aucun"))

    def test_it_refuses_a_key_twice_and_an_unknown_basis(self):
        text = MINIMAL.format(sante="false")
        twice = text + text.split("traitements:\n", 1)[1]
        with self.assertRaisesRegex(catalogue.CatalogueError, "apparaît deux fois"):
            catalogue.parse(twice, "essai.yaml")
        with self.assertRaisesRegex(catalogue.CatalogueError, "essai.yaml:6 — .*base_legale"):
            catalogue.parse(text.replace("base_legale: contrat", "base_legale: envie"),
                            "essai.yaml")

    def test_it_wants_every_kind_and_the_kind_as_file_name(self):
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "pui.yaml").write_text(MINIMAL.format(sante="false"))
            with self.assertRaisesRegex(catalogue.CatalogueError, "doit être le nom"):
                catalogue.catalogue.__wrapped__(Path(folder))
            Path(folder, "pui.yaml").unlink()
            Path(folder, "officine.yaml").write_text(MINIMAL.format(sante="false"))
            with self.assertRaisesRegex(catalogue.CatalogueError, "il manque le fichier"):
                catalogue.catalogue.__wrapped__(Path(folder))
