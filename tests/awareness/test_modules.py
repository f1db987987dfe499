"""The e-learning modules (data, awareness/modules.py): the ten lessons and their quizzes,
the checks that refuse a broken file with its name and line, the safe rendering of the
Markdown, and the grading of an attempt."""

import re
import tempfile
import textwrap
from decimal import Decimal
from pathlib import Path

from django.test import SimpleTestCase

from pharmagarde.awareness import modules

EXPECTED_KEYS = ("mots-de-passe", "hameconnage", "rancongiciel", "rgpd-sante", "cps",
                 "wifi-mobiles", "supports-amovibles", "fraude-president", "ia-generative",
                 "reseaux-sociaux")


def body_of(key):
    text = (modules.MODULES_DIR / key / modules.LESSON).read_text(encoding="utf-8")
    return modules.split_front_matter(text, key)[1]


class ModuleFilesTestCase(SimpleTestCase):
    def test_the_ten_modules_load_in_a_stable_order(self):
        found = modules.modules()
        self.assertEqual(tuple(m.key for m in found), EXPECTED_KEYS)
        self.assertIs(modules.module("cps"), found[4])
        self.assertEqual(modules.modules(), found)
        with self.assertRaises(KeyError):
            modules.module("inconnu")

    def test_every_quiz_has_5_to_8_questions_and_explains_every_choice(self):
        for item in modules.modules():
            with self.subTest(item.key):
                self.assertTrue(5 <= len(item.questions) <= 8)
                self.assertEqual(item.pass_mark, 80)
                self.assertEqual(len({q.id for q in item.questions}), len(item.questions))
                for question in item.questions:
                    self.assertGreaterEqual(len(question.choices), 2)
                    self.assertTrue(question.explanation)
                    self.assertTrue(all(len(c.explanation) >= 10 for c in question.choices))
                    right = sum(c.correct for c in question.choices)
                    self.assertGreaterEqual(right, 1)
                    if not question.multiple:
                        self.assertEqual(right, 1)
                    self.assertLess(right, len(question.choices))
                self.assertTrue(any(q.multiple for q in item.questions),
                                "each quiz has at least one question with several answers")

    def test_durations_hours_and_objectives(self):
        for item in modules.modules():
            with self.subTest(item.key):
                self.assertTrue(5 <= item.minutes <= 10)
                self.assertIsInstance(item.hours, Decimal)
                self.assertTrue(Decimal("0") < item.hours <= Decimal("1"))
                self.assertTrue(3 <= len(item.objectives) <= 5)
                # 600 to 1,200 words: 5 to 10 minutes of reading.
                words = len(body_of(item.key).split())
                self.assertTrue(600 <= words <= 1200, f"{words} words")
        self.assertEqual(modules.total_hours(["cps", "mots-de-passe", "cps"]),
                         Decimal("0.45"))

    def test_lessons_have_headings_lists_and_one_box_to_remember(self):
        for item in modules.modules():
            with self.subTest(item.key):
                self.assertGreaterEqual(item.html.count("<h2>"), 3)
                self.assertNotIn("<h1>", item.html)
                self.assertIn("<li>", item.html)
                self.assertEqual(item.html.count("<blockquote>"), 1)
                box = item.html.split("<blockquote>")[1]
                self.assertTrue(box.lstrip().startswith("<p><strong>À retenir"))
                self.assertNotIn("<img", item.html)
                # French typography: no-break spaces before « ? » and « : ».
                self.assertNotRegex(item.html, r" [?:;!](\s|<)")

    def test_links_and_addresses_are_fictional(self):
        for item in modules.modules():
            text = body_of(item.key)
            with self.subTest(item.key):
                for address in re.findall(r"\b(?:[\w-]+[.@])+[a-z]{2,}\b", text):
                    self.assertRegex(address, r"(\.example|\bexample\.(com|org))$")


