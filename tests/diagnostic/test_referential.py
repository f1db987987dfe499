from unittest import TestCase

from pharmagarde.diagnostic.referential import (
    ReferentialError,
    available_versions,
    build_referential,
    compare_versions,
    load_version,
)

QUESTION = """\
      - id: {qid}
        text: Question ?
        why: Parce que.
        choices:
          - {{id: oui, label: Oui, score: 3}}
          - {{id: non, label: Non, score: 0}}
        references: {{anssi: [1]}}
        measure: {{id: m-{qid}, title: T, basic: B, why: W, how: H, effort: faible, priority: 1}}
"""


def module(*questions, theme="t1", module_id="socle"):
    body = "".join(q if "\n" in q else QUESTION.format(qid=q) for q in questions)
    return (f"id: {module_id}\ntitle: Socle\nthemes:\n  - id: {theme}\n    title: Thème\n"
            f"    questions:\n{body}")


def build(*files):
    return build_referential("test", [(f"f{i}.yaml", text) for i, text in enumerate(files)])


class ReferentialLoadTestCase(TestCase):
    def test_it_loads_a_module(self):
        referential = build(module("q1", "q2"))
        self.assertEqual(list(referential.questions), ["q1", "q2"])
        self.assertEqual(referential.questions["q1"].max_score, 3)
        self.assertEqual(referential.themes[0].questions[1].id, "q2")

    def test_it_names_file_line_item_and_field(self):
        text = module("q1", "q2").replace("effort: faible, priority: 1}\n",
                                          "effort: énorme, priority: 1}\n", 2)
        with self.assertRaises(ReferentialError) as ctx:
            build(text)
        message = str(ctx.exception)
        self.assertIn("f0.yaml:", message)
        self.assertIn("question « q1 »", message)
        self.assertIn("champ « measure.effort »", message)
        self.assertIn("valeur non autorisée", message)

    def test_it_gives_the_line_of_the_item(self):
        text = module("q1", "q2").replace("        why: Parce que.\n", "", 2)
        message = str(self.assertRaisesError(text))
        # q1 starts on line 7 and q2 on line 14 of the generated file.
        self.assertIn("f0.yaml:7 — question « q1 » — champ « why » : champ obligatoire", message)
        self.assertIn("f0.yaml:14 — question « q2 » — champ « why »", message)

    def assertRaisesError(self, *texts):
        with self.assertRaises(ReferentialError) as ctx:
            build(*texts)
        return ctx.exception

    def test_it_rejects_unknown_fields(self):
        text = module("q1").replace("why: Parce que.", "why: Parce que.\n        wieght: 2")
        self.assertIn("champ « wieght » : champ inconnu", str(self.assertRaisesError(text)))

    def test_it_rejects_duplicate_question_ids(self):
        message = str(self.assertRaisesError(module("q1", "q1")))
        self.assertIn("question « q1 » : identifiant déjà utilisé", message)

    def test_it_rejects_duplicate_keys(self):
        text = module("q1").replace("why: Parce que.", "why: Parce que.\n        why: Encore.")
        self.assertIn("apparaît deux fois", str(self.assertRaisesError(text)))

    def test_it_rejects_unreadable_yaml(self):
        self.assertIn("YAML illisible", str(self.assertRaisesError("id: [socle\n")))

    def test_it_rejects_an_anssi_measure_that_does_not_exist(self):
        text = module("q1").replace("anssi: [1]", "anssi: [43]")
        message = str(self.assertRaisesError(text))
        self.assertIn("champ « references.anssi » : valeur trop grande", message)

    def test_it_checks_conditions_point_to_earlier_questions(self):
        conditional = QUESTION.format(qid="q2").replace(
            "why: Parce que.",
            "why: Parce que.\n        show_if: {question: q3, choices: [oui]}")
        message = str(self.assertRaisesError(module("q1", conditional)))
        self.assertIn("« q3 » n'existe pas ou vient après", message)

    def test_it_checks_condition_choices(self):
        conditional = QUESTION.format(qid="q2").replace(
            "why: Parce que.",
            "why: Parce que.\n        show_if: {question: q1, choices: [peut-etre]}")
        self.assertIn("choix inconnus", str(self.assertRaisesError(module("q1", conditional))))

    def test_it_rejects_a_measure_defined_twice_differently(self):
        second = QUESTION.format(qid="q2").replace("id: m-q2, title: T", "id: m-q1, title: Autre")
        self.assertIn("déjà définie autrement", str(self.assertRaisesError(module("q1", second))))

    def test_it_allows_a_measure_shared_by_two_questions(self):
        second = QUESTION.format(qid="q2").replace("id: m-q2", "id: m-q1")
        self.assertEqual(len(build(module("q1", second)).measures()), 1)

    def test_it_rejects_a_question_worth_nothing(self):
        text = module("q1").replace("score: 3", "score: 0")
        self.assertIn("aucun choix ne rapporte", str(self.assertRaisesError(text)))

    def test_it_filters_by_kind_and_size(self):
        lbm_only = QUESTION.format(qid="q2").replace(
            "why: Parce que.", "why: Parce que.\n        applies_to: {kinds: [lbm]}")
        referential = build(module("q1", lbm_only))
        officine = referential.themes_for("officine", "1-9")
        self.assertEqual([q.id for q in officine[0].questions], ["q1"])
        self.assertEqual(len(referential.themes_for("lbm", "1-9")[0].questions), 2)

    def test_it_applies_module_kinds_to_its_questions(self):
        pui = module("p1", theme="pui", module_id="pui").replace(
            "title: Socle\n", "title: PUI\napplies_to: {kinds: [pui]}\n")
        referential = build(module("q1"), pui)
        self.assertEqual([t.id for t in referential.themes_for("officine", "1-9")], ["t1"])
        self.assertEqual([t.id for t in referential.themes_for("pui", "1-9")], ["t1", "pui"])

    def test_it_compares_versions(self):
        old = build(module("q1", "q2"))
        new = build(module("q1", "q3").replace("text: Question ?", "text: Reformulée ?", 1))
        self.assertEqual(compare_versions(old, new),
                         {"added": ["q3"], "removed": ["q2"], "changed": ["q1"]})


