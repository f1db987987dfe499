"""The small-cell rules for tables (lib/smallcells.py), against an attacker who subtracts.

`exactly_determined` below is written from the definition, independently of the bridge
logic of the module: the additivity constraints of the table as linear equations over the
hidden cells, solved exactly with fractions; a hidden cell is recovered if and only if its
unit vector lies in the row space of those equations.
"""

import math
import random
from fractions import Fraction
from unittest import TestCase

from pharmagarde.lib.smallcells import (
    MAXIMUM_SHARE,
    MINIMUM_UNITS,
    PROTECTS_ANOTHER,
    TOTAL,
    Cell,
    determinable,
    primary_suppressed,
    publish_mean,
    publish_rate,
    share_of_largest,
    suppress_categories,
    suppress_linked,
    suppress_table,
)


def exactly_determined(hidden: set, keys: set) -> set:
    """The keys of `hidden` fixed by the shown ones, by Gaussian elimination.

    The model of the table: a row's inner cells sum to its margin, and so do a column's;
    a margin absent from `keys` is unknown (never published); an inner cell absent from
    `keys` is known; a line without inner cells says nothing."""
    return jointly_determined(hidden, [keys])


def jointly_determined(hidden: set, tables: list[set]) -> set:
    """`exactly_determined` for tables published together: their equations at once,
    a key being the same unknown in every table that has it. A table's missing margins
    are its own unknowns."""
    tables = [set(keys) | (set(hidden) & set(keys)) for keys in tables]
    lines_of, unknowns = [], set(hidden)
    for number, keys in enumerate(tables):
        rows = sorted({r for r, _c in keys if r != TOTAL}, key=repr)
        cols = sorted({c for _r, c in keys if c != TOTAL}, key=repr)
        margins = {(r, TOTAL) for r in rows} | {(TOTAL, c) for c in cols}
        if rows or cols:
            margins.add((TOTAL, TOTAL))
        phantoms = {key: ("unpublished", number, key) for key in margins - keys}
        unknowns |= set(phantoms.values())
        lines = [[(r, c) for c in cols] + [(r, TOTAL)] for r in [*rows, TOTAL]] if cols else []
        lines += [[(r, c) for r in rows] + [(TOTAL, c)] for c in [*cols, TOTAL]] if rows else []
        lines_of.append([[phantoms.get(key, key) for key in line] for line in lines])
    unknowns = sorted(unknowns, key=repr)
    index = {key: i for i, key in enumerate(unknowns)}
    equations = []
    for lines in lines_of:
        for *inner, margin in lines:
            equation = [Fraction(0)] * len(unknowns)
            for key in inner:
                if key in index:
                    equation[index[key]] += 1
            if margin in index:
                equation[index[margin]] -= 1
            if any(equation):
                equations.append(equation)
    found = set()
    for equation in _row_reduce(equations, len(unknowns)):
        nonzero = [i for i, value in enumerate(equation) if value]
        if len(nonzero) == 1 and unknowns[nonzero[0]] in hidden:
            found.add(unknowns[nonzero[0]])
    return found