LESSON = """\
---
titre: Une leçon d'essai
duree_minutes: 6
heures: 0.25
objectifs:
  - Premier objectif de la leçon
  - Deuxième objectif de la leçon
  - Troisième objectif de la leçon
---

## Un titre

{body}
"""

QUIZ = """\
questions:
  - id: q1
    texte: Une première question ?
    choix:
      - id: a
        texte: Oui
        correct: true
        explication: Parce que c'est juste.
      - id: b
        texte: Non
        correct: false
        explication: Parce que c'est faux.
    explication_generale: Ce qu'il faut savoir.
"""


def quiz_of(*questions, seuil=""):
    """A quiz.yaml text: the first question above, then `questions` (YAML texts)."""
    extra = "".join(textwrap.indent(textwrap.dedent(q).strip("\n"), "  ") + "\n"
                    for q in questions)
    filler = "".join(QUIZ.split("\n", 1)[1].replace("q1", f"q{n}") for n in range(2, 5))
    return seuil + QUIZ + filler + extra


def question(qid, *, correct=("a",), plusieurs="", explain_b=True, b_id="b"):
    lines = [f"- id: {qid}", "  texte: Une question de plus ?"]
    if plusieurs:
        lines.append(f"  plusieurs: {plusieurs}")
    lines.append("  choix:")
    for cid in ("a", b_id, "c"):
        lines += [f"    - id: {cid}", f"      texte: Choix {cid}",
                  f"      correct: {'true' if cid in correct else 'false'}"]
        if cid != "b" or explain_b:
            lines.append("      explication: Une explication du choix.")
    lines.append("  explication_generale: Ce qu'il faut savoir.")
    return "\n".join(lines)


