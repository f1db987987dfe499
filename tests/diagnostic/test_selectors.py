
from pharmagarde.diagnostic import selectors
from pharmagarde.diagnostic.scoring import score_assessment
from tests.base import BaseTestCase
from tests.diagnostic.test_results_support import (
    ReferentialsMixin,
    all_answers,
    make_assessment,
)

THEMES = ["gouvernance", "acces", "sauvegardes", "postes"]


class PreviousAssessmentTestCase(ReferentialsMixin, BaseTestCase):
    def test_it_finds_the_last_completed_one_before(self):
        old = make_assessment(self.org, all_answers(), completed_days_ago=300)
        last = make_assessment(self.org, all_answers(), completed_days_ago=100)
        current = make_assessment(self.org, all_answers(), completed_days_ago=1)
        make_assessment(self.other_org, all_answers(), completed_days_ago=50)
        self.assertEqual(selectors.previous_assessment(current), last)
        self.assertEqual(selectors.previous_assessment(last), old)
        self.assertIsNone(selectors.previous_assessment(old))

    def test_an_assessment_in_progress_compares_with_the_last_completed(self):
        last = make_assessment(self.org, all_answers(), completed_days_ago=100)
        current = make_assessment(self.org, {"mdp": "oui"})
        self.assertEqual(selectors.previous_assessment(current), last)

    def test_it_lists_new_and_closed_gaps(self):
        previous = make_assessment(self.org, all_answers(mdp="non", admin="?"),
                                   completed_days_ago=100)
        current = make_assessment(self.org, all_answers(mdp="oui", maj="partiel"),
                                  completed_days_ago=0)
        values = current.answer_values()
        result = score_assessment(current.themes(), values)
        _previous, new, closed = selectors.compare_with_previous(
            result, values, previous, list(previous.answers.all()))
        self.assertEqual([g.question.id for g in new], ["maj"])
        self.assertEqual([g.question.id for g in closed], ["mdp", "admin"])

    def test_an_unanswered_question_is_not_a_closed_gap(self):
        previous = make_assessment(self.org, all_answers(mdp="non"), completed_days_ago=100)
        current = make_assessment(self.org, {"referent": "oui"})
        values = current.answer_values()
        result = score_assessment(current.themes(), values)
        _previous, _new, closed = selectors.compare_with_previous(
            result, values, previous, list(previous.answers.all()))
        self.assertEqual(closed, [])


class LevelTestCase(BaseTestCase):
    def test_every_level_has_a_label_and_an_explanation(self):
        for level in range(5):
            self.assertTrue(str(selectors.level_label(level)))
            self.assertTrue(str(selectors.level_explanation(level)))

    def test_it_writes_signed_changes(self):
        self.assertEqual(selectors.signed_points(5.0), "+5")
        self.assertEqual(selectors.signed_points(-3.5), "\u22123,5")
        self.assertEqual(selectors.signed_points(0.0), "0")
        self.assertEqual(selectors.signed_points(None), "")
