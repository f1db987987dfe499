"""Checks of the packaged referential content (version 2026.1).

These tests guard the editorial promises of docs/content-format.md: full ANSSI coverage in
the common base, the CNIL–CNOP checklist, a questionnaire of reasonable length for a small
officine, modules that stay within their kinds, complete measures, and clean French.
"""

import re
from unittest import TestCase

from pharmagarde.diagnostic.referential import KINDS, SIZES, load_version
from pharmagarde.diagnostic.scoring import AnswerValue, visible_questions

VERSION = "2026.1"

# The CNIL–CNOP checklist ("Le pharmacien d'officine et la protection des données
# personnelles", 2023) and the CNIL référentiel officine: each topic and the socle questions
# that cover it for an officine.
CNIL_CNOP_TOPICS = {
    "registre des traitements": ["rgpd-registre"],
    "information des patients": ["rgpd-info-patients"],
    "information du personnel": ["rgpd-info-personnel"],
    "sous-traitants et clauses de leurs contrats": ["rgpd-sous-traitants"],
    "vidéosurveillance": ["rgpd-video", "rgpd-video-regles"],
    "violations de données et leur registre": ["rgpd-violations"],
    "DPO et AIPD au-delà de 2,6 M€ HT": ["rgpd-dpo-officine", "rgpd-aipd-officine"],
}

# The questions marked critical: few, and each one an open door for an attacker.
CRITICAL_QUESTIONS = {
    "sauv-hors-ligne", "sauv-test", "cpt-admin", "cpt-mdp-defaut", "cpt-mfa-distance",
    "maj-systemes",
}

# Priorities are unique per measure. A deliberate tie would be listed here with its reason.
PRIORITY_TIES = {}

OFFICINE_SMALL_RANGE = (40, 60)


def referential():
    return load_version(VERSION)


def all_texts(ref):
    """(where, text) for every piece of French text a person reads."""
    for question in ref.questions.values():
        where = question.id
        yield where, question.text
        yield where, question.why
        if question.help:
            yield where, question.help
        for choice in question.choices:
            yield f"{where}/{choice.id}", choice.label
        measure = question.measure
        for name in ("title", "basic", "advanced", "why", "how"):
            if getattr(measure, name):
                yield f"{measure.id}.{name}", getattr(measure, name)
        for key, values in question.references.items():
            for value in values:
                if isinstance(value, str):
                    yield f"{where}/references.{key}", value
    for theme in ref.themes:
        yield theme.id, theme.title
        if theme.intro:
            yield theme.id, theme.intro
    yield from ref.modules.items()


def answers_showing_everything(questions):
    """Answers that make every conditional question visible (parents come first)."""
    wanted = {}
    for question in questions:
        if question.show_if_question:
            wanted.setdefault(question.show_if_question, set()).update(question.show_if_choices)
    return {qid: AnswerValue(choice_ids=tuple(sorted(choices)))
            for qid, choices in wanted.items()}


def questions_seen(ref, kind, size):
    questions = [q for theme in ref.themes_for(kind, size) for q in theme.questions]
    return visible_questions(questions, answers_showing_everything(questions))


class PackagedVersionTestCase(TestCase):
    def test_it_loads_the_packaged_version(self):
        ref = referential()
        self.assertEqual(ref.version, VERSION)
        self.assertEqual(list(ref.modules)[0], "socle")
        self.assertEqual(set(ref.modules),
                         {"socle", "officine", "pui", "lbm", "industrie-distribution"})

    def test_it_keeps_the_first_published_question(self):
        # Ids are stable across versions: the sample question must not disappear.
        question = referential().questions["gouv-referent"]
        self.assertEqual(question.measure.id, "m-referent")


