"""The critical activities proposed to each kind of organisation (activities/*.yaml) and
the paper forms of the kit (forms_paper.py): data, validated with file:line errors."""

import shutil
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from pharmagarde.continuity import activities, forms_paper
from pharmagarde.continuity.models import CriticalActivity
from pharmagarde.core.models import MEMBER_KINDS

HEADER = "type: officine\nactivites:\n"
GOOD = """  - cle: dispensation
    nom: Dispensation
    description: Délivrer les médicaments prescrits.
    dmia: 2
    pdma: 24
    impact: critique
    consequences: Des patients sans traitement.
    mode_degrade:
      - Sortir le registre papier.
    qui_fait_quoi:
      - Le pharmacien vérifie.
    retour_normal:
      - Tout ressaisir.
    formulaires: [dispensation]
"""


def files():
    return sorted(activities.ACTIVITIES_DIR.glob("*.yaml"))


class ActivityFilesTestCase(SimpleTestCase):
    def test_every_kind_of_organisation_has_its_file_and_every_file_validates(self):
        self.assertEqual({path.stem for path in files()}, set(MEMBER_KINDS))
        self.assertEqual(set(activities.ORGANISATION_KINDS), set(MEMBER_KINDS))
        for path in files():
            with self.subTest(path.name):
                kind, items = activities.parse(path.read_text(encoding="utf-8"), path.name)
                self.assertEqual(kind, path.stem)
                keys = [item.key for item in items]
                self.assertEqual(len(keys), len(set(keys)), "keys are unique")
                self.assertGreaterEqual(len(items), 3)

    def test_the_activities_the_issue_names_are_there(self):
        keys = {kind: [item.key for item in items]
                for kind, items in activities.catalogue().items()}
        self.assertEqual(keys["officine"], [
            "dispensation", "dossier-pharmaceutique", "facturation-sesam-vitale",
            "tiers-payant", "commandes-grossiste", "preparations", "registre-stupefiants"])
        self.assertEqual(keys["pui"], [
            "validation-pharmaceutique", "dispensation-services", "stock-approvisionnement",
            "retrocession", "armoires-automatisees"])
        self.assertEqual(keys["lbm"], ["preanalytique", "analytique", "validation-biologique",
                                       "diffusion-resultats"])
        self.assertEqual(keys["industrie"][:3], ["production", "liberation-lots",
                                                 "pharmacovigilance"])
        self.assertEqual(keys["distribution"][:2], ["preparation-commandes",
                                                    "obligations-service-public"])

    def test_every_activity_is_complete_and_fits_the_model(self):
        impacts = set(CriticalActivity.Impact.values)
        for kind, items in activities.catalogue().items():
            for item in items:
                with self.subTest(kind=kind, activity=item.key):
                    fields = item.model_fields()
                    self.assertIn(item.impact, impacts)
                    self.assertGreaterEqual(len(item.degraded_procedure), 3)
                    self.assertTrue(item.roles and item.return_to_normal)
                    self.assertTrue(item.paper_forms, "each activity uses a paper form")
                    self.assertTrue(item.dependencies_hint)
                    for name, value in fields.items():
                        limit = getattr(CriticalActivity._meta.get_field(name),
                                        "max_length", None)
                        if limit and isinstance(value, str):
                            self.assertLessEqual(len(value), limit, name)
                    # One step per line, no line break inside a step.
                    self.assertEqual(fields["degraded_procedure"].count("\n"),
                                     len(item.degraded_procedure) - 1)

    def test_each_kit_has_the_forms_of_its_kind(self):
        keys = {kind: [form.key for form in forms_paper.forms_for(kind)]
                for kind in activities.ORGANISATION_KINDS}
        self.assertIn("dispensation", keys["officine"])
        self.assertIn("stock", keys["officine"])
        self.assertIn("echantillons", keys["lbm"])
        self.assertNotIn("dispensation", keys["lbm"])
        for kind, found in keys.items():
            self.assertIn("main-courante", found, kind)

    def test_the_paper_forms_are_ruled_tables_that_add_up(self):
        self.assertEqual(len(forms_paper.KEYS), len(set(forms_paper.KEYS)))
        for form in forms_paper.FORMS:
            with self.subTest(form.key):
                self.assertTrue(form.widths_ok, "the columns' widths add up to 100 %")
                self.assertGreaterEqual(len(form.columns), 4)
                self.assertTrue(str(form.purpose))


class ActivityErrorsTestCase(SimpleTestCase):
    def assertRefused(self, text: str, message: str):
        with self.assertRaises(activities.ActivitiesError) as caught:
            activities.parse(text, "essai.yaml")
        self.assertIn(message, str(caught.exception))

    def test_a_good_file_parses(self):
        kind, [item] = activities.parse(HEADER + GOOD, "essai.yaml")
        self.assertEqual((kind, item.key, item.max_outage_hours, item.paper_forms),
                         ("officine", "dispensation", 2, ("dispensation",)))

    def test_a_step_that_yaml_reads_as_a_mapping_names_its_line(self):
        # « : » inside an unquoted step makes it a mapping, not a string.
        text = HEADER + GOOD.replace("Sortir le registre papier.",
                                     "Sortez le registre : une ligne par patient.")
        self.assertRefused(text, "essai.yaml:11 — activites.0.mode_degrade.0")
        self.assertRefused(text, "is not of type 'string'")

    def test_unreadable_yaml_names_its_line(self):
        # A string with an unquoted « : » in a place YAML cannot read as a mapping.
        self.assertRefused(HEADER + GOOD.replace("nom: Dispensation",
                                                 "nom: Dispensation: au comptoir"),
                           "essai.yaml:4 — YAML illisible")

    def test_a_key_given_twice_is_refused_with_its_line(self):
        self.assertRefused(HEADER + GOOD + GOOD.replace("nom: Dispensation", "nom: Autre"),
                           "essai.yaml:17 — l'activité « dispensation » apparaît deux fois")

    def test_a_negative_or_textual_duration_is_refused(self):
        self.assertRefused(HEADER + GOOD.replace("dmia: 2", "dmia: -1"),
                           "essai.yaml:6 — activites.0.dmia")
        self.assertRefused(HEADER + GOOD.replace("pdma: 24", "pdma: un jour"),
                           "essai.yaml:7 — activites.0.pdma")

    def test_an_unknown_paper_form_or_impact_is_refused(self):
        self.assertRefused(HEADER + GOOD.replace("[dispensation]", "[inconnu]"),
                           "essai.yaml:16 — activites.0.formulaires.0")
        self.assertRefused(HEADER + GOOD.replace("impact: critique", "impact: enorme"),
                           "essai.yaml:8 — activites.0.impact")

    def test_a_missing_field_is_refused(self):
        self.assertRefused(HEADER + GOOD.replace("    consequences: Des patients sans "
                                                 "traitement.\n", ""),
                           "'consequences' is a required property")

    def test_the_file_must_be_named_after_its_kind_and_every_kind_needs_one(self):
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        for path in files():
            shutil.copy(path, folder / path.name)
        (folder / "pui.yaml").write_text((folder / "pui.yaml").read_text(encoding="utf-8")
                                         .replace("type: pui", "type: lbm"), encoding="utf-8")
        with self.assertRaisesRegex(activities.ActivitiesError,
                                    "pui.yaml:1 — le type « lbm » doit être le nom"):
            activities.catalogue.__wrapped__(folder)
        (folder / "pui.yaml").unlink()
        with self.assertRaisesRegex(activities.ActivitiesError, "il manque le fichier de : pui"):
            activities.catalogue.__wrapped__(folder)
