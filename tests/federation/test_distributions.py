"""The three distribution tables (profession, region and size band × maturity level)
published together: they share the level totals and the grand total, so each protected
alone leaks against the others; levels under 11 are merged; a row whose units all share
one level does not say it. Checked with the exact solver of the smallcells tests
(jointly_determined: every table's equations at once)."""

import random
from unittest import TestCase

from pharmagarde.federation import aggregates, selectors, values
from pharmagarde.federation.aggregates import Unit
from pharmagarde.lib import smallcells
from pharmagarde.lib.smallcells import TOTAL
from tests.lib.test_smallcells_tables import jointly_determined

from .helpers import published_keys

LEVELS = [key for key, _lowest in aggregates.LEVELS]
SCORES = {"initial": 30.0, "progres": 50.0, "etabli": 70.0, "avance": 90.0}


def population(spec: dict) -> list[Unit]:
    """Units from {(kind, region, size band, level): how many}."""
    return [Unit(kind, region, size, {aggregates.SCORE_KEY: SCORES[level]})
            for (kind, region, size, level), count in spec.items() for _ in range(count)]


def publish(units: list[Unit]) -> dict:
    return aggregates.compute(units, values.catalogue(), epsilon=1e9)["distributions"]


def effectively_hidden(results: dict) -> set:
    """A key shown in any table is known to whoever reads them all."""
    keys = set().union(*(set(result) for result in results.values()))
    return {key for key in keys if all(result[key] for result in results.values()
                                       if key in result)}


def rows(distribution: dict) -> dict:
    return {row["key"]: row for row in distribution["rows"]}


class LinkedTablesTestCase(TestCase):
    # Eleven officines in Pays de la Loire and two laboratories in Bretagne, all
    # « initial », and one officine of Bretagne « avancé ».
    SPEC = {("officine", "PDL", "1-9", "initial"): 11, ("lbm", "BRE", "1-9", "initial"): 2,
            ("officine", "BRE", "1-9", "avance"): 1}

    def categories_and_levels(self):
        units = population(self.SPEC)
        return ([(u.kind, u.region, u.size_band) for u in units],
                [aggregates.level_of(u.values[aggregates.SCORE_KEY]) for u in units])

    def test_each_table_protected_alone_leaks_against_the_others(self):
        """Before: the region table hides its grand total to protect Bretagne (3), the
        profession table shows it (14); 14 − 11 gives Bretagne away."""
        categories, levels = self.categories_and_levels()
        tables = aggregates.count_tables(categories, levels,
                                         columns=[(level,) for level in LEVELS],
                                         merge_rule=False)
        results = {d: smallcells.suppress_table(cells) for d, cells in tables.cells.items()}
        for dimension, result in results.items():  # each table is safe on its own
            hidden = {key for key, reason in result.items() if reason}
            self.assertEqual(smallcells.determinable(hidden, set(tables.cells[dimension])),
                             set(), dimension)
        leaked = jointly_determined(effectively_hidden(results),
                                    [set(cells) for cells in tables.cells.values()])
        self.assertIn((("region", "BRE"), TOTAL), leaked)

    def test_published_together_nothing_leaks(self):
        found = publish(population(self.SPEC))
        tables, hidden = published_keys(found)
        self.assertEqual(jointly_determined(hidden, tables), set())
        # Bretagne's 3 is hidden; Pays de la Loire's 11 is not hidden to cover it: the
        # federation knows both from its member list.
        self.assertIsNone(rows(found["region"])["BRE"]["total"]["value"])
        self.assertEqual(rows(found["region"])["PDL"]["total"]["value"], 11)
        # The shared totals are shown, the same in the three tables.
        for distribution in found.values():
            self.assertEqual(distribution["grand"]["value"], 14)
            self.assertEqual([cell["value"] for cell in distribution["totals"]], [14])

    def test_without_merging_the_small_level_suppress_linked_refuses(self):
        categories, levels = self.categories_and_levels()
        tables = aggregates.count_tables(categories, levels,
                                         columns=[(level,) for level in LEVELS])
        with self.assertRaises(ValueError):
            smallcells.suppress_linked(tables.cells)

    def test_random_populations_leak_nothing_jointly(self):
        rng = random.Random(1402)
        for _ in range(120):
            spec = {}
            for kind in ("officine", "lbm", "pui")[:rng.randint(1, 3)]:
                for region in ("BRE", "PDL", "NOR", "")[:rng.randint(1, 4)]:
                    for size in ("1-9", "10-49")[:rng.randint(1, 2)]:
                        for level in LEVELS:
                            spec[(kind, region, size, level)] = rng.choice(
                                [0, 0, rng.randint(1, 5), rng.randint(3, 20)])
            units = population(spec)
            found = publish(units)
            tables, hidden = published_keys(found)
            self.assertEqual(jointly_determined(hidden, tables), set(), spec)
            for distribution in found.values():
                self.assertEqual(distribution["columns"], found["kind"]["columns"])
                for row in distribution["rows"]:
                    figures = [*row["cells"], row["total"]]
                    for figure in figures:
                        self.assertFalse(0 < (figure["value"] or 0) < 11, spec)
                        if figure["value"] is None:
                            self.assertIsNone(figure["units"], spec)
                    shown = [cell["value"] for cell in row["cells"]]
                    if len(shown) > 1 and None not in shown:
                        self.assertGreater(sum(1 for value in shown if value), 1, spec)
                if len(units) >= 11:
                    self.assertIsNotNone(distribution["grand"]["value"])
                    for cell in distribution["totals"]:
                        self.assertIsNotNone(cell["value"], spec)


