from unittest import TestCase

from pharmagarde.diagnostic.referential import build_referential
from pharmagarde.diagnostic.scoring import AnswerValue, question_ratio, score_assessment

REFERENTIAL = """\
id: socle
title: Socle
themes:
  - id: acces
    title: Accès
    questions:
      - id: mdp
        text: Mots de passe ?
        why: W
        weight: 2
        criticality: critique
        choices:
          - {id: oui, label: Oui, score: 3}
          - {id: partiel, label: En partie, score: 1.5}
          - {id: non, label: Non, score: 0}
        references: {anssi: [10]}
        measure: {id: m-mdp, title: Mots de passe, basic: B, advanced: A, why: W, how: H,
                  effort: faible, priority: 2}
      - id: wifi
        text: Wi-Fi ?
        why: W
        choices:
          - {id: oui, label: Oui, score: 3}
          - {id: non, label: Non, score: 0}
        references: {anssi: [20]}
        measure: {id: m-wifi, title: Wi-Fi, basic: B, why: W, how: H, effort: moyen,
                  priority: 1}
      - id: wifi-invites
        text: Wi-Fi invités séparé ?
        why: W
        show_if: {question: wifi, choices: [oui]}
        choices:
          - {id: oui, label: Oui, score: 3}
          - {id: non, label: Non, score: 0}
        references: {anssi: [20]}
        measure: {id: m-wifi-invites, title: Wi-Fi invités, basic: B, why: W, how: H,
                  effort: faible, priority: 3}
  - id: sauvegardes
    title: Sauvegardes
    questions:
      - id: supports
        text: Quelles copies ?
        why: W
        kind: multiple
        choices:
          - {id: externe, label: Disque externe, score: 1}
          - {id: hors-ligne, label: Copie hors ligne, score: 2}
          - {id: aucune, label: Aucune, score: 0, exclusive: true}
        references: {anssi: [37]}
        measure: {id: m-sauvegardes, title: Sauvegardes, basic: B, advanced: A, why: W,
                  how: H, effort: moyen, priority: 1}
"""


def referential():
    return build_referential("test", [("socle.yaml", REFERENTIAL)])


def answers(**values):
    result = {}
    for qid, value in values.items():
        qid = qid.replace("_", "-")
        result[qid] = AnswerValue(dont_know=True) if value == ["?"] else AnswerValue(tuple(value))
    return result


class ScoringTestCase(TestCase):
    def setUp(self):
        self.ref = referential()
        self.themes = self.ref.themes_for("officine", "1-9")

    def score(self, **values):
        return score_assessment(self.themes, answers(**values))

    def test_it_scores_a_perfect_assessment(self):
        result = self.score(mdp=["oui"], wifi=["oui"], wifi_invites=["oui"],
                            supports=["externe", "hors-ligne"])
        self.assertEqual(result.score, 100)
        self.assertEqual(result.level, 4)
        self.assertEqual(result.gaps, [])
        self.assertTrue(result.complete)

    def test_it_weights_questions(self):
        # mdp (weight 2) at 0.5, wifi (weight 1) at 1, conditional hidden at 1: (1+1+1)/4
        result = self.score(mdp=["partiel"], wifi=["oui"], wifi_invites=["oui"])
        self.assertEqual(result.themes[0].score, 75.0)

    def test_it_counts_dont_know_as_a_gap(self):
        result = self.score(mdp=["oui"], wifi=["?"])
        self.assertEqual(result.themes[0].score, round(100 * 2 / 3, 1))
        gap = next(g for g in result.gaps if g.question.id == "wifi")
        self.assertTrue(gap.dont_know)
        self.assertEqual(gap.level, "basic")

    def test_it_hides_conditional_questions_until_their_condition_holds(self):
        result = self.score(mdp=["oui"], wifi=["non"])
        self.assertEqual(result.themes[0].visible, 2)
        result = self.score(mdp=["oui"], wifi=["oui"])
        self.assertEqual(result.themes[0].visible, 3)
        self.assertFalse(result.complete)

    def test_it_ignores_a_hidden_question_answer(self):
        # An answer kept from before the parent changed must not count.
        result = self.score(mdp=["oui"], wifi=["non"], wifi_invites=["non"])
        self.assertNotIn("wifi-invites", [g.question.id for g in result.gaps])

    def test_it_scores_multiple_choices(self):
        question = self.ref.questions["supports"]
        self.assertAlmostEqual(question_ratio(question, AnswerValue(("externe",))), 1 / 3)
        self.assertEqual(question_ratio(question, AnswerValue(("externe", "hors-ligne"))), 1)

    def test_it_lets_an_exclusive_choice_win(self):
        question = self.ref.questions["supports"]
        self.assertEqual(question_ratio(question, AnswerValue(("aucune", "hors-ligne"))), 0)

    def test_it_ignores_unknown_choices(self):
        self.assertIsNone(question_ratio(self.ref.questions["mdp"], AnswerValue(("peut-être",))))

    def test_it_does_not_count_unanswered_questions(self):
        result = self.score(mdp=["oui"])
        self.assertEqual(result.score, 100)
        self.assertEqual((result.answered, result.visible), (1, 3))
        self.assertEqual(result.progress, 33)

    def test_it_scores_nothing_without_answers(self):
        result = self.score()
        self.assertIsNone(result.score)
        self.assertEqual(result.level, 0)

    def test_it_caps_maturity_on_a_critical_gap(self):
        result = self.score(mdp=["non"], wifi=["oui"], wifi_invites=["oui"],
                            supports=["externe", "hors-ligne"])
        # 100 × (0×2 + 1 + 1 + 1) / 5 = 60 → level 3, capped at 2 by the critical gap.
        self.assertEqual(result.score, 60)
        self.assertEqual(result.level, 2)

    def test_it_sorts_gaps_critical_first_then_priority(self):
        result = self.score(mdp=["partiel"], wifi=["non"], supports=["externe"])
        # Same criticality and priority: the larger gap (lower ratio) comes first.
        self.assertEqual([g.question.id for g in result.gaps], ["mdp", "wifi", "supports"])

    def test_it_recommends_advanced_level_for_partial_answers(self):
        result = self.score(mdp=["partiel"])
        self.assertEqual(result.gaps[0].level, "advanced")
        result = self.score(supports=["externe"])
        self.assertEqual(result.gaps[0].level, "basic")

    def test_it_picks_six_priority_measures(self):
        result = self.score(mdp=["non"], wifi=["oui"], wifi_invites=["non"], supports=["?"])
        first, rest = result.priority_measures(count=2)
        self.assertEqual([g.measure.id for g in first], ["m-mdp", "m-sauvegardes"])
        self.assertEqual([g.measure.id for g in rest], ["m-wifi-invites"])