class CoverageTestCase(TestCase):
    def test_it_references_every_anssi_measure_in_the_common_base(self):
        socle = [q for q in referential().questions.values() if q.module_id == "socle"]
        referenced = {n for q in socle for n in q.references.get("anssi", [])}
        self.assertEqual(set(range(1, 43)) - referenced, set())

    def test_it_covers_the_ten_anssi_chapters_for_every_organisation(self):
        chapters = [range(1, 4), range(4, 8), range(8, 14), range(14, 19), range(19, 27),
                    range(27, 30), range(30, 34), range(34, 36), range(36, 41)]
        ref = referential()
        for kind in KINDS:
            seen = {n for q in questions_seen(ref, kind, "1-9")
                    for n in q.references.get("anssi", [])}
            for chapter in chapters:
                self.assertTrue(seen & set(chapter), f"{kind}: chapitre {chapter}")
        # Chapter X (41, 42) is for larger structures only.
        seen = {n for q in questions_seen(ref, "officine", "250+")
                for n in q.references.get("anssi", [])}
        self.assertTrue({41, 42} <= seen)

    def test_it_covers_the_cnil_cnop_checklist_for_an_officine(self):
        ref = referential()
        seen = {q.id for q in questions_seen(ref, "officine", "1-9")}
        for topic, question_ids in CNIL_CNOP_TOPICS.items():
            for question_id in question_ids:
                question = ref.questions[question_id]
                self.assertEqual(question.module_id, "socle", topic)
                self.assertIn(question_id, seen, topic)
                self.assertTrue(question.references.get("rgpd"), f"{topic}: article RGPD")
                self.assertTrue(question.references.get("cnil"), f"{topic}: référence CNIL")

    def test_it_states_the_dpo_threshold(self):
        ref = referential()
        self.assertIn("2,6 M€ HT", ref.questions["rgpd-dpo-officine"].text)
        self.assertEqual(ref.questions["rgpd-aipd-officine"].show_if_question,
                         "rgpd-dpo-officine")

    def test_it_states_the_nis2_notification_deadlines(self):
        ref = referential()
        for question_id in ("lbm-nis2-notification", "indus-nis2-notification"):
            text = ref.questions[question_id].text
            for deadline in ("24 heures", "72 heures", "mois"):
                self.assertIn(deadline, text)

    def test_it_cites_nis2_letters_and_sector_rules(self):
        ref = referential()
        letters = {x for q in ref.questions.values() for x in q.references.get("nis2", [])}
        self.assertEqual(letters, set("abcdefghij"))
        lbm = [q for q in ref.questions.values() if q.module_id == "lbm"]
        iso = {x for q in lbm for x in q.references.get("iso15189", [])}
        self.assertTrue({"§ 7.6", "§ 7.6.4", "§ 7.6.5"} <= iso)
        self.assertTrue(any("L.1111-8-2" in x for q in lbm for x in q.references.get("autre", [])))
        pui = [q for q in ref.questions.values() if q.module_id == "pui"]
        self.assertTrue(any(q.references.get("care") for q in pui))


class ApplicabilityTestCase(TestCase):
    def test_it_shows_a_small_officine_between_40_and_60_questions(self):
        ref = referential()
        applicable = sum(len(t.questions) for t in ref.themes_for("officine", "1-9"))
        seen = questions_seen(ref, "officine", "1-9")
        low, high = OFFICINE_SMALL_RANGE
        self.assertEqual(len(seen), applicable)  # every conditional question can show
        self.assertTrue(low <= len(seen) <= high, len(seen))

    def test_it_shows_larger_structures_more_questions(self):
        ref = referential()
        for kind in KINDS:
            counts = [len(questions_seen(ref, kind, size)) for size in SIZES]
            self.assertEqual(counts, sorted(counts), kind)
            self.assertLess(counts[0], counts[-1], kind)

    def test_it_applies_each_profession_module_only_to_its_kinds(self):
        ref = referential()
        expected = {"officine": {"officine"}, "pui": {"pui"}, "lbm": {"lbm"},
                    "industrie-distribution": {"industrie", "distribution"}}
        for question in ref.questions.values():
            if question.module_id == "socle":
                continue
            self.assertLessEqual(set(question.kinds), expected[question.module_id],
                                 question.id)
        for kind in KINDS:
            modules = {t.module_id for t in ref.themes_for(kind, "10-49")}
            allowed = {"socle"} | {m for m, kinds in expected.items() if kind in kinds}
            self.assertEqual(modules, allowed, kind)

    def test_it_only_conditions_questions_on_questions_the_organisation_sees(self):
        ref = referential()
        for kind in KINDS:
            for size in SIZES:
                applicable = {q.id for t in ref.themes_for(kind, size) for q in t.questions}
                for question_id in applicable:
                    parent = ref.questions[question_id].show_if_question
                    if parent:
                        self.assertIn(parent, applicable, f"{question_id} ({kind}, {size})")

    def test_it_marks_few_questions_critical(self):
        ref = referential()
        critical = {q.id for q in ref.questions.values() if q.criticality == "critique"}
        self.assertEqual(critical, CRITICAL_QUESTIONS)
        for question_id in critical:
            self.assertEqual(ref.questions[question_id].weight, 3)
            self.assertFalse(ref.questions[question_id].show_if_question)