class LevelColumnsTestCase(TestCase):
    def test_a_small_level_joins_its_non_empty_neighbour(self):
        # A level of no unit is merged too: otherwise the first member to reach it would
        # change the columns of the next snapshot.
        self.assertEqual(aggregates.level_columns({"initial": 30, "progres": 5,
                                                  "etabli": 0, "avance": 40}),
                         [("initial", "progres", "etabli"), ("avance",)])
        self.assertEqual(aggregates.level_columns({"initial": 5, "progres": 0,
                                                  "etabli": 30, "avance": 40}),
                         [("initial", "progres", "etabli"), ("avance",)])
        self.assertEqual(aggregates.level_columns({"initial": 11, "progres": 12,
                                                  "etabli": 0, "avance": 30}),
                         [("initial",), ("progres", "etabli"), ("avance",)])
        self.assertEqual(aggregates.level_columns({"initial": 11, "progres": 12,
                                                  "etabli": 1, "avance": 30}),
                         [("initial",), ("progres", "etabli"), ("avance",)])

    def test_all_units_in_one_column_make_one_column(self):
        self.assertEqual(aggregates.level_columns({"progres": 30}), [tuple(LEVELS)])
        self.assertEqual(aggregates.level_columns({"progres": 20, "etabli": 4}),
                         [tuple(LEVELS)])

    def test_the_labels_say_the_merged_range(self):
        self.assertEqual(selectors.column_label(("initial", "progres")),
                         "initial ou en progrès (moins de 60)")
        self.assertEqual(selectors.column_label(("progres", "etabli", "avance")),
                         "en progrès à avancé (40 et plus)")
        self.assertEqual(selectors.column_label(("etabli",)), "établi (60 à 79)")
        self.assertEqual(selectors.column_label(tuple(LEVELS)),
                         "tous les niveaux (de 0 à 100)")
        self.assertEqual(selectors.column_label(("initial", "progres"), short=True),
                         "initial ou en progrès")

    def test_a_snapshot_made_before_merging_reads_one_level_a_column(self):
        self.assertEqual(selectors.level_columns({"totals": []}), [(k,) for k in LEVELS])


def integer_solutions(table: dict, sizes: dict[str, int], *, few=(1, 10)) -> list[dict]:
    """Every assignment {category: units per column} that agrees with one published
    table, for a reader who knows each category's number of units (the federation's
    member list) and the published reasons: a shown cell is exact, a FEW cell holds
    `few` units (1 to 10), any hidden cell at least 0; counts are whole and non-negative;
    the column totals shown are exact. Brute force, for small tables."""
    width = len(table["columns"])
    totals = [cell["value"] for cell in table["totals"]]
    groups = []
    for row in table["rows"]:
        keys = row["merged"] if row.get("merged") else [row["key"]]
        bounds = []
        for cell in row["cells"]:
            if cell["value"] is not None:
                bounds.append((cell["value"], cell["value"]))
            elif cell["reason"] == aggregates.FEW:
                bounds.append(few)
            else:
                bounds.append((0, 10**6))
        groups.append((keys, bounds))
    order = [key for keys, _bounds in groups for key in keys]
    last_of = {keys[-1]: (keys, bounds) for keys, bounds in groups}

    def splits(total, room):
        if len(room) == 1:
            if total <= room[0]:
                yield (total,)
            return
        for first in range(min(total, room[0]) + 1):
            for rest in splits(total - first, room[1:]):
                yield (first, *rest)

    found = []

    def walk(index, chosen, left):
        if index == len(order):
            if all(v == 0 for v, total in zip(left, totals, strict=True) if total is not None):
                found.append(dict(chosen))
            return
        key = order[index]
        for split in splits(sizes[key], [left[col] if totals[col] is not None else 10**6
                                         for col in range(width)]):
            chosen[key] = split
            if key in last_of:
                keys, bounds = last_of[key]
                sums = [sum(chosen[k][col] for k in keys) for col in range(width)]
                if not all(low <= n <= high for n, (low, high) in zip(sums, bounds,
                                                                       strict=True)):
                    continue
            walk(index + 1, chosen,
                 [n - split[col] if totals[col] is not None else n
                  for col, n in enumerate(left)])
        chosen.pop(key, None)

    walk(0, {}, [total if total is not None else 10**6 for total in totals])
    return found