class BrokenFilesTestCase(SimpleTestCase):
    def assertRefused(self, text, message, line):
        with self.assertRaises(modules.ModuleError) as caught:
            modules.parse_quiz(text, "essai/quiz.yaml")
        self.assertIn(f"essai/quiz.yaml:{line} ", str(caught.exception))
        self.assertIn(message, str(caught.exception))

    def test_a_valid_quiz_is_read(self):
        questions, pass_mark = modules.parse_quiz(quiz_of(question("q5")), "essai/quiz.yaml")
        self.assertEqual([q.id for q in questions], ["q1", "q2", "q3", "q4", "q5"])
        self.assertEqual(pass_mark, 80)
        self.assertEqual(questions[0].choices[0].explanation, "Parce que c'est juste.")
        questions, pass_mark = modules.parse_quiz(
            quiz_of(question("q5"), seuil="seuil: 60\n"), "essai/quiz.yaml")
        self.assertEqual(pass_mark, 60)

    def test_a_question_without_a_correct_choice(self):
        # The fifth question starts on line 50.
        self.assertRefused(quiz_of(question("q5", correct=())), "aucun choix correct", 50)

    def test_two_correct_choices_need_plusieurs(self):
        self.assertRefused(quiz_of(question("q5", correct=("a", "b"))),
                           "2 choix corrects : ajoutez « plusieurs: true »", 50)
        questions, _ = modules.parse_quiz(
            quiz_of(question("q5", correct=("a", "b"), plusieurs="true")), "essai/quiz.yaml")
        self.assertTrue(questions[-1].multiple)
        self.assertEqual(questions[-1].correct_ids, {"a", "b"})
        self.assertRefused(quiz_of(question("q5", correct=("a", "b", "c"), plusieurs="true")),
                           "tous les choix sont corrects", 50)

    def test_a_choice_without_explanation(self):
        # The choice b of the fifth question starts on line 57.
        self.assertRefused(quiz_of(question("q5", explain_b=False)),
                           "questions.4.choix.1 : 'explication' is a required property", 57)

    def test_duplicate_ids(self):
        self.assertRefused(quiz_of(question("q2")), "la question « q2 » apparaît deux fois",
                           50)
        self.assertRefused(quiz_of(question("q5", b_id="a")),
                           "le choix « a » apparaît deux fois dans la question « q5 »", 57)

    def test_too_few_questions_and_unknown_fields(self):
        self.assertRefused(QUIZ, "questions : ", 2)
        self.assertRefused(quiz_of(question("q5")).replace("texte: Oui", "txt: Oui", 1),
                           "questions.0.choix.0 : ", 5)

    def test_lesson_front_matter_is_checked_with_the_file_lines(self):
        with self.assertRaises(modules.ModuleError) as caught:
            modules.parse_lesson(LESSON.format(body="x").replace("duree_minutes: 6",
                                                                 "duree_minutes: 20"),
                                 "essai/lecon.md")
        self.assertIn("essai/lecon.md:3 — duree_minutes : 20 is greater than the maximum",
                      str(caught.exception))
        with self.assertRaises(modules.ModuleError) as caught:
            modules.parse_lesson("## Pas d'en-tête\n", "essai/lecon.md")
        self.assertIn("essai/lecon.md:1 — la leçon doit commencer", str(caught.exception))
        with self.assertRaises(modules.ModuleError) as caught:
            modules.parse_lesson(LESSON.format(body="x").replace("0.25", "0.125"),
                                 "essai/lecon.md")
        self.assertIn("essai/lecon.md:4 — heures : au plus deux décimales",
                      str(caught.exception))

    def test_lesson_markdown_is_checked(self):
        with self.assertRaises(modules.ModuleError) as caught:
            modules.parse_lesson(LESSON.format(body="Texte.\n\n# Grand titre\n"),
                                 "essai/lecon.md")
        self.assertIn("essai/lecon.md:15 — titre de niveau 1", str(caught.exception))
        with self.assertRaises(modules.ModuleError) as caught:
            modules.parse_lesson(LESSON.format(body="![logo](https://example.org/l.png)"),
                                 "essai/lecon.md")
        self.assertIn("essai/lecon.md:13 — pas d'image", str(caught.exception))

    def test_a_missing_or_unknown_folder(self):
        with tempfile.TemporaryDirectory() as name:
            directory = Path(name) / "modules"
            (directory / "essai").mkdir(parents=True)
            (directory / "essai" / "lecon.md").write_text(LESSON.format(body="Texte."))
            with self.assertRaises(modules.ModuleError) as caught:
                modules.modules(directory, ("essai",))
            self.assertIn("essai/quiz.yaml — fichier absent", str(caught.exception))
            (directory / "essai" / "quiz.yaml").write_text(quiz_of(question("q5")))
            self.assertEqual(modules.modules(directory, ("essai",))[0].title,
                             "Une leçon d'essai")
            with self.assertRaises(modules.ModuleError) as caught:
                modules.modules(directory, ("essai", "autre"))
            self.assertIn("il manque le module : autre", str(caught.exception))
            (directory / "intrus").mkdir()
            with self.assertRaises(modules.ModuleError) as caught:
                modules.modules(directory, ("essai", "autre2"))
            self.assertIn("modules/intrus — module inconnu", str(caught.exception))


