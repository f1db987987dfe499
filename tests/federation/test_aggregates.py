"""The small-cell rules of the federation's snapshot, with adversarial cases: the attacker
who controls 10 of 11 members, the organisation with 90 % of the phishing recipients, a
profession of 3 members and the totals that would give it away."""

from datetime import timedelta

from django.test import TestCase, override_settings
from django.utils import timezone

from pharmagarde.diagnostic.models import Assessment
from pharmagarde.federation import aggregates, snapshots, values
from pharmagarde.federation.aggregates import Unit
from pharmagarde.lib import smallcells
from tests.base import make_user
from tests.lib.test_smallcells_tables import jointly_determined

from .helpers import current_start, make_federation, make_member_org, published_keys

CLICK = "awareness.phishing_click"


def units(n, *, kind="officine", score=70.0, **values_):
    return [Unit(kind, "BRE", "1-9", {aggregates.SCORE_KEY: score, **values_})
            for _ in range(n)]


class AttackerTestCase(TestCase):
    """An attacker controls 10 of the 11 members and wants the 11th's score."""

    @classmethod
    def setUpTestData(cls):
        cls.federation, _people = make_federation()
        cls.victim = make_member_org(1, score=23.0, federation=cls.federation)
        cls.attacker = make_user("attaquant@example.org")
        # Ten organisations, each created by its own account the attacker holds.
        cls.puppets = [make_member_org(n, score=90.0, federation=cls.federation)
                       for n in range(2, 12)]

    def test_the_mean_carries_noise_drawn_once(self):
        exact = round((23 + 10 * 90) / 11)
        with override_settings(PEER_EPSILON=1.0):
            drawn = {snapshots.compute(self.federation.pk, current_start())["means"]
                     ["overall"]["value"] for _ in range(25)}
            first = snapshots.snapshot(self.federation)
            again = snapshots.snapshot(self.federation)
        self.assertGreater(len(drawn), 3, "the mean must not be exact")
        self.assertTrue(any(value != exact for value in drawn))
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(first.data, again.data)

    def test_changing_their_own_data_within_the_period_moves_nothing(self):
        before = snapshots.snapshot(self.federation)
        for puppet in self.puppets:
            Assessment.objects.create(
                organisation=puppet, referential_version="2026.1", organisation_kind="officine",
                size_band="1-9", status=Assessment.Status.COMPLETED,
                completed_at=timezone.now(), score=0.0)
        self.assertEqual(snapshots.snapshot(self.federation).data, before.data)
        # Even computed afresh, the period reads the values as of its start.
        fresh = snapshots.compute(self.federation.pk, current_start())
        self.assertEqual(fresh["means"], before.data["means"])

    def test_members_who_join_during_the_period_wait_for_the_next(self):
        late = make_member_org(40, score=0.0, federation=self.federation,
                               joined=timezone.now())
        data = snapshots.compute(self.federation.pk, current_start())
        self.assertEqual(data["units"], 11)
        later = current_start() + timedelta(days=7, seconds=1)
        self.assertEqual(len(snapshots.units_of(self.federation.pk, later)), 12)
        self.assertIsNotNone(late)

    def test_organisations_of_one_account_are_one_unit(self):
        owner = make_user("multi@example.org")
        for n in range(50, 55):
            make_member_org(n, score=0.0, federation=self.federation, creator=owner)
        self.assertEqual(len(snapshots.units_of(self.federation.pk, current_start())), 12)

    def test_ten_members_publish_nothing(self):
        self.victim.delete()
        data = snapshots.compute(self.federation.pk, current_start())
        self.assertIsNone(data["means"]["overall"]["value"])
        self.assertEqual(data["means"]["overall"]["reason"], aggregates.FEW)
        self.assertIsNone(data["distributions"]["kind"]["grand"]["value"])


class FixedDraw:
    """A random source that always draws `uniform`."""

    def __init__(self, uniform: float):
        self.uniform = uniform

    def random(self) -> float:
        return self.uniform