class OneLevelRowTestCase(TestCase):
    """Twelve officines all « établi »: a row saying so, shown or hidden « all in one
    level », would say the level of each of them (the federation knows who its
    officines are). The row is merged with the smallest other one."""

    SPEC = {("officine", "BRE", "1-9", "etabli"): 12,
            ("lbm", "BRE", "10-49", "initial"): 14, ("lbm", "PDL", "10-49", "etabli"): 13,
            ("pui", "PDL", "10-49", "initial"): 12, ("pui", "NOR", "10-49", "avance"): 15}

    def test_the_row_is_merged_with_the_smallest_other(self):
        found = publish(population(self.SPEC))
        kinds = found["kind"]["rows"]
        self.assertNotIn("officine", [row["key"] for row in kinds])
        [merged] = [row for row in kinds if row.get("merged")]
        # lbm and pui have 27 units each: the first in order.
        self.assertEqual(merged["merged"], ["lbm", "officine"])
        self.assertEqual(merged["total"]["value"], 39)
        # No row of any table has its units in one column.
        for distribution in found.values():
            for row in distribution["rows"]:
                self.assertNotEqual(sum(1 for cell in row["cells"] if cell["value"]), 1, row)
        tables, hidden = published_keys(found)
        self.assertEqual(jointly_determined(hidden, tables), set())
        from pharmagarde.federation.models import Snapshot

        table = selectors.dashboard(Snapshot(units=39, data={"distributions": found}))
        labels = [label for label, _figures in table.tables[0].rows]
        lbm, officine = (selectors.category_label("kind", key) for key in ("lbm", "officine"))
        self.assertIn(f"Autres : {lbm}, {officine}", labels)

    def test_without_the_rule_the_row_says_every_level(self):
        units = population(self.SPEC)
        tables = aggregates.count_tables(
            [(u.kind, u.region, u.size_band) for u in units],
            [aggregates.level_of(u.values[aggregates.SCORE_KEY]) for u in units],
            merge_rule=False)
        results = smallcells.suppress_linked(tables.cells)
        officine = ("kind", "officine")
        shown = {col: tables.cells["kind"][(officine, col)].value
                 for col in range(len(tables.columns))
                 if not results["kind"][(officine, col)]}
        self.assertEqual(sorted(shown.values()), [0, 0, 12])
        self.assertIsNone(results["kind"][(officine, TOTAL)])

    def test_the_dashboard_still_explains_old_snapshots(self):
        self.assertEqual(str(selectors.REASONS[aggregates.GROUP]),
                         "toutes dans le même niveau : masqué pour ne rien dire de chacune")
        self.assertEqual(selectors.MARKS[aggregates.GROUP], "d")