GATE = """\
      - id: {qid}
        text: Avez-vous un Wi-Fi ?
        why: Pour ne poser que les questions utiles.
        scored: false
        choices:
          - {{id: oui, label: Oui}}
          - {{id: non, label: Non}}
"""


class UnscoredQuestionLoadTestCase(TestCase):
    def assertRaisesError(self, *texts):
        with self.assertRaises(ReferentialError) as ctx:
            build(*texts)
        return str(ctx.exception)

    def test_it_loads_a_gate_without_measure_references_or_points(self):
        child = QUESTION.format(qid="q2").replace(
            "why: Parce que.", "why: Parce que.\n        show_if: {question: g1, choices: [oui]}")
        referential = build(module(GATE.format(qid="g1"), child))
        gate = referential.questions["g1"]
        self.assertFalse(gate.scored)
        self.assertIsNone(gate.measure)
        self.assertEqual(gate.references, {})
        self.assertFalse(gate.dont_know)
        self.assertEqual(list(referential.measures()), ["m-q2"])
        self.assertTrue(referential.questions["q2"].scored)

    def test_it_accepts_references_on_a_gate(self):
        gate = GATE.format(qid="g1") + "        references: {anssi: [20]}\n"
        self.assertEqual(build(module(gate)).questions["g1"].references, {"anssi": [20]})

    def test_it_rejects_a_measure_on_a_gate(self):
        gate = GATE.format(qid="g1") + (
            "        measure: {id: m-g1, title: T, basic: B, why: W, how: H, effort: faible, "
            "priority: 1}\n")
        message = self.assertRaisesError(module(gate))
        # The gate starts on line 7; its measure is on line 14.
        self.assertIn("f0.yaml:14 — question « g1 » — champ « measure » : une question non "
                      "notée (scored: false) ne compte pas dans le score", message)

    def test_it_rejects_a_weight_or_a_criticality_on_a_gate(self):
        for field in ("weight: 2", "criticality: critique"):
            gate = GATE.format(qid="g1").replace("scored: false",
                                                 f"scored: false\n        {field}")
            message = self.assertRaisesError(module(gate))
            self.assertIn(f"f0.yaml:11 — question « g1 » — champ « {field.split(':')[0]} »",
                          message)

    def test_it_rejects_points_on_a_gate_choice(self):
        gate = GATE.format(qid="g1").replace("{id: non, label: Non}",
                                             "{id: non, label: Non, score: 0}")
        message = self.assertRaisesError(module(gate))
        self.assertIn("f0.yaml:13 — question « g1 » — champ « choices.score » : choix « non »",
                      message)
        self.assertIn("ne rapportent pas de points", message)

    def test_it_rejects_dont_know_on_a_gate(self):
        gate = GATE.format(qid="g1").replace("scored: false",
                                             "scored: false\n        dont_know: true")
        message = self.assertRaisesError(module(gate))
        self.assertIn("champ « dont_know » : une question non notée", message)

    def test_a_scored_question_still_needs_a_measure_references_and_points(self):
        text = module("q1").replace(
            "        references: {anssi: [1]}\n", "").replace(
            "        measure: {id: m-q1, title: T, basic: B, why: W, how: H, effort: faible, "
            "priority: 1}\n", "").replace("{id: non, label: Non, score: 0}",
                                          "{id: non, label: Non}")
        message = self.assertRaisesError(text)
        self.assertIn("f0.yaml:7 — question « q1 » — champ « measure » : champ obligatoire",
                      message)
        self.assertIn("f0.yaml:7 — question « q1 » — champ « references » : champ obligatoire",
                      message)
        self.assertIn("choix « non » — champ « score » : champ obligatoire", message)

    def test_scored_true_is_the_default(self):
        text = module("q1").replace("why: Parce que.", "why: Parce que.\n        scored: true")
        self.assertTrue(build(text).questions["q1"].scored)


class PackagedReferentialTestCase(TestCase):
    def test_every_packaged_version_loads(self):
        for version in available_versions():
            referential = load_version(version)
            self.assertTrue(referential.questions, version)