class QuestionsAndMeasuresTestCase(TestCase):
    def test_it_lets_every_question_reveal_a_gap(self):
        # A gate (scored: false) reveals nothing itself: the questions it opens do.
        for question in referential().questions.values():
            if question.scored:
                self.assertTrue(any(c.score == 0 for c in question.choices), question.id)

    def test_it_gives_multiple_choice_questions_one_exclusive_none_choice(self):
        for question in referential().questions.values():
            exclusive = [c for c in question.choices if c.exclusive]
            if question.kind == "multiple" and question.scored:
                self.assertEqual(len(exclusive), 1, question.id)
                self.assertEqual(exclusive[0].score, 0, question.id)
                self.assertEqual(question.choices[-1], exclusive[0], question.id)

    def test_it_gives_every_measure_a_why_and_a_how(self):
        for measure in referential().measures().values():
            self.assertGreaterEqual(len(measure.why), 30, measure.id)
            self.assertGreaterEqual(len(measure.how), 60, measure.id)
            self.assertGreaterEqual(len(measure.basic), 30, measure.id)

    def test_it_gives_most_measures_an_advanced_level(self):
        measures = list(referential().measures().values())
        with_advanced = [m for m in measures if m.advanced]
        self.assertGreaterEqual(len(with_advanced) / len(measures), 0.8)

    def test_it_ranks_each_measure_at_its_own_priority(self):
        by_priority = {}
        for measure in referential().measures().values():
            by_priority.setdefault(measure.priority, set()).add(measure.id)
        ties = {p: ids for p, ids in by_priority.items() if len(ids) > 1}
        self.assertEqual(ties, PRIORITY_TIES)

    def test_it_ranks_backups_mfa_passwords_updates_admin_and_phishing_first(self):
        ref = referential().measures()
        first = {"m-sauvegarde-hors-ligne", "m-test-restauration", "m-mfa-acces-distance",
                 "m-mdp-defaut", "m-maj-systemes", "m-comptes-admin", "m-hameconnage"}
        ranked = sorted(ref.values(), key=lambda m: m.priority)
        self.assertEqual({m.id for m in ranked[:len(first)]}, first)

    def test_it_uses_stable_prefixed_measure_ids(self):
        for measure in referential().measures().values():
            self.assertTrue(measure.id.startswith("m-"), measure.id)


class FrenchTypographyTestCase(TestCase):
    SLIPS = [
        (re.compile(r"  "), "double espace"),
        (re.compile(r"^\s|\s$"), "espace en début ou en fin"),
        (re.compile(r"\s[,.)]"), "espace avant une virgule, un point ou une parenthèse"),
        (re.compile(r"\(\s"), "espace après une parenthèse ouvrante"),
        (re.compile(r"[^\s][?!;]"), "espace manquante avant ? ! ;"),
        (re.compile(r"[^\s\d]:(?!//)"), "espace manquante avant deux-points"),
        (re.compile(r"\s[?!;:](?=\S)"), "espace manquante après ? ! ; :"),
        (re.compile(r"«\S|\S»"), "espace manquante dans les guillemets « »"),
        (re.compile(r"\""), "guillemet droit (utiliser « »)"),
        (re.compile(r"\.\.\."), "trois points (utiliser …)"),
        (re.compile(r"’"), "apostrophe courbe (le contenu utilise l'apostrophe droite)"),
        (re.compile(r"\b(tu|toi|ton|ta|tes)\b", re.IGNORECASE), "tutoiement"),
    ]

    def test_it_has_no_typographic_slip(self):
        problems = []
        for where, text in all_texts(referential()):
            for pattern, label in self.SLIPS:
                if pattern.search(text):
                    problems.append(f"{where} : {label} — {text[:70]}")
        self.assertEqual(problems, [])

    def test_it_asks_questions_and_ends_sentences(self):
        for question in referential().questions.values():
            self.assertTrue(question.text.endswith(" ?"), question.id)
            self.assertTrue(question.why.endswith("."), question.id)
            measure = question.measure
            for name in ("basic", "advanced", "why", "how"):
                value = getattr(measure, name)
                if value:
                    self.assertTrue(value.endswith("."), f"{measure.id}.{name}")
            for choice in question.choices:
                self.assertFalse(choice.label.endswith("."), f"{question.id}/{choice.id}")

    def test_it_keeps_questions_short(self):
        for question in referential().questions.values():
            self.assertLessEqual(len(question.text), 220, question.id)
            self.assertLessEqual(len(question.why), 170, question.id)