class RulesTestCase(TestCase):
    def catalogue(self):
        return values.catalogue()

    def test_an_organisation_with_90_percent_of_recipients_hides_the_phishing_rate(self):
        crowd = units(11, **{CLICK: [1, 10]})
        big = Unit("officine", "BRE", "1-9", {aggregates.SCORE_KEY: 50.0, CLICK: [300, 1000]})
        data = aggregates.compute([*crowd, big], self.catalogue(), epsilon=1e9)
        self.assertIsNone(data["rates"][CLICK]["overall"]["value"])
        self.assertEqual(data["rates"][CLICK]["overall"]["reason"], aggregates.DOMINANT)
        # Without it, the rate is published.
        data = aggregates.compute(crowd, self.catalogue(), epsilon=1e9)
        self.assertEqual(data["rates"][CLICK]["overall"]["value"], 10)

    def test_pooled_rates_are_smallcells_publish_rate(self):
        """One implementation: the same pairs and the same draw give the same figure, the
        noise of the largest unit's weight (one officine of 50 recipients among 10 of 5)."""
        pairs = [(1, 5)] * 10 + [(40, 50)]
        found = [Unit("officine", "BRE", "1-9", {CLICK: list(pair)}) for pair in pairs]
        for uniform in (0.1, 0.3, 0.5, 0.9):
            data = aggregates.compute(found, self.catalogue(), epsilon=1.0,
                                      rng=FixedDraw(uniform))
            expected = smallcells.publish_rate(pairs, epsilon=1.0, rng=FixedDraw(uniform))
            self.assertEqual(data["rates"][CLICK]["overall"]["value"], expected.value)
        # A draw of 0.1 moves the rate by 100 × 50/100 × ln(0.2) points, not by the
        # 100/100 × ln(0.2) that would protect one recipient rather than one officine.
        data = aggregates.compute(found, self.catalogue(), epsilon=1.0, rng=FixedDraw(0.1))
        self.assertEqual(data["rates"][CLICK]["overall"]["value"], 0)

    def test_a_rate_of_ten_units_says_too_few(self):
        found = [Unit("officine", "BRE", "1-9", {CLICK: [1, 5]}) for _ in range(10)]
        figure = aggregates.compute(found, self.catalogue())["rates"][CLICK]["overall"]
        self.assertEqual((figure["value"], figure["units"], figure["reason"]),
                         (None, None, aggregates.FEW))

    def test_a_profession_of_three_is_hidden_and_its_complement_too(self):
        found = units(12, score=70.0) + units(8, score=50.0) + units(3, kind="lbm",
                                                                       score=70.0)
        data = aggregates.compute(found, self.catalogue(), epsilon=1e9)
        table = data["distributions"]["kind"]
        rows = {row["key"]: row for row in table["rows"]}
        # « Hidden », not « fewer than 11 »: the range 1…10 would help solve the table.
        self.assertEqual(rows["lbm"]["total"]["reason"], aggregates.HIDDEN)
        # 23 in all and 20 officines say 3: the federation knows it from its member list
        # anyway, so the row totals are never hidden to cover another; the levels are.
        self.assertEqual(rows["officine"]["total"]["value"], 20)
        self.assertEqual(table["grand"]["value"], 23)
        tables, hidden = published_keys(data["distributions"])
        self.assertEqual(jointly_determined(hidden, tables), set())
        self.assertIsNone(data["means"]["kind"]["lbm"]["value"])
        self.assertIsNotNone(data["means"]["kind"]["officine"]["value"])

    def test_a_hidden_figure_keeps_no_count(self):
        found = units(12, score=70.0) + units(8, score=50.0) + units(3, kind="lbm",
                                                                       score=70.0)
        data = aggregates.compute(found, self.catalogue(), epsilon=1e9)
        hidden = [figure for table in data["distributions"].values()
                  for row in table["rows"] for figure in [*row["cells"], row["total"]]
                  if figure["value"] is None]
        hidden += [data["means"]["kind"]["lbm"]]
        self.assertTrue(hidden)
        for figure in hidden:
            self.assertEqual(figure["units"], None, figure)
            self.assertTrue(figure["reason"])

    def test_the_overdue_share_is_published_as_a_noised_mean(self):
        overdue = "actions.overdue_share"
        found = units(12, **{overdue: 30.0}) + units(3, kind="lbm", **{overdue: 90.0})
        data = aggregates.compute(found, self.catalogue(), epsilon=1e9)
        published = data["scores"][overdue]
        self.assertEqual(published["overall"]["value"], 42)
        self.assertEqual(published["kind"]["officine"]["value"], 30)
        self.assertEqual((published["kind"]["lbm"]["value"], published["kind"]["lbm"]["reason"]),
                         (None, aggregates.FEW))
        few = aggregates.compute(units(10, **{overdue: 30.0}), self.catalogue(), epsilon=1e9)
        self.assertIsNone(few["scores"][overdue]["overall"]["value"])
        self.assertNotIn(aggregates.SCORE_KEY, data["scores"])

    def test_the_same_units_get_the_same_draw(self):
        import random

        found = units(11, score=61.0, **{CLICK: [2, 10]})
        data = aggregates.compute(found, self.catalogue(), epsilon=1.0, rng=random.Random(7))
        means = data["means"]
        figures = [means["overall"], means["kind"]["officine"], means["region"]["BRE"],
                   means["size_band"]["1-9"]]
        self.assertEqual(len({figure["value"] for figure in figures}), 1, figures)
        rate = data["rates"][CLICK]
        self.assertEqual(rate["overall"], rate["kind"]["officine"])
        # Different sets of units are drawn apart.
        mixed = found + units(11, kind="lbm", score=61.0)
        data = aggregates.compute(mixed, self.catalogue(), epsilon=1.0, rng=random.Random(7))
        values_ = {data["means"]["overall"]["value"], data["means"]["kind"]["lbm"]["value"],
                   data["means"]["kind"]["officine"]["value"]}
        self.assertGreater(len(values_), 1)

    def test_a_member_who_joins_does_not_show_its_level_in_the_totals(self):
        """40 units in a period, the same and one « avancé » newcomer in the next: with
        exact counts the column totals moved by exactly (0, …, 0, +1)."""
        import random

        def population():
            return (units(14, score=30.0) + units(13, score=50.0) + units(13, score=70.0))

        def totals(found, seed):
            data = aggregates.compute(found, self.catalogue(), epsilon=1.0,
                                      rng=random.Random(seed))
            table = data["distributions"]["kind"]
            return [cell["value"] for cell in table["totals"]], table

        exact = aggregates.compute(population() + units(1, score=90.0), self.catalogue(),
                                   epsilon=1e9)["distributions"]["kind"]
        self.assertEqual(len(exact["columns"]), 4 - 1)  # « avancé » merged with « établi »
        indicator = [0, 0, 1]
        same = 0
        for trial in range(200):
            before, _table = totals(population(), 2 * trial)
            after, table = totals(population() + units(1, score=90.0), 2 * trial + 1)
            difference = [b - a for a, b in zip(before, after, strict=True)]
            same += difference == indicator
            # The tables still add up, and nothing is negative.
            for row in table["rows"]:
                self.assertEqual(sum(c["value"] for c in row["cells"]), row["total"]["value"])
                self.assertTrue(all(c["value"] >= 0 for c in row["cells"]))
            self.assertEqual(sum(after), table["grand"]["value"])
        # One draw in five at most (0.46³ ≈ 0.1 by chance alone), not every time.
        self.assertLess(same, 40)

    def test_the_three_tables_share_one_draw_of_the_totals(self):
        import random

        found = (units(14, score=30.0) + units(13, kind="lbm", score=50.0)
                 + units(13, score=70.0))
        data = aggregates.compute(found, self.catalogue(), epsilon=1.0, rng=random.Random(3))
        tables = data["distributions"].values()
        self.assertEqual(len({tuple(c["value"] for c in t["totals"]) for t in tables}), 1)
        self.assertEqual(len({t["grand"]["value"] for t in tables}), 1)

    def test_levels(self):
        self.assertEqual([aggregates.level_of(s) for s in (0, 39.9, 40, 59.9, 60, 79.9, 80,
                                                           100)],
                         ["initial", "initial", "progres", "progres", "etabli", "etabli",
                          "avance", "avance"])

    def test_the_most_frequent_gaps_need_eleven_units_each(self):
        theme = aggregates.THEME_PREFIX + "sauvegardes"
        rare = aggregates.THEME_PREFIX + "wifi"
        found = units(11, **{theme: 20.0})
        for unit in found[:5]:
            unit.values[rare] = 10.0
        data = aggregates.compute(found, self.catalogue(), epsilon=1e9)
        self.assertEqual([gap["key"] for gap in data["gaps"]], [theme])
        self.assertEqual(data["gaps"][0]["value"], 100)

    def test_shares_and_pooled_rates(self):
        found = units(12, **{"continuity.restore_fresh": True,
                             "awareness.training_done": [3, 4]})
        for unit in found[:6]:
            unit.values["continuity.restore_fresh"] = False
        data = aggregates.compute(found, self.catalogue(), epsilon=1e9)
        self.assertEqual(data["shares"]["continuity.restore_fresh"]["value"], 50)
        self.assertEqual(data["rates"]["awareness.training_done"]["overall"]["value"], 75)
        self.assertIsNone(data["rates"]["awareness.training_done"]["kind"].get("lbm"))


