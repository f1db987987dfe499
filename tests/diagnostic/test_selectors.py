from django.db import connection
from django.test.utils import CaptureQueriesContext

from pharmagarde.diagnostic import selectors
from pharmagarde.diagnostic.scoring import score_assessment
from tests.base import BaseTestCase, make_organisation
from tests.diagnostic.test_results_support import (
    ReferentialsMixin,
    all_answers,
    make_assessment,
)

THEMES = ["gouvernance", "acces", "sauvegardes", "postes"]


class PeerComparisonTestCase(ReferentialsMixin, BaseTestCase):
    def setUp(self):
        self.assessment = make_assessment(self.org, all_answers(), completed_days_ago=0)

    def peer(self, index, answer="oui", kind="officine", **kwargs):
        organisation = make_organisation(f"Pair {index}", f"pair-{index}", kind=kind)
        return make_assessment(organisation, all_answers(answer), kind=kind,
                               completed_days_ago=kwargs.pop("days_ago", 1), **kwargs)

    def test_it_is_hidden_below_five_organisations(self):
        for index in range(4):
            self.peer(index)
        comparison = selectors.peer_comparison(self.assessment, THEMES)
        self.assertEqual(comparison.count, 4)
        self.assertFalse(comparison.shown)
        self.assertIsNone(comparison.score)
        self.assertEqual(comparison.theme_scores, {})

    def test_it_averages_five_organisations(self):
        for index in range(3):
            self.peer(index, "oui")  # 100 everywhere
        for index in range(3, 5):
            self.peer(index, "non")  # 0 everywhere
        comparison = selectors.peer_comparison(self.assessment, THEMES)
        self.assertTrue(comparison.shown)
        self.assertEqual(comparison.count, 5)
        self.assertEqual(comparison.score, 60.0)
        self.assertEqual(comparison.theme_scores, dict.fromkeys(THEMES, 60.0))

    def test_it_excludes_the_organisation_itself(self):
        for index in range(4):
            self.peer(index, "non")
        # More completed assessments of our own: they never count.
        make_assessment(self.org, all_answers(), completed_days_ago=3)
        make_assessment(self.other_org, all_answers("non"), completed_days_ago=3)
        comparison = selectors.peer_comparison(self.assessment, THEMES)
        self.assertEqual(comparison.count, 5)
        self.assertEqual(comparison.score, 0.0)

    def test_it_takes_only_the_latest_completed_assessment_of_each(self):
        peers = [self.peer(index, "non", days_ago=30) for index in range(5)]
        for assessment in peers:
            make_assessment(assessment.organisation, all_answers("oui"), completed_days_ago=2)
            # In progress, all "non": ignored.
            make_assessment(assessment.organisation, all_answers("non"))
        comparison = selectors.peer_comparison(self.assessment, THEMES)
        self.assertEqual(comparison.count, 5)
        self.assertEqual(comparison.score, 100.0)

    def test_it_ignores_in_progress_assessments_and_other_kinds(self):
        for index in range(4):
            self.peer(index)
        lone = make_organisation("En cours", "en-cours")
        make_assessment(lone, all_answers())
        for index in range(4, 8):
            self.peer(index, kind="pui")
        self.assertFalse(selectors.peer_comparison(self.assessment, THEMES).shown)

    def test_it_hides_a_theme_answered_by_fewer_than_five(self):
        for index in range(5):
            peer = self.peer(index)
            if index:
                peer.theme_scores.pop("postes")
                peer.save()
        comparison = selectors.peer_comparison(self.assessment, THEMES)
        self.assertTrue(comparison.shown)
        self.assertNotIn("postes", comparison.theme_scores)
        self.assertEqual(comparison.theme_scores["acces"], 100.0)

    def test_it_ignores_themes_left_without_score(self):
        for index in range(6):
            peer = self.peer(index, "non")
            if index == 5:
                peer.theme_scores["acces"] = None
                peer.save()
        comparison = selectors.peer_comparison(self.assessment, THEMES)
        self.assertEqual(comparison.theme_scores["acces"], 0.0)

    def test_it_costs_two_queries(self):
        for index in range(6):
            self.peer(index)
        with CaptureQueriesContext(connection) as ctx:
            selectors.peer_comparison(self.assessment, THEMES)
        # The kind's totals, then the organisation's own latest assessment to take out.
        self.assertEqual(len(ctx.captured_queries), 2)

    def test_it_caches_the_kind_totals_and_still_leaves_the_organisation_out(self):
        from django.core.cache import cache
        from django.test import override_settings

        for index in range(5):
            self.peer(index)
        uncached = selectors.peer_comparison(self.assessment, THEMES)
        # The organisation's own finished assessment is part of the cached totals…
        make_assessment(self.org, all_answers(), completed_days_ago=0)
        cache.clear()
        with override_settings(PEER_CACHE_SECONDS=600):
            selectors.peer_comparison(self.assessment, THEMES)
            with CaptureQueriesContext(connection) as ctx:
                cached = selectors.peer_comparison(self.assessment, THEMES)
        cache.clear()
        self.assertEqual(len(ctx.captured_queries), 1)
        # …and is subtracted again: the average is still the other organisations' only.
        self.assertEqual((cached.count, cached.score, cached.theme_scores),
                         (uncached.count, uncached.score, uncached.theme_scores))


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