class IntegerAttackTestCase(TestCase):
    """The reviewer's case: regions 53 (0, 0, 15, 0), 52 (0, 0, 12, 8) and 11 (0, 0, 3,
    12) over initial, en progrès, établi, avancé. Published with the row of 53 hidden
    « all in one level » (its total 15 shown), the FEW ranges and the column totals had
    one integer solution: every member of 53 « établi »."""

    SPEC = {("officine", "53", "1-9", "etabli"): 15,
            ("officine", "52", "1-9", "etabli"): 12, ("officine", "52", "1-9", "avance"): 8,
            ("officine", "11", "1-9", "etabli"): 3, ("officine", "11", "1-9", "avance"): 12}
    SIZES = {"53": 15, "52": 20, "11": 15}

    def test_the_old_publication_had_one_solution(self):
        old = {"columns": [["initial"], ["progres"], ["etabli"], ["avance"]], "rows": [
            {"key": "53", "cells": [{"value": None, "reason": aggregates.GROUP}] * 4},
            {"key": "52", "cells": [{"value": 0}, {"value": 0},
                                    {"value": None, "reason": aggregates.SECONDARY},
                                    {"value": None, "reason": aggregates.FEW}]},
            {"key": "11", "cells": [{"value": None, "reason": aggregates.SECONDARY},
                                    {"value": None, "reason": aggregates.SECONDARY},
                                    {"value": None, "reason": aggregates.FEW},
                                    {"value": None, "reason": aggregates.SECONDARY}]}],
            "totals": [{"value": 0}, {"value": 0}, {"value": 30}, {"value": 20}]}
        solutions = integer_solutions(old, self.SIZES)
        # GROUP: the row's units are in one column.
        solutions = [s for s in solutions if sum(1 for n in s["53"] if n) == 1]
        self.assertEqual({s["53"] for s in solutions}, {(0, 0, 15, 0)})

    def test_now_no_category_has_one_solution(self):
        found = publish(population(self.SPEC))
        region = found["region"]
        self.assertEqual([row.get("merged") for row in region["rows"]], [None, ["11", "53"]])
        solutions = integer_solutions(region, self.SIZES)
        # The levels of no unit are merged: « établi or below », « avancé ».
        self.assertEqual(region["columns"], [["initial", "progres", "etabli"], ["avance"]])
        self.assertIn({"53": (15, 0), "52": (12, 8), "11": (3, 12)}, solutions)
        for category in self.SIZES:
            self.assertGreater(len({s[category] for s in solutions}), 1, category)
        self.assertGreater(len({s["53"] for s in solutions if s["53"] != (15, 0)}), 1)

    def test_no_column_of_no_unit_to_cover_with(self):
        found = publish(population(self.SPEC))
        for distribution in found.values():
            self.assertTrue(all(total["value"] for total in distribution["totals"]))

    def test_the_cells_of_an_empty_column_are_never_covers(self):
        # A column of no unit only when columns are given (snapshots merge them).
        units = population(self.SPEC)
        tables = aggregates.count_tables(
            [(u.kind, u.region, u.size_band) for u in units],
            [aggregates.level_of(u.values[aggregates.SCORE_KEY]) for u in units],
            columns=[(level,) for level in LEVELS])
        self.assertTrue(tables.empty)
        results = smallcells.suppress_linked(tables.cells, keep=tables.empty)
        for key in tables.empty:
            dimension = key[0][0]
            self.assertIsNone(results[dimension][key], key)


class FewerThanElevenTestCase(TestCase):
    def test_nothing_is_published(self):
        found = publish(population({("officine", "BRE", "1-9", "etabli"): 6,
                                    ("lbm", "BRE", "1-9", "initial"): 4}))
        for distribution in found.values():
            self.assertIsNone(distribution["grand"]["value"])
            for row in distribution["rows"]:
                self.assertEqual({cell["value"] for cell in row["cells"]}, {None})


class RandomIntegerAttackTestCase(TestCase):
    def test_no_hidden_cell_and_no_one_level_category_has_one_integer_solution(self):
        rng = random.Random(2026)
        checked = 0
        for _ in range(60):
            spec = {}
            for region in ("11", "52", "53", "BRE")[:rng.randint(2, 4)]:
                for level in LEVELS:
                    spec[("officine", region, "1-9", level)] = rng.choice(
                        [0, 0, 0, rng.randint(1, 6), rng.randint(8, 16)])
            units = population(spec)
            if len(units) < 11:
                continue
            table = publish(units)["region"]
            if len(table["columns"]) == 1:
                continue  # a cell is then its row, whose size the federation knows
            sizes = {}
            for (_kind, region, _size, _level), count in spec.items():
                sizes[region] = sizes.get(region, 0) + count
            sizes = {region: size for region, size in sizes.items() if size}
            solutions = integer_solutions(table, sizes)
            self.assertTrue(solutions, spec)
            checked += 1
            truth = {region: [] for region in sizes}
            for row in table["rows"]:
                keys = row["merged"] if row.get("merged") else [row["key"]]
                for col, cell in enumerate(row["cells"]):
                    if cell["value"] is None:
                        possible = {sum(s[key][col] for key in keys) for s in solutions}
                        self.assertGreater(len(possible), 1, (spec, row["key"], col))
            columns = [tuple(c) for c in table["columns"]]
            for region in sizes:
                for column in columns:
                    truth[region].append(sum(spec.get(("officine", region, "1-9", level), 0)
                                             for level in column))
                if sum(1 for count in truth[region] if count) == 1 and len(columns) > 1:
                    self.assertGreater(len({s[region] for s in solutions}), 1, (spec, region))
        self.assertGreater(checked, 25)