def _row_reduce(matrix: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    """Reduced row echelon form: e_k is in the row space iff one of its rows is e_k."""
    matrix = [row[:] for row in matrix]
    pivot_row = 0
    for col in range(width):
        pivot = next((i for i in range(pivot_row, len(matrix)) if matrix[i][col]), None)
        if pivot is None:
            continue
        matrix[pivot_row], matrix[pivot] = matrix[pivot], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [value / lead for value in matrix[pivot_row]]
        for i, row in enumerate(matrix):
            if i != pivot_row and row[col]:
                factor = row[col]
                matrix[i] = [a - factor * b for a, b in zip(row, matrix[pivot_row], strict=True)]
        pivot_row += 1
    return matrix[:pivot_row]


def count_table(grid: list[list[int]], *, margins: bool = True) -> dict:
    """A table of counts of organisations (value = units), with its margins."""
    cells = {}
    for i, line in enumerate(grid):
        for j, count in enumerate(line):
            cells[(i, j)] = Cell(count, count)
    if margins:
        for i, line in enumerate(grid):
            cells[(i, TOTAL)] = Cell(sum(line), sum(line))
        for j in range(len(grid[0])):
            column = sum(line[j] for line in grid)
            cells[(TOTAL, j)] = Cell(column, column)
        grand = sum(map(sum, grid))
        cells[(TOTAL, TOTAL)] = Cell(grand, grand)
    return cells


def hidden_of(result: dict) -> set:
    return {key for key, reason in result.items() if reason}


def primary_only(cells: dict) -> set:
    """What a publisher who applies only the primary rules hides."""
    return {key for key, cell in cells.items() if primary_suppressed(cell)}


class PrimaryRulesTestCase(TestCase):
    def test_it_hides_ten_units_and_shows_eleven(self):
        self.assertEqual(MINIMUM_UNITS, 11)
        self.assertEqual(primary_suppressed(Cell(10, 10)), "moins de 11 structures")
        self.assertIsNone(primary_suppressed(Cell(11, 11)))
        self.assertEqual(primary_suppressed(Cell(1, 72.0)), "moins de 11 structures")

    def test_it_shows_a_cell_of_no_unit(self):
        # Nothing about any organisation; and it would be a poor cover for others.
        self.assertIsNone(primary_suppressed(Cell(0, 0)))
        self.assertIsNone(primary_suppressed(Cell(0, None)))

    def test_one_unit_over_85_percent_hides_a_cell_of_40_units(self):
        # Phishing: 40 organisations, one of which sent the campaign to 90 % of recipients.
        recipients = {"big": 900, **{f"small{i}": 100 / 39 for i in range(39)}}
        share = share_of_largest(recipients)
        self.assertAlmostEqual(share, 0.9)
        self.assertEqual(primary_suppressed(Cell(40, 12.5, share)),
                         "une structure pèse plus de 85\u00a0%")

    def test_exactly_85_percent_is_shown_and_just_over_is_hidden(self):
        self.assertEqual(MAXIMUM_SHARE, 0.85)
        exactly = share_of_largest({"big": 85, "others": 15})
        self.assertIsNone(primary_suppressed(Cell(40, 1.0, exactly)))
        self.assertIsNone(primary_suppressed(Cell(40, 1.0, share_of_largest({"a": 17, "b": 3}))))
        self.assertIsNotNone(primary_suppressed(Cell(40, 1.0, 0.8501)))

    def test_share_of_largest_of_nothing_is_zero(self):
        self.assertEqual(share_of_largest({}), 0.0)
        self.assertEqual(share_of_largest({"a": 0, "b": 0}), 0.0)
        self.assertEqual(share_of_largest({"a": 3}), 1.0)

    def test_the_thresholds_are_parameters(self):
        self.assertIsNone(primary_suppressed(Cell(3, 3), minimum=3))
        self.assertEqual(primary_suppressed(Cell(2, 2), minimum=3), "moins de 3 structures")
        self.assertEqual(primary_suppressed(Cell(20, 1, 0.7), maximum_share=0.6),
                         "une structure pèse plus de 60\u00a0%")


class SecondarySuppressionTestCase(TestCase):
    def assert_nothing_recoverable(self, cells: dict, result: dict):
        hidden = hidden_of(result)
        self.assertEqual(determinable(hidden, set(cells)), set())
        self.assertEqual(exactly_determined(hidden, set(cells)), set())
        self.assertLessEqual(primary_only(cells), hidden)
        self.assertEqual(set(result), set(cells))

    def test_a_single_small_cell_is_recovered_from_its_row_without_secondary_suppression(self):
        cells = count_table([[5, 20, 30], [40, 50, 60], [15, 25, 35]])
        naive = primary_only(cells)
        self.assertEqual(naive, {(0, 0)})
        # The row's total minus the two others: 55 - 20 - 30 = 5.
        self.assertEqual(determinable(naive, set(cells)), {(0, 0)})
        self.assertEqual(exactly_determined(naive, set(cells)), {(0, 0)})

        result = suppress_table(cells)
        self.assert_nothing_recoverable(cells, result)
        self.assertEqual(result[(0, 0)], "moins de 11 structures")
        secondary = {key for key, reason in result.items() if reason == PROTECTS_ANOTHER}
        self.assertTrue(secondary)
        # Inner cells are enough here: every margin stays shown.
        self.assertFalse({key for key in secondary if TOTAL in key})

    def test_two_small_cells_of_a_row_one_alone_in_its_column(self):
        cells = count_table([[4, 6, 30], [40, 50, 60], [15, 8, 35]])
        naive = primary_only(cells)
        self.assertEqual(naive, {(0, 0), (0, 1), (2, 1)})
        # Row 0 has two hidden cells, so a rule that counts hidden cells per row is content;
        # yet (0, 0) is alone in column 0, whose total gives it away, and then the rest.
        self.assertIn((0, 0), exactly_determined(naive, set(cells)))
        self.assertEqual(determinable(naive, set(cells)), exactly_determined(naive, set(cells)))

        result = suppress_table(cells)
        self.assert_nothing_recoverable(cells, result)

    def test_two_lines_of_two_hidden_cells_each_still_leak_through_a_bridge(self):
        # Two protected squares joined by one cell: every row and every column holds 0 or
        # at least 2 hidden cells, yet the joining cell is recovered.
        grid = [[30] * 4 for _ in range(4)]
        cells = count_table(grid)
        hidden = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
        self.assertEqual(determinable(hidden, set(cells)), {(1, 2)})
        self.assertEqual(exactly_determined(hidden, set(cells)), {(1, 2)})

    def test_a_row_total_under_11_is_hidden_with_its_cells(self):
        cells = count_table([[3, 4, 2], [40, 50, 60], [15, 25, 35]])
        naive = primary_only(cells)
        self.assertEqual(naive, {(0, 0), (0, 1), (0, 2), (0, TOTAL)})
        self.assertEqual(exactly_determined(naive, set(cells)), naive)

        result = suppress_table(cells)
        self.assert_nothing_recoverable(cells, result)
        self.assertEqual(result[(0, TOTAL)], "moins de 11 structures")

    def test_a_table_of_fewer_than_11_organisations_shows_nothing(self):
        cells = count_table([[1, 2], [3, 4]])
        result = suppress_table(cells)
        self.assertEqual(hidden_of(result), set(cells))
        self.assert_nothing_recoverable(cells, result)

    def test_a_one_by_one_table_hides_its_margins_too(self):
        # The cell, its row total, its column total and the grand total are one number.
        cells = count_table([[7]])
        self.assertEqual(hidden_of(suppress_table(cells)), set(cells))

    def test_a_dominated_cell_is_protected_like_a_small_one(self):
        cells = count_table([[40, 20, 30], [40, 50, 60], [15, 25, 35]])
        cells[(0, 0)] = Cell(40, 40, largest_share=0.9)
        result = suppress_table(cells)
        self.assertEqual(result[(0, 0)], "une structure pèse plus de 85\u00a0%")
        self.assert_nothing_recoverable(cells, result)

    def test_cells_of_no_unit_are_not_used_as_cover(self):
        # Hiding a known-empty cell protects nothing: whoever knows the cell is 0 subtracts.
        cells = count_table([[5, 0, 30], [0, 50, 60], [15, 25, 35]])
        result = suppress_table(cells)
        self.assert_nothing_recoverable(cells, result)
        self.assertIsNone(result[(0, 1)])
        self.assertIsNone(result[(1, 0)])

    def test_a_mean_table_protects_the_same_way(self):
        # « region → mean score »: the counts are shown, so sums follow from means.
        cells = {("Bretagne", TOTAL): Cell(6, 61.0), ("Occitanie", TOTAL): Cell(40, 55.0),
                 ("Normandie", TOTAL): Cell(25, 48.0), (TOTAL, TOTAL): Cell(71, 53.4)}
        result = suppress_table(cells)
        self.assertEqual(result[("Bretagne", TOTAL)], "moins de 11 structures")
        self.assertEqual(result[("Normandie", TOTAL)], PROTECTS_ANOTHER)
        self.assertIsNone(result[(TOTAL, TOTAL)])

    def test_it_is_deterministic(self):
        cells = count_table([[5, 20, 30, 12], [40, 3, 60, 18], [15, 25, 35, 2]])
        self.assertEqual(suppress_table(cells), suppress_table(dict(reversed(cells.items()))))

    def test_a_table_without_margins_needs_no_cover(self):
        # No total is published: nothing to subtract from.
        cells = count_table([[5, 20, 30], [40, 50, 60]], margins=False)
        self.assertEqual(hidden_of(suppress_table(cells)), {(0, 0)})

    def test_a_missing_inner_cell_counts_as_known(self):
        # A cell left out (published elsewhere, or empty) covers nothing.
        cells = count_table([[5, 20, 30], [40, 50, 60], [15, 25, 35]])
        del cells[(0, 1)]
        result = suppress_table(cells)
        self.assertNotIn((0, 1), result)
        self.assert_nothing_recoverable(cells, result)

    def test_a_key_that_is_not_a_pair_is_refused(self):
        with self.assertRaises(ValueError):
            suppress_table({"Bretagne": Cell(5, 5)})


def linked_pair(rng: random.Random) -> dict:
    """« profession × maturity » and « profession × region »: the same professions, their
    totals and the grand total shared."""
    professions = [f"p{i}" for i in range(rng.randint(1, 5))]
    tables = {}
    for name, width in (("maturity", rng.randint(1, 5)), ("region", rng.randint(1, 6))):
        grid = [[rng.choice([0, rng.randint(1, 10), rng.randint(11, 80)])
                 for _ in range(width)] for _ in professions]
        cells = count_table(grid)
        tables[name] = {(professions[r] if r != TOTAL else TOTAL,
                         f"{name}{c}" if c != TOTAL else TOTAL): cell
                        for (r, c), cell in cells.items()}
    # The two tables count the same organisations: the same totals.
    for profession in [*professions, TOTAL]:
        tables["region"][(profession, TOTAL)] = tables["maturity"][(profession, TOTAL)]
    return tables


class LinkedTablesTestCase(TestCase):
    def tables(self):
        maturity = count_table([[5, 20, 30], [40, 50, 60]])
        region = count_table([[25, 30], [70, 80]])
        region[(0, TOTAL)] = maturity[(0, TOTAL)]
        region[(1, TOTAL)] = maturity[(1, TOTAL)]
        region[(TOTAL, TOTAL)] = maturity[(TOTAL, TOTAL)]
        region = {(row, f"r{col}" if isinstance(col, int) else col): cell
                  for (row, col), cell in region.items()}
        return {"maturity": maturity, "region": region}

    def test_shared_margins_stay_shown_and_nothing_is_recoverable_jointly(self):
        tables = self.tables()
        results = suppress_linked(tables)
        for key in [(0, TOTAL), (1, TOTAL), (TOTAL, TOTAL)]:
            self.assertIsNone(results["maturity"][key])
            self.assertIsNone(results["region"][key])
        hidden = hidden_of(results["maturity"]) | hidden_of(results["region"])
        self.assertIn((0, 0), hidden)
        self.assertEqual(jointly_determined(hidden, [set(t) for t in tables.values()]), set())

    def test_a_shared_margin_too_small_is_refused(self):
        tables = self.tables()
        tables["maturity"][(0, TOTAL)] = tables["region"][(0, TOTAL)] = Cell(8, 8)
        with self.assertRaises(ValueError):
            suppress_linked(tables)

    def test_random_linked_tables_leak_nothing_jointly(self):
        rng = random.Random(2114)
        checked = 0
        for _ in range(150):
            tables = linked_pair(rng)
            try:
                results = suppress_linked(tables)
            except ValueError:
                continue  # a profession under 11: to be merged by the caller
            checked += 1
            hidden = set().union(*(hidden_of(result) for result in results.values()))
            self.assertEqual(jointly_determined(hidden, [set(t) for t in tables.values()]),
                             set())
        self.assertGreater(checked, 30)


class CategoriesTestCase(TestCase):
    def test_one_small_category_hides_the_smallest_other_and_keeps_the_total(self):
        cells = {"Bretagne": Cell(5, 5), "Normandie": Cell(14, 14), "Occitanie": Cell(30, 30),
                 "Corse": Cell(12, 12), TOTAL: Cell(61, 61)}
        naive = {("Bretagne", TOTAL)}
        keys = {(category, TOTAL) for category in cells}
        self.assertEqual(exactly_determined(naive, keys), naive)

        result = suppress_categories(cells)
        self.assertEqual(result["Bretagne"], "moins de 11 structures")
        self.assertEqual(result["Corse"], PROTECTS_ANOTHER)
        self.assertIsNone(result["Normandie"])
        self.assertIsNone(result["Occitanie"])
        self.assertIsNone(result[TOTAL])
        hidden = {(category, TOTAL) for category, reason in result.items() if reason}
        self.assertEqual(exactly_determined(hidden, keys), set())

    def test_a_list_keyed_as_one_column_gives_the_same(self):
        counts = {"Bretagne": 5, "Normandie": 14, "Corse": 12, TOTAL: 31}
        cells = {(region, "structures"): Cell(n, n) for region, n in counts.items()}
        result = suppress_table(cells)
        self.assertEqual(hidden_of(result), {("Bretagne", "structures"), ("Corse", "structures")})
        self.assertEqual(exactly_determined(hidden_of(result), set(cells)), set())

    def test_two_small_categories_cover_each_other(self):
        cells = {"a": Cell(5, 5), "b": Cell(7, 7), "c": Cell(30, 30), TOTAL: Cell(42, 42)}
        result = suppress_categories(cells)
        self.assertEqual({k for k, reason in result.items() if reason}, {"a", "b"})

    def test_a_list_without_its_total_hides_only_the_small(self):
        result = suppress_categories({"a": Cell(5, 5), "b": Cell(30, 30)})
        self.assertEqual(result, {"a": "moins de 11 structures", "b": None})

    def test_a_small_total_hides_everything(self):
        result = suppress_categories({"a": Cell(5, 5), "b": Cell(4, 4), TOTAL: Cell(9, 9)})
        self.assertTrue(all(result.values()))


class RandomTablesTestCase(TestCase):
    def random_table(self, rng: random.Random) -> dict:
        rows, cols = rng.randint(1, 6), rng.randint(1, 8)
        grid = [[rng.choice([0, rng.randint(1, 10), rng.randint(11, 80), rng.randint(11, 80)])
                 for _ in range(cols)] for _ in range(rows)]
        cells = count_table(grid)
        for key in list(cells):
            if cells[key].units and rng.random() < 0.05:  # a dominant unit
                cells[key] = Cell(cells[key].units, cells[key].value, 0.9)
        if rng.random() < 0.15:  # some margins not published
            for key in [key for key in cells if TOTAL in key]:
                if rng.random() < 0.5:
                    del cells[key]
        return cells

    def test_the_bridges_agree_with_linear_algebra(self):
        rng = random.Random(14)
        for _ in range(300):
            cells = self.random_table(rng)
            hidden = {key for key in cells if rng.random() < 0.3}
            self.assertEqual(determinable(hidden, set(cells)),
                             exactly_determined(hidden, set(cells)), sorted(cells, key=repr))

    def test_no_hidden_cell_is_ever_recoverable(self):
        rng = random.Random(1114)
        for _ in range(300):
            cells = self.random_table(rng)
            result = suppress_table(cells)
            hidden = hidden_of(result)
            self.assertLessEqual(primary_only(cells), hidden)
            self.assertEqual(exactly_determined(hidden, set(cells)), set(),
                             sorted(cells.items(), key=repr))
            self.assertEqual(determinable(hidden, set(cells)), set())
            for key in hidden - primary_only(cells):
                self.assertEqual(result[key], PROTECTS_ANOTHER)


class FixedDraw:
    """A random source that always returns the same uniform draw."""

    def __init__(self, uniform: float):
        self.uniform = uniform

    def random(self) -> float:
        return self.uniform


NO_NOISE = FixedDraw(0.5)
# The draw for which Laplace noise equals its scale exactly: -log(1 - 2|u - 0.5|) = 1.
ONE_SCALE = FixedDraw(0.5 + (1 - math.exp(-1)) / 2)


class PublishRateTestCase(TestCase):
    def test_it_pools_numerators_and_denominators(self):
        # 1 click out of 1 and 0 out of 99: 1 %, not the mean of the rates (50 %).
        pairs = [(1, 1), (0, 99)] + [(5, 100)] * 9
        self.assertEqual(publish_rate(pairs, rng=NO_NOISE).value, round(100 * 46 / 1000))

    def test_it_hides_ten_units_and_shows_eleven(self):
        self.assertEqual(publish_rate([(1, 10)] * 10, rng=NO_NOISE).value, None)
        self.assertEqual(publish_rate([(1, 10)] * 10, rng=NO_NOISE).units, 10)
        self.assertEqual(publish_rate([(1, 10)] * 11, rng=NO_NOISE).value, 10)

    def test_a_unit_without_denominator_does_not_count(self):
        published = publish_rate([(1, 10)] * 10 + [(0, 0)] * 5, rng=NO_NOISE)
        self.assertEqual(published.units, 10)
        self.assertFalse(published.shown)

    def test_one_unit_over_85_percent_of_recipients_hides_the_rate(self):
        # 40 organisations, one of which had 90 % of the recipients.
        dominated = [(300, 3510)] + [(2, 10)] * 39
        self.assertFalse(publish_rate(dominated, rng=NO_NOISE).shown)
        exactly = [(0, 85)] + [(0, 1)] * 15
        self.assertTrue(publish_rate(exactly, rng=NO_NOISE).shown)
        over = [(0, 86)] + [(0, 1)] * 14
        self.assertFalse(publish_rate(over, rng=NO_NOISE).shown)

    def test_the_noise_is_scaled_to_the_largest_unit(self):
        # Every rate 0; one unit of 50 recipients, ten of 10: the largest can move the rate
        # by 100 × 50 / 150 points, and that is the noise's scale (not 100 / 150).
        pairs = [(0, 50)] + [(0, 10)] * 10
        self.assertEqual(publish_rate(pairs, rng=ONE_SCALE).value, round(100 * 50 / 150))
        self.assertEqual(publish_rate(pairs, rng=ONE_SCALE, epsilon=2).value,
                         round(100 * 50 / 150 / 2))

    def test_equal_units_get_the_noise_of_a_mean(self):
        rate = publish_rate([(0, 10)] * 11, rng=ONE_SCALE)
        mean = publish_mean([0.0] * 11, rng=ONE_SCALE)
        self.assertEqual(rate, mean)
        self.assertEqual(rate.value, round(100 / 11))

    def test_the_noisy_rate_stays_a_percentage(self):
        self.assertEqual(publish_rate([(10, 10)] * 11, rng=ONE_SCALE).value, 100)
        self.assertEqual(publish_rate([(0, 10)] * 11, rng=FixedDraw(0.01)).value, 0)

    def test_the_noise_is_drawn_from_the_given_source(self):
        pairs = [(3, 20)] * 30
        first = publish_rate(pairs, rng=random.Random(5)).value
        self.assertEqual(first, publish_rate(pairs, rng=random.Random(5)).value)
        values = {publish_rate(pairs, rng=random.Random(seed)).value for seed in range(40)}
        self.assertGreater(len(values), 1)

    def test_a_numerator_over_its_denominator_is_refused(self):
        with self.assertRaises(ValueError):
            publish_rate([(11, 10)] * 11)
        with self.assertRaises(ValueError):
            publish_rate([(-1, 10)] * 11)


class GeometricNoiseTestCase(TestCase):
    def test_whole_symmetric_draws_of_the_right_spread(self):
        from pharmagarde.lib.smallcells import geometric

        rng = random.Random(11)
        draws = [geometric(1.0, rng=rng) for _ in range(20000)]
        self.assertTrue(all(isinstance(draw, int) for draw in draws))
        self.assertLess(abs(sum(draws) / len(draws)), 0.05)
        # P(0) = (1 − e^−1) / (1 + e^−1) ≈ 0.462.
        self.assertAlmostEqual(draws.count(0) / len(draws), 0.462, delta=0.02)
        self.assertAlmostEqual(draws.count(1) / len(draws), draws.count(-1) / len(draws),
                               delta=0.02)

    def test_no_noise_when_epsilon_is_huge(self):
        from pharmagarde.lib.smallcells import geometric

        self.assertEqual({geometric(1e9, rng=random.Random(n)) for n in range(50)}, {0})