class RemoteSybilTestCase(TestCase):
    """A federation adds 44 « members » of another server (keys it made itself, eleven at
    each level) and one real member of this server: its level must not show."""

    @classmethod
    def setUpTestData(cls):
        from pharmagarde.federation.models import Contribution, FederationMember

        cls.federation, _people = make_federation()
        cls.target = make_member_org(1, score=85.0, federation=cls.federation)
        long_ago = timezone.now() - timedelta(days=60)
        for n in range(44):
            fake = FederationMember.objects.create(
                organisation=cls.federation, status=FederationMember.Status.MEMBER,
                public_key=f"k{n}", key_fingerprint=f"{n:064d}", kind="officine",
                region="BRE", size_band="1-9", answered_at=long_ago)
            Contribution.objects.create(
                organisation=cls.federation, federation_member=fake, as_of=long_ago,
                values={aggregates.SCORE_KEY: (30.0, 50.0, 70.0, 90.0)[n % 4]}, document="{}")

    def test_the_fakes_make_nothing_publishable(self):
        import random

        data = snapshots.compute(self.federation.pk, current_start(), rng=random.Random(5))
        self.assertEqual(data["units"], 45)
        for distribution in data["distributions"].values():
            for row in distribution["rows"]:
                for figure in [*row["cells"], row["total"]]:
                    self.assertIsNone(figure["value"], row)
            for figure in [*distribution["totals"], distribution["grand"]]:
                self.assertIsNone(figure["value"])
        self.assertIsNone(data["means"]["overall"]["value"])
        self.assertIsNone(data["means"]["kind"]["officine"]["value"])

    def test_remote_units_count_in_the_values_once_eleven_are_local(self):
        for n in range(2, 12):
            make_member_org(n, score=85.0, federation=self.federation)
        data = snapshots.compute(self.federation.pk, current_start(), rng=None)
        self.assertEqual(data["units"], 55)
        # Eleven local units, all « avancé »: one column, the totals only, counting all.
        kinds = data["distributions"]["kind"]
        self.assertEqual(len(kinds["columns"]), 1)
        self.assertIsNotNone(kinds["grand"]["value"])
        self.assertIsNotNone(data["means"]["overall"]["value"])


