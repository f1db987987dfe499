"""The anonymous comparison with organisations of the same kind (diagnostic/peers.py).

The attack (issue 6): an account that created five laboratories read, on each one's
results page, "the average of the others", subtracted its own four, and recovered a sixth
laboratory's score (48.9 for 49.0) and its 14 theme scores to 0.3 point.
"""

import statistics
from datetime import timedelta

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pharmagarde.core.models import Membership, Role
from pharmagarde.diagnostic import peers, selectors
from pharmagarde.diagnostic.models import PeerSnapshot
from pharmagarde.lib import smallcells
from tests.base import BaseTestCase, make_organisation, make_user, valid_siret
from tests.diagnostic.test_results_support import (
    ReferentialsMixin,
    all_answers,
    make_assessment,
)

THEMES = ["gouvernance", "acces", "sauvegardes", "postes"]
BEFORE = 10  # days ago: before the current weekly period began, whatever today is


class PeersTestCase(ReferentialsMixin, BaseTestCase):
    serial = 0

    def peer(self, answer="oui", kind="officine", days_ago=BEFORE, creator=None, **fields):
        PeersTestCase.serial += 1
        number = PeersTestCase.serial
        organisation = make_organisation(f"Pair {number}", f"pair-{number}", kind=kind,
                                         siret=fields.pop("siret", valid_siret(number)),
                                         created_by=creator, **fields)
        make_assessment(organisation, all_answers(answer), completed_days_ago=days_ago)
        return organisation

    def comparison(self, kind="officine"):
        # Whoever reads, the numbers are the kind's: a reader's own organisation is in them.
        return selectors.peer_comparison(make_assessment(self.org, kind=kind), THEMES)


class PublishedValuesTestCase(PeersTestCase):
    def test_it_is_hidden_below_eleven_independent_organisations(self):
        for _ in range(10):
            self.peer()
        comparison = self.comparison()
        self.assertEqual(comparison.count, 10)
        self.assertFalse(comparison.shown)
        self.assertEqual(comparison.theme_scores, {})

    def test_it_averages_eleven_organisations_in_whole_points(self):
        for _ in range(6):
            self.peer("oui")  # 100 everywhere
        for _ in range(5):
            self.peer("non")  # 0 everywhere
        comparison = self.comparison()
        self.assertTrue(comparison.shown)
        self.assertEqual(comparison.count, 11)
        self.assertEqual(comparison.score, 55)  # 54.5…, rounded
        self.assertEqual(comparison.theme_scores, dict.fromkeys(THEMES, 55))

    def test_it_counts_only_assessments_completed_before_the_period_began(self):
        for _ in range(11):
            self.peer("non")
        organisation = self.peer("oui", days_ago=0)  # today: next period
        self.assertEqual(self.comparison().count, 11)
        make_assessment(organisation, all_answers("oui"), completed_days_ago=BEFORE + 5)
        PeerSnapshot.objects.all().delete()
        comparison = self.comparison()
        self.assertEqual(comparison.count, 12)
        self.assertEqual(comparison.score, 8)  # 100 / 12, the older of its two assessments

    def test_it_takes_the_latest_completed_assessment_of_each(self):
        for _ in range(11):
            organisation = self.peer("non", days_ago=40)
            make_assessment(organisation, all_answers("oui"), completed_days_ago=BEFORE)
            make_assessment(organisation, all_answers("non"))  # in progress: ignored
        self.assertEqual(self.comparison().score, 100)

    def test_other_kinds_never_count(self):
        for _ in range(6):
            self.peer()
        for _ in range(6):
            self.peer(kind="pui")
        self.assertFalse(self.comparison().shown)

    def test_a_theme_with_fewer_than_eleven_units_is_left_out(self):
        for index in range(11):
            organisation = self.peer()
            if index:
                assessment = organisation.assessments.get()
                assessment.theme_scores.pop("postes")
                assessment.save()
        comparison = self.comparison()
        self.assertNotIn("postes", comparison.theme_scores)
        self.assertEqual(comparison.theme_scores["acces"], 100)

    def test_it_costs_one_query_once_the_snapshot_exists(self):
        for _ in range(11):
            self.peer()
        assessment = make_assessment(self.org, all_answers())
        selectors.peer_comparison(assessment, THEMES)
        with CaptureQueriesContext(connection) as ctx:
            selectors.peer_comparison(assessment, THEMES)
        self.assertEqual(len(ctx.captured_queries), 1)


class IndependenceTestCase(PeersTestCase):
    def test_organisations_created_by_one_account_are_one_unit(self):
        creator = make_user("createur@exemple.fr")
        for _ in range(5):
            self.peer("non", creator=creator)
        for _ in range(10):
            self.peer("oui")
        comparison = self.comparison()
        self.assertEqual(comparison.count, 11)
        self.assertEqual(comparison.score, 91)  # (10 × 100 + 0) / 11

    def test_organisations_sharing_a_member_are_one_unit(self):
        member = make_user("dpo@exemple.fr")
        for _ in range(3):
            Membership.objects.create(organisation=self.peer(), user=member, role=Role.DPO)
        for _ in range(9):
            self.peer()
        self.assertEqual(self.comparison().count, 10)

    def test_organisations_sharing_an_identifier_do_not_count(self):
        for _ in range(2):
            self.peer(siret="73282932000074")  # also the test organisations' SIRET
        for _ in range(10):
            self.peer()
        self.assertEqual(self.comparison().count, 10)

    def test_units_are_grouped_transitively(self):
        groups = smallcells.independent_units(
            [1, 2, 3, 4, 5], [(1, "a"), (2, "a"), (2, "b"), (3, "b"), (4, "c")],
            identifiers=[(5, "x"), (99, "x")])
        self.assertCountEqual(groups, [{1, 2, 3}, {4}])


