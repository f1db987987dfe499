"""The diagnostic as a source of the plan: the items it hands over and how it words them."""

from django.utils import translation

from pharmagarde.actions.models import Action
from pharmagarde.core import registry
from pharmagarde.diagnostic.plan_source import SOURCE, plan_items, reference_lines
from tests.actions.base import PlanTestCase


class PlanSourceTestCase(PlanTestCase):
    def test_it_is_declared_in_the_registry(self):
        self.assertIs(registry.plan_sources()["diagnostic"], SOURCE)

    def test_it_hands_over_one_item_per_measure_with_a_gap(self):
        assessment = self.make_assessment({"gouv-referent": ["partiel"],
                                           "gouv-sensibilisation": ["aucun"]})
        items = {item.key: item for item in plan_items(assessment)}
        self.assertEqual(set(items), {"m-referent", "m-sensibilisation"})
        referent = items["m-referent"]
        self.assertEqual(referent.title, "Désigner un référent cybersécurité")
        self.assertEqual(referent.data, {"question_ids": ["gouv-referent"], "level": "advanced",
                                         "assessment": assessment.pk, "version": "2026.1"})
        self.assertIn("lettre de mission", referent.description)
        self.assertTrue(referent.references)

    def test_its_items_do_not_depend_on_the_language_of_whoever_answers(self):
        assessment = self.make_assessment({"gouv-referent": ["non"]})
        french = plan_items(assessment)
        with translation.override("en"):
            self.assertEqual(plan_items(assessment), french)

    def test_references_read_once_each(self):
        class Question:
            def __init__(self, references):
                self.references = references

        lines = reference_lines([Question({"anssi": [2], "nis2": ["g"]}),
                                 Question({"anssi": [2], "rgpd": ["art. 32"],
                                           "autre": ["Dossier de l'Ordre"]})], "officine")
        self.assertEqual(lines, ("ANSSI, mesure 2", "NIS2, art. 21(2)(g)", "RGPD, art. 32",
                                 "Dossier de l'Ordre"))

    def test_care_binds_a_pui_and_is_good_practice_for_the_other_kinds(self):
        # CaRE is the health establishments' programme: a PUI is part of one; an officine,
        # a laboratory or a company only follows it as good practice.
        class Question:
            references = {"care": ["Domaine 1 : exposition sur Internet"]}

        self.assertEqual(reference_lines([Question()], "pui"),
                         ("CaRE : Domaine 1 : exposition sur Internet",))
        for kind in ("officine", "lbm", "industrie", "distribution"):
            self.assertEqual(reference_lines([Question()], kind), (
                "CaRE (bonne pratique, obligatoire pour les seuls établissements de santé) : "
                "Domaine 1 : exposition sur Internet",), kind)

    def test_an_officine_action_cites_care_as_good_practice(self):
        assessment = self.make_assessment({"sauv-hors-ligne": ["non"]})
        item = next(i for i in plan_items(assessment) if i.key == "m-sauvegarde-hors-ligne")
        care = [line for line in item.references if line.startswith("CaRE")]
        self.assertTrue(care)
        self.assertTrue(all("bonne pratique" in line for line in care), care)

    def test_it_describes_its_actions_and_hand_made_ones_without_a_query(self):
        assessment = self.make_assessment({"gouv-referent": ["non"]})
        own = self.make_diagnostic_action(measure="m-referent", assessment=assessment,
                                          question_ids=["gouv-referent", "disparue"])
        linked = self.make_linked_action(question_ids=["gouv-referent"])
        foreign = self.make_action(source="inventaire", source_key="x",
                                   source_data={"question_ids": ["gouv-referent"]})
        actions = list(Action.objects.filter(pk__in=[own.pk, linked.pk, foreign.pk,
                                                     self.action.pk]))
        with self.assertNumQueries(0):
            described = SOURCE.describe(actions)
        self.assertEqual(set(described), {own.pk, linked.pk})
        closes = described[own.pk]
        self.assertEqual(closes.summary, "Règle 2 questions du diagnostic")
        self.assertEqual([item.missing for item in closes.items], [False, True])
        self.assertIn("sécurité", closes.items[0].text)
        self.assertIn("« disparue »", closes.items[1].text)
        self.assertEqual(described[linked.pk].summary, "Règle 1 question du diagnostic")

    def test_a_hand_made_action_picks_among_the_questions_that_apply(self):
        groups = SOURCE.manual_choices(self.org)
        keys = [key for _theme, options in groups for key, _text in options]
        self.assertIn("gouv-referent", keys)