class CarriedNoiseTestCase(TestCase):
    """Unchanged units and values from one period to the next: the same figures, not a
    new draw each period (twelve draws of one mean average the noise away)."""

    @classmethod
    def setUpTestData(cls):
        cls.federation, _people = make_federation()
        for n in range(1, 13):
            make_member_org(n, score=40.0 + 3 * n, federation=cls.federation)

    def snapshot(self, start, seed):
        import random

        from pharmagarde.federation.models import Snapshot

        data = snapshots.compute(self.federation.pk, start, rng=random.Random(seed))
        Snapshot.objects.create(organisation=self.federation, period_start=start, data=data,
                                units=data["units"])
        return data

    def test_an_unchanged_period_publishes_the_same_figures(self):
        first = current_start() - timedelta(days=21)
        before = self.snapshot(first, 1)
        after = self.snapshot(first + timedelta(days=7), 2)
        self.assertEqual(after["means"], before["means"])
        self.assertEqual(after["distributions"], before["distributions"])
        # Without the previous snapshot the second seed draws other figures.
        import random

        fresh = snapshots.aggregates.compute(
            snapshots.units_of(self.federation.pk, first), values.catalogue(),
            epsilon=1.0, rng=random.Random(2))
        self.assertNotEqual(fresh["means"]["overall"], before["means"]["overall"])
        self.assertTrue(all(len(key) == 64 for key in after["draws"]))

    def test_a_changed_value_is_drawn_again(self):
        first = current_start() - timedelta(days=21)
        before = self.snapshot(first, 1)
        Assessment.objects.filter(organisation__slug="membre-1").update(score=99.0)
        after = self.snapshot(first + timedelta(days=7), 2)
        self.assertNotEqual(after["means"]["overall"], before["means"]["overall"])