class SnapshotTestCase(PeersTestCase):
    def test_every_reader_of_a_period_sees_the_same_numbers(self):
        for _ in range(11):
            self.peer("oui")
        first = self.comparison()
        for _ in range(5):
            self.peer("non")  # added during the period: nothing changes until the next
        self.assertEqual((self.comparison(kind="officine").score, first.score), (100, 100))
        later = peers.snapshot("officine", now=timezone.now() + timedelta(days=7))
        self.assertEqual((later.units, later.score), (16, 69))

    def test_two_processes_computing_at_once_agree(self):
        for _ in range(11):
            self.peer()
        start = peers.period_start()
        values = peers.compute("officine", start)
        PeerSnapshot.objects.create(kind="officine", period_start=start, **values)
        # A second process that missed the first one's row meets the unique constraint.
        self.assertEqual(PeerSnapshot.objects.filter(kind="officine").count(), 1)
        self.assertEqual(peers.snapshot("officine").score, values["score"])

    def test_periods_are_whole_weeks_from_a_monday(self):
        start = peers.period_start()
        self.assertEqual((start.weekday(), start.hour, start.minute), (0, 0, 0))
        self.assertLessEqual(start, timezone.now())
        self.assertGreater(start + timedelta(days=7), timezone.now())


@override_settings(PEER_EPSILON=1.0)
class DifferencingAttackTestCase(PeersTestCase):
    """The attacker reads only its own results pages, and knows its own scores."""

    def setUp(self):
        super().setUp()
        self.victim = self.peer("oui", kind="lbm")  # 100 everywhere but one theme
        assessment = self.victim.assessments.get()
        assessment.score, assessment.theme_scores["acces"] = 49.0, 0.0
        assessment.save()

    def create_lab_through_the_site(self, user, number):
        self.client.force_login(user)
        response = self.client.post(reverse("organisation_new"), {
            "name": f"Labo {number}", "kind": "lbm", "siret": valid_siret(50_000 + number),
            "size_band": "1-9"})
        self.assertEqual(response.status_code, 302, response.content[:500])
        organisation = user.memberships.get(organisation__name=f"Labo {number}").organisation
        make_assessment(organisation, all_answers("non"), completed_days_ago=BEFORE)
        return organisation

    def results_page(self, organisation):
        assessment = make_assessment(organisation, all_answers("non"))
        return self.client.get(reverse("assessment_results",
                                       args=[organisation.slug, assessment.pk]))

    def test_five_laboratories_of_one_account_see_no_average_at_all(self):
        attacker = make_user("attaquant@exemple.fr", with_mfa=True)
        labs = [self.create_lab_through_the_site(attacker, n) for n in range(5)]
        for lab in labs:
            response = self.results_page(lab)
            self.assertEqual(response.status_code, 200)
            self.assertNotContains(response, "radar__series--peers")
            self.assertContains(response, "apparaîtra dès que 11 structures indépendantes")
        # However many labs the account adds, they are one unit with the victim's two.
        self.assertEqual(peers.snapshot("lbm").units, 2)

    def test_ten_accounts_of_one_attacker_learn_nothing_useful(self):
        """Ten sybil accounts, one laboratory each: with the victim, 11 independent units.

        Subtracting their own known scores from the published mean leaves the victim's
        score plus 11 times the noise: wrong by about 100 points on average, period after
        period (40 periods here)."""
        attackers = [make_user(f"sybille{n}@exemple.fr", with_mfa=True) for n in range(10)]
        labs = [self.create_lab_through_the_site(user, n) for n, user in enumerate(attackers)]
        own_scores = [lab.assessments.get().score for lab in labs]
        errors = []
        for period in range(40):
            snapshot = peers.snapshot("lbm", now=timezone.now() + timedelta(days=7 * period))
            self.assertEqual(snapshot.units, 11)
            recovered = snapshot.score * 11 - sum(own_scores)
            errors.append(abs(recovered - 49.0))
        self.assertGreater(statistics.mean(errors), 30)
        # What the attack got before: within 0.3 point.
        self.assertGreater(sum(error > 5 for error in errors), 30)

    def test_noise_is_drawn_once_per_snapshot(self):
        attackers = [make_user(f"lecteur{n}@exemple.fr", with_mfa=True) for n in range(10)]
        for n, user in enumerate(attackers):
            self.create_lab_through_the_site(user, n)
        readings = {peers.snapshot("lbm").score for _ in range(20)}
        self.assertEqual(len(readings), 1)


class BuiltAheadTestCase(PeersTestCase):
    """The scheduler builds each period's snapshots, so that no reader pays for them."""

    def test_the_scheduler_builds_the_snapshot_of_every_kind_with_assessments(self):
        from pharmagarde.core import scheduler

        for _ in range(11):
            self.peer()
        self.peer(kind="lbm")
        self.assertTrue(scheduler.tick(worker="test"))
        self.assertEqual(set(PeerSnapshot.objects.values_list("kind", flat=True)),
                         {"officine", "lbm"})
        self.assertEqual(PeerSnapshot.objects.get(kind="officine").units, 11)

    def test_it_builds_nothing_twice_and_costs_two_queries_when_done(self):
        for _ in range(3):
            self.peer()
        self.assertEqual(peers.build_snapshots(), 1)
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(peers.build_snapshots(), 0)
        self.assertEqual(len(ctx.captured_queries), 2)  # the kinds, the snapshots there

    def test_a_reader_then_finds_it_in_one_query(self):
        for _ in range(11):
            self.peer()
        peers.build_snapshots()
        assessment = make_assessment(self.org, all_answers())
        with CaptureQueriesContext(connection) as ctx:
            selectors.peer_comparison(assessment, THEMES)
        self.assertEqual(len(ctx.captured_queries), 1)