class RenderingTestCase(SimpleTestCase):
    def test_raw_html_is_escaped(self):
        html = modules.render('Avant <script>alert("x")</script> <b>gras</b>\n\n'
                              '<div onclick="x()">bloc</div>\n')
        self.assertNotIn("<script", html)
        self.assertNotIn("<b>", html)
        self.assertNotIn("<div", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertIn("&lt;div onclick=", html)

    def test_only_https_and_relative_links_are_kept(self):
        html = modules.render("[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) "
                              "[c](data:text/html,x) [d](http://example.org/) "
                              "[e](https://example.org/guide) [f](/formation/cps/) "
                              "[g](vbscript:x) <javascript:alert(1)>\n")
        hrefs = re.findall(r'href="([^"]*)"', html)
        self.assertEqual(hrefs, ["https://example.org/guide", "/formation/cps/"])
        self.assertNotIn("<a>", html)
        self.assertNotIn('<a rel="noopener noreferrer">', html)
        self.assertIn(" d ", html)  # the http link is left as its text

    def test_allowed_tags_only(self):
        html = modules.render("# Titre 1\n\n##### Titre 5\n\n```\ncode\n```\n\n"
                              "| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n"
                              "![image](https://example.org/i.png)\n")
        tags = set(re.findall(r"<([a-z0-9]+)", html))
        self.assertLessEqual(tags, modules.ALLOWED_TAGS)
        self.assertIn("table", tags)
        self.assertIn("code", tags)
        self.assertNotIn("<img", html)
        self.assertNotIn('style="', html)


def answers_all_right(item):
    return {q.id: set(q.correct_ids) for q in item.questions}


class GradingTestCase(SimpleTestCase):
    def setUp(self):
        self.item = modules.module("mots-de-passe")  # 6 questions, one with several answers
        self.multiple = next(q for q in self.item.questions if q.multiple)
        self.single = next(q for q in self.item.questions if not q.multiple)

    def test_all_right(self):
        grade = modules.grade(self.item, answers_all_right(self.item))
        self.assertEqual((grade.score, grade.passed, grade.right), (100, True, 6))
        self.assertEqual([r.question.id for r in grade.results],
                         [q.id for q in self.item.questions])
        result = grade.results[0]
        self.assertTrue(result.correct)
        self.assertEqual(result.shown, tuple(c for c in result.question.choices if c.correct))
        self.assertEqual(result.explanations[-1], result.question.explanation)

    def test_one_wrong(self):
        answers = answers_all_right(self.item)
        wrong = next(c.id for c in self.single.choices if not c.correct)
        answers[self.single.id] = {wrong}
        grade = modules.grade(self.item, answers)
        self.assertEqual((grade.score, grade.passed), (83, True))  # 5/6, rounded down
        result = next(r for r in grade.results if r.question.id == self.single.id)
        self.assertFalse(result.correct)
        self.assertEqual(result.chosen, {wrong})
        # The wrong choice's explanation, then the right one's, then the general one.
        self.assertEqual([c.id for c in result.shown], [wrong, *self.single.correct_ids])
        self.assertEqual(len(result.explanations), 3)
        answers[self.multiple.id] = set()
        self.assertEqual(modules.grade(self.item, answers).score, 66)
        self.assertFalse(modules.grade(self.item, answers).passed)

    def test_multiple_choice_partial_is_wrong(self):
        answers = answers_all_right(self.item)
        some = sorted(self.multiple.correct_ids)[:-1]
        answers[self.multiple.id] = set(some)
        result = next(r for r in modules.grade(self.item, answers).results
                      if r.question.id == self.multiple.id)
        self.assertFalse(result.correct)
        # Every right choice plus a wrong one: wrong as well.
        extra = next(c.id for c in self.multiple.choices if not c.correct)
        answers[self.multiple.id] = set(self.multiple.correct_ids) | {extra}
        result = next(r for r in modules.grade(self.item, answers).results
                      if r.question.id == self.multiple.id)
        self.assertFalse(result.correct)

    def test_unknown_ids_are_ignored_and_missing_answers_wrong(self):
        answers = answers_all_right(self.item)
        answers["question-inconnue"] = {"a"}
        answers[self.single.id] = set(self.single.correct_ids) | {"zz"}
        grade = modules.grade(self.item, answers)
        self.assertEqual(grade.score, 100)
        self.assertEqual(len(grade.results), 6)
        del answers[self.single.id]
        grade = modules.grade(self.item, answers)
        self.assertEqual(grade.score, 83)
        missing = next(r for r in grade.results if r.question.id == self.single.id)
        self.assertFalse(missing.correct)
        self.assertEqual(missing.chosen, frozenset())
        self.assertEqual(modules.grade(self.item, {}).score, 0)

    def test_a_single_choice_given_as_a_string(self):
        answers = answers_all_right(self.item)
        answers[self.single.id] = next(iter(self.single.correct_ids))
        self.assertEqual(modules.grade(self.item, answers).score, 100)