# The same Wi-Fi, asked the right way: a gate that scores nothing opens the questions that do.
WIFI = REFERENTIAL[REFERENTIAL.index("      - id: wifi\n"):
                   REFERENTIAL.index("      - id: wifi-invites\n")]
GATED = REFERENTIAL.replace(WIFI, """\
      - id: wifi
        text: Wi-Fi ?
        why: W
        scored: false
        choices:
          - {id: oui, label: Oui}
          - {id: non, label: Non}
""")


class UnscoredQuestionTestCase(TestCase):
    def setUp(self):
        self.ref = build_referential("test", [("socle.yaml", GATED)])
        self.themes = self.ref.themes_for("officine", "1-9")

    def score(self, **values):
        return score_assessment(self.themes, answers(**values))

    def test_a_gate_answered_no_gives_neither_full_marks_nor_a_gap(self):
        result = self.score(mdp=["partiel"], wifi=["non"])
        # Only mdp counts: 0.5, not (2 × 0.5 + 1) ÷ 3 as a scored gate would give.
        self.assertEqual(result.themes[0].score, 50.0)
        self.assertEqual(result.score, 50.0)
        self.assertEqual([g.question.id for g in result.gaps], ["mdp"])

    def test_a_gate_alone_scores_nothing(self):
        result = self.score(wifi=["non"])
        self.assertIsNone(result.themes[0].score)
        self.assertIsNone(result.score)
        self.assertEqual(result.level, 0)
        self.assertEqual(result.gaps, [])

    def test_a_gate_answered_yes_scores_only_its_conditional_questions(self):
        result = self.score(mdp=["oui"], wifi=["oui"], wifi_invites=["non"])
        # (2 × 1 + 1 × 0) ÷ 3: the gate's weight is nowhere.
        self.assertEqual(result.themes[0].score, round(100 * 2 / 3, 1))
        self.assertEqual([g.question.id for g in result.gaps], ["wifi-invites"])

    def test_the_questions_a_gate_hides_do_not_count(self):
        result = self.score(mdp=["oui"], wifi=["non"], wifi_invites=["non"],
                            supports=["externe", "hors-ligne"])
        self.assertEqual(result.score, 100)
        self.assertEqual(result.gaps, [])
        self.assertEqual((result.answered, result.visible), (3, 3))

    def test_a_gate_counts_in_the_progress(self):
        result = self.score(mdp=["oui"], supports=["externe", "hors-ligne"])
        self.assertEqual((result.answered, result.visible), (2, 3))
        self.assertFalse(result.complete)
        result = self.score(mdp=["oui"], wifi=["non"], supports=["externe", "hors-ligne"])
        self.assertEqual((result.themes[0].answered, result.themes[0].visible), (2, 2))
        self.assertTrue(result.complete)
        self.assertEqual(result.progress, 100)

    def test_a_gate_has_no_ratio_and_no_measure(self):
        wifi = self.ref.questions["wifi"]
        self.assertFalse(wifi.scored)
        self.assertIsNone(wifi.measure)
        self.assertFalse(wifi.dont_know)
        self.assertIsNone(question_ratio(wifi, AnswerValue(("non",))))
        self.assertNotIn("m-wifi", self.ref.measures())
