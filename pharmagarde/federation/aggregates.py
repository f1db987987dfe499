"""What a federation publishes about its members, from one value per independent unit.

Plain data in (`Unit`s, the metric catalogue), plain JSON-able data out (Snapshot.data):
no query here, so that the rules are tested on their own and the snapshot (snapshots.py)
only gathers the units. Every figure follows lib/smallcells.py:

- the distribution tables (profession, region or size band × maturity level, with their
  margins) count units and go together through `suppress_linked` (they share the level
  totals): no cell of fewer than 11 units, levels of fewer than 11 merged with a
  neighbour, a row whose units all share one level merged with the smallest other row
  (« Autres »), and more cells hidden until no hidden one follows from the totals of
  the three tables (never a cell of a column of no unit: it is known to be 0);
- means are noised (`publish_mean`), from 11 units: the diagnostic's score, and every
  other score the apps declare (`scores`: the share of the plan's items overdue);
- pooled rates (training, phishing): `publish_rate` (11 units, no unit with more than
  85 % of the denominator, Laplace noise of the largest unit's weight);
- shares (restore tests, tested plans, the most frequent gaps) need 11 units and count
  with Laplace noise of one unit.

Noise is drawn here, once per snapshot: every reader sees the same numbers.
A hidden figure carries its reason, one of FEW, DOMINANT, SECONDARY, or HIDDEN for the
counts of the distribution tables (FEW or SECONDARY, not saying which: the range of a FEW
cell, 1 to 10, could pin a row down). GROUP only in snapshots made before one-level rows
were merged.
"""

import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass, field

from pharmagarde.core.metrics import RATE, SCORE, SHARE
from pharmagarde.lib import smallcells

# Why a figure is hidden (the dashboard's footnotes). HIDDEN: a count of the
# distribution tables, FEW or SECONDARY without saying which (`distributions`).
FEW, DOMINANT, SECONDARY, GROUP = "few", "dominant", "secondary", "group"
HIDDEN = "hidden"
_REASONS = {smallcells.FEW_UNITS: FEW, smallcells.DOMINANT_UNIT: DOMINANT,
            smallcells.PROTECTS_ANOTHER: SECONDARY}

# Maturity levels by diagnostic score: (key, lowest score).
LEVELS = (("initial", 0), ("progres", 40), ("etabli", 60), ("avance", 80))
DIMENSIONS = ("kind", "region", "size_band")
SCORE_KEY = "diagnostic.score"
THEME_PREFIX = "diagnostic.theme."
RATE_KEYS = ("awareness.training_done", "awareness.phishing_click",
             "awareness.phishing_report")
SHARE_KEYS = ("continuity.restore_fresh", "continuity.plan_tested")
GAP_BELOW = 50
GAPS_SHOWN = 5
TREND_LENGTH = 12


@dataclass
class Unit:
    """One independent unit: the profession, region and size band it is counted under,
    and its values (a SCORE is the mean over its organisations, a RATE the sum of their
    counts, a SHARE the fraction of them that have it)."""

    kind: str
    region: str
    size_band: str
    values: dict = field(default_factory=dict)
    # A member on another server, known only by its key: the federation can add as many
    # as it likes. It counts in the values, never towards a threshold (`local_count`).
    remote: bool = False
    # Who it is, the same from one period to the next (its organisations' ids, or the
    # remote member's row): a figure over the same units with the same values keeps the
    # noise drawn for it before (`_Publisher.once`). Empty: drawn anew.
    ident: str = ""


def local_count(units) -> int:
    """The units that make a figure publishable: those on this server, whose independence
    the server checks (smallcells.independent_units). Remote units are keys the
    federation added; 44 of them at chosen levels would otherwise isolate a real member
    (docs/small-cells.md, « threat model »)."""
    return sum(1 for unit in units if not unit.remote)


def level_of(score: float) -> str:
    found = LEVELS[0][0]
    for key, lowest in LEVELS:
        if score >= lowest:
            found = key
    return found


def merge(values_of_organisations: list[dict], catalogue: dict) -> dict:
    """The values of one unit from those of its organisations (see Unit)."""
    merged = {}
    for key, metric in catalogue.items():
        present = [v[key] for v in values_of_organisations if key in v]
        if not present:
            continue
        if metric.kind == RATE:
            merged[key] = [sum(p[0] for p in present), sum(p[1] for p in present)]
        elif metric.kind == SHARE:
            merged[key] = sum(1 for p in present if p) / len(present)
        else:
            merged[key] = sum(present) / len(present)
    return merged


def _reason(message) -> str | None:
    if message is None:
        return None
    return _REASONS.get(getattr(message, "template", None), SECONDARY)


def _figure(value, units: int, reason: str | None) -> dict:
    """A published figure. A hidden one keeps only its reason: its number of units is
    what the hiding protects (a FEW cell of a table is its count), and a stored snapshot
    is read by more than the page that shows it (exports, later code)."""
    if reason:
        return {"value": None, "units": None, "reason": reason}
    return {"value": value, "units": units, "reason": None}


def level_columns(counts: dict[str, int]) -> list[tuple[str, ...]]:
    """The maturity levels as the distribution tables' columns, from the number of units
    at each level.

    The column totals are shared by the three tables, so each must be shown
    (smallcells.suppress_linked): a level of fewer than 11 units is merged with its
    neighbour (the non-empty one, the smaller if both are) until none is left. A level of
    no unit is merged too: were it kept as a column of zeros, the first member to reach it
    would make it merge, and the columns of the next snapshot would say where the member
    who just joined stands (and its cells, known to be 0, would cover nothing). When all
    the units fall in one column, the columns say each unit's level (the member list is
    known to the federation): they are merged into one, and the tables show only the
    totals."""
    columns = [(key,) for key, _lowest in LEVELS]

    def size(column):
        return sum(counts.get(level, 0) for level in column)

    while len(columns) > 1:
        small = [i for i, column in enumerate(columns)
                 if size(column) < smallcells.MINIMUM_UNITS]
        if not small:
            break
        i = min(small, key=lambda i: (size(columns[i]), i))
        j = min((j for j in (i - 1, i + 1) if 0 <= j < len(columns)),
                key=lambda j: (size(columns[j]) == 0, size(columns[j]), j))
        low, high = sorted((i, j))
        columns[low:high + 1] = [columns[low] + columns[high]]
    if sum(1 for column in columns if size(column)) == 1:
        columns = [tuple(level for column in columns for level in column)]
    return columns


def _count_cell(units: int, local: int | None = None) -> smallcells.Cell:
    """A count of units as a table cell, judged by its `local` units (all by default): a
    cell of remote units only counts as one unit, so that it is hidden (FEW)."""
    local = units if local is None else local
    judged = (local or 1) if units else 0
    return smallcells.Cell(units=judged, value=units,
                           largest_share=1 / judged if judged else 0.0)


def merge_one_level_rows(counts: dict[str, list[int]]) -> list[tuple[str, ...]]:
    """The rows of a table as groups of categories, from each category's number of units
    in each column.

    A row whose units all fall in one column says the level of each of them, whether its
    cells are shown or hidden « all in one level »: the federation knows who is in which
    category, and hidden cells can be bounded (a reader who knows a row is in one column,
    the ranges of the FEW cells and the column totals can enumerate the few integer
    solutions, docs/small-cells.md). Such a row is merged with the smallest other row
    (« autres »), and again, until no row is in one column or one row is left (it is then
    the column totals, in two columns or more: `level_columns`)."""
    groups = [(key,) for key in sorted(counts)]
    width = len(next(iter(counts.values()), ()))

    def sizes(group):
        return [sum(counts[key][col] for key in group) for col in range(width)]

    def in_one_column(group):
        return sum(1 for count in sizes(group) if count) == 1

    while width > 1 and len(groups) > 1:
        alone = [group for group in groups if in_one_column(group)]
        if not alone:
            break
        first = min(alone, key=lambda group: (sum(sizes(group)), group))
        other = min((group for group in groups if group != first),
                    key=lambda group: (sum(sizes(group)), group))
        groups = [group for group in groups if group not in (first, other)]
        groups.append(tuple(sorted(first + other)))
    return sorted(groups, key=lambda group: (len(group) > 1, group))


def _row_key(group: tuple[str, ...]):
    """A row's key in a table: the category, or the tuple of the categories merged."""
    return group[0] if len(group) == 1 else group


@dataclass
class CountTables:
    """The three distribution tables before publication: {dimension: {key: Cell}}, keyed
    ((dimension, row), column index) with smallcells.TOTAL for the margins, the column
    totals and the grand total under the same keys in all three. A row is a category,
    or a tuple of categories merged (`merge_one_level_rows`)."""

    columns: list[tuple[str, ...]]
    cells: dict[str, dict]
    rows: dict[str, list]
    # The inner cells of the columns of no unit: known to be 0, never a cover.
    empty: set = field(default_factory=set)


def count_tables(categories: list[tuple[str, ...]], levels: list[str], *,
                 columns: list[tuple[str, ...]] | None = None,
                 merge_rule: bool = True, remote: list[bool] | None = None) -> CountTables:
    """The tables counting units by category (one per DIMENSIONS, in order) and column
    (`level_columns` unless given); with `merge_rule`, the rows whose units all fall in
    one column are merged (`merge_one_level_rows`). `remote`: which units are remote
    (none by default); the levels' merging, the rows' merging and every threshold look
    at the local units only, the counts published at all of them."""
    remote = [False] * len(levels) if remote is None else remote
    local_levels = [level for level, far in zip(levels, remote, strict=True) if not far]
    columns = level_columns(Counter(local_levels)) if columns is None else columns
    column_of = {level: index for index, column in enumerate(columns) for level in column}
    indices = range(len(columns))
    by_category: dict = {}
    local_by_category: dict = {}
    for keys, level, far in zip(categories, levels, remote, strict=True):
        for dimension, key in zip(DIMENSIONS, keys, strict=True):
            by_category.setdefault(dimension, {}).setdefault(
                key, [0] * len(columns))[column_of[level]] += 1
            local_by_category.setdefault(dimension, {}).setdefault(
                key, [0] * len(columns))[column_of[level]] += 0 if far else 1
    column_totals = [sum(1 for level in levels if column_of[level] == col) for col in indices]
    column_local = [sum(1 for level in local_levels if column_of[level] == col)
                    for col in indices]
    found = CountTables(columns, {}, {})
    for dimension in DIMENSIONS:
        counts = by_category.get(dimension, {})
        local = local_by_category.get(dimension, {})
        groups = merge_one_level_rows(local) if merge_rule else [
            (key,) for key in sorted(counts)]
        cells, rows = {}, []
        for group in groups:
            row = (dimension, _row_key(group))
            rows.append(row)
            sizes = [sum(counts[key][col] for key in group) for col in indices]
            locals_ = [sum(local[key][col] for key in group) for col in indices]
            for col in indices:
                cells[(row, col)] = _count_cell(sizes[col], locals_[col])
                if not column_totals[col]:
                    found.empty.add((row, col))
            cells[(row, smallcells.TOTAL)] = _count_cell(sum(sizes), sum(locals_))
        for col in indices:
            cells[(smallcells.TOTAL, col)] = _count_cell(column_totals[col], column_local[col])
        cells[(smallcells.TOTAL, smallcells.TOTAL)] = _count_cell(len(levels),
                                                                  len(local_levels))
        found.cells[dimension], found.rows[dimension] = cells, rows
    return found


def noisy_counts(tables: CountTables, *, epsilon: float | None, rng=None) -> dict:
    """{dimension: {key: published count}}: every count of the three tables with
    two-sided geometric noise (smallcells.geometric), drawn once per snapshot, the tables
    still adding up and sharing their column totals.

    A member who joins moves one inner cell of each table and one column total by 1: with
    exact counts, the next snapshot's totals moving by exactly +1 in one column would say
    its level (its date of joining is on the member list). So: the column totals are
    drawn once (shared by the three tables), each inner cell gets its own draw, and in
    each column the difference is carried by the cell of most units (so that the table
    adds up to the shared total); no count below 0; the row totals and the grand total
    are the sums of the published cells. Which cells are hidden is decided on the true
    counts, before (smallcells rules). `epsilon` None: the true counts."""
    indices = range(len(tables.columns))
    first = next(iter(tables.cells.values()))
    if epsilon is None:
        return {d: {key: cell.value for key, cell in cells.items()}
                for d, cells in tables.cells.items()}

    def draw(count: int) -> int:
        return max(count + smallcells.geometric(epsilon, rng=rng), 0)

    totals = [draw(first[(smallcells.TOTAL, col)].value) for col in indices]
    found = {}
    for dimension in DIMENSIONS:
        cells, rows = tables.cells[dimension], tables.rows[dimension]
        published = {(row, col): draw(cells[(row, col)].value)
                     for row in rows for col in indices}
        for col in indices:
            # The largest first, so that the difference lands where it matters least;
            # further rows when the first cannot take all of a negative one.
            difference = totals[col] - sum(published[(row, col)] for row in rows)
            for row in sorted(rows, key=lambda row: (-cells[(row, col)].value, repr(row))):
                moved = max(difference, -published[(row, col)])
                published[(row, col)] += moved
                difference -= moved
                if not difference:
                    break
        for row in rows:
            published[(row, smallcells.TOTAL)] = sum(published[(row, col)] for col in indices)
        for col in indices:
            published[(smallcells.TOTAL, col)] = totals[col]
        published[(smallcells.TOTAL, smallcells.TOTAL)] = sum(totals)
        found[dimension] = published
    return found


def _suppress_known_rows(tables: CountTables) -> dict:
    """smallcells.suppress_linked for a reader who knows every row's total: the
    federation counts its members by profession, region and size band on its member
    list. So the row totals are taken as shown (never primary, never a cover) and covers
    are inner cells only; a row total under 11 is hidden on the page all the same (FEW),
    though it protects nothing. In one column an inner cell is its row's total: known.

    No ValueError: every shared total is at least 11 units once the levels are merged
    (levels of no unit included), every row has two non-empty columns or more once the
    one-level rows are merged, so a hidden cell closes a cycle of inner cells with
    another row (a table of one row has its cells equal to the shared totals)."""
    known = {}
    keep = set(tables.empty)
    one_column = len(tables.columns) == 1
    for dimension, cells in tables.cells.items():
        known[dimension] = {}
        for key, cell in cells.items():
            row, col = key
            if row != smallcells.TOTAL and (col == smallcells.TOTAL or one_column):
                known[dimension][key] = smallcells.Cell(units=smallcells.MINIMUM_UNITS,
                                                        value=cell.value)
                keep.add(key)
            else:
                known[dimension][key] = cell
    reasons = smallcells.suppress_linked(known, keep=keep)
    for dimension, cells in tables.cells.items():
        for key, cell in cells.items():
            if known[dimension][key] is not cell:
                reasons[dimension][key] = smallcells.primary_suppressed(cell)
    return reasons


def distributions(categories: list[tuple[str, ...]], levels: list[str], *,
                  epsilon: float | None = None, rng=None,
                  remote: list[bool] | None = None) -> dict:
    """{dimension: table} for units given by their categories (one per DIMENSIONS, in
    order) and their maturity level.

    Each table counts units (row: the category, column: a level or merged levels, with
    the row totals, the column totals and the grand total: `count_tables`). The three
    share the column totals and the grand total: each protected alone could be solved
    against the others (docs/small-cells.md, « linked tables »), so they are published
    together through smallcells.suppress_linked, which keeps the shared totals shown.
    The rules on top of smallcells':

    - levels of fewer than 11 units merged (`level_columns`), so that the shared totals
      can be shown;
    - a row whose units all fall in one column merged with the smallest other row
      (`merge_one_level_rows`): published « Autres » with the list of its categories;
    - the cells of a column of no unit never cover another (they are known to be 0);
    - fewer than 11 units in all: nothing but zeros would be published, every cell FEW;
    - with `epsilon`, the counts shown are noised (`noisy_counts`).
    """
    tables = count_tables(categories, levels, remote=remote)
    local = len(levels) - sum(remote or ())
    if local < smallcells.MINIMUM_UNITS:
        few = smallcells.Message(smallcells.FEW_UNITS, minimum=smallcells.MINIMUM_UNITS)
        reasons = {d: dict.fromkeys(cells, few) for d, cells in tables.cells.items()}
    else:
        reasons = _suppress_known_rows(tables)
    indices = range(len(tables.columns))
    counts = noisy_counts(tables, epsilon=epsilon, rng=rng) if tables.rows["kind"] else {
        d: {key: cell.value for key, cell in cells.items()} for d, cells in tables.cells.items()}

    def figure(dimension, key):
        # The count shown is also the figure's number of units: the true one would undo
        # the noise.
        units = counts[dimension][key]
        reason = _reason(reasons[dimension][key])
        if reason and local >= smallcells.MINIMUM_UNITS:
            # « fewer than 11 » bounds a cell to 1…10: a row of 20 with two such cells
            # would be 10 and 10. Saying only « hidden » leaves each one in 0…total.
            reason = HIDDEN
        return _figure(units, units, reason)

    def row_of(dimension, row):
        key = row[1]
        merged = {"key": None, "merged": list(key)} if isinstance(key, tuple) else {"key": key}
        return {**merged,
                "cells": [figure(dimension, (row, col)) for col in indices],
                "total": figure(dimension, (row, smallcells.TOTAL))}

    return {dimension: {
        "columns": [list(column) for column in tables.columns],
        "rows": [row_of(dimension, row) for row in tables.rows[dimension]],
        "totals": [figure(dimension, (smallcells.TOTAL, col)) for col in indices],
        "grand": figure(dimension, (smallcells.TOTAL, smallcells.TOTAL)),
    } for dimension in DIMENSIONS}


def fingerprint(secret: bytes, what: str, key: str, units: list[Unit], value) -> str | None:
    """What a figure is drawn from, as an HMAC (it names nobody without the server's
    key): the figure, the metric, and each unit's identity with `value(unit)`. None when
    a unit has no identity."""
    if not units or not all(unit.ident for unit in units):
        return None
    body = json.dumps([what, key, sorted([unit.ident, value(unit)] for unit in units)],
                      sort_keys=True, default=str)
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


class _Publisher:
    def __init__(self, units: list[Unit], catalogue: dict, *, epsilon: float, rng=None,
                 earlier: dict | None = None, secret: bytes = b""):
        self.units, self.catalogue, self.epsilon, self.rng = units, catalogue, epsilon, rng
        self.published: dict = {}
        self.earlier, self.secret = earlier or {}, secret
        self.draws: dict = {}

    def once(self, what: str, key: str, units: list[Unit], publish, value=None) -> dict:
        """The figure of `what` (mean, rate, share) of `key` over `units`, drawn once:

        - per set of units in the snapshot: when every unit shares one profession,
          « all » and « officine » are the same units, and two independent draws of the
          same mean would average the noise away (four with the region and the size
          band);
        - across periods: when the same units have the same values as for a figure of
          the previous snapshot (`earlier`, by `fingerprint`), its figure is published
          again, rather than a new draw of an unchanged value each period."""
        memo = (what, key, frozenset(map(id, units)))
        if memo not in self.published:
            value = value or (lambda unit: unit.values.get(key))
            found = fingerprint(self.secret, what, key, units, value) if self.secret else None
            if found is not None and found in self.earlier:
                self.published[memo] = dict(self.earlier[found])
            else:
                self.published[memo] = publish()
            if found is not None:
                self.draws[found] = self.published[memo]
        return dict(self.published[memo])

    def noise(self, scale: float) -> float:
        return smallcells.laplace(scale, rng=self.rng) if scale > 0 else 0.0

    # -- distribution tables ------------------------------------------------------------
    def distributions(self) -> dict:
        """The three tables « profession / region / size band × maturity », published
        together (see `distributions` at module level)."""
        scored = [u for u in self.units if SCORE_KEY in u.values]
        return self.once("distributions", SCORE_KEY, scored,
                         lambda: self._distributions(scored),
                         value=lambda unit: [unit.kind, unit.region, unit.size_band,
                                             level_of(unit.values[SCORE_KEY]), unit.remote])

    def _distributions(self, scored: list[Unit]) -> dict:
        # Drawn again only when a unit comes, goes, or changes level or category.
        return distributions(
            [tuple(getattr(u, d) or "" for d in DIMENSIONS) for u in scored],
            [level_of(u.values[SCORE_KEY]) for u in scored], epsilon=self.epsilon,
            rng=self.rng, remote=[u.remote for u in scored])

    # -- means --------------------------------------------------------------------------
    def mean(self, units: list[Unit], key: str = SCORE_KEY) -> dict:
        return self.once("mean", key, units, lambda: self._mean(units, key))

    def _mean(self, units: list[Unit], key: str) -> dict:
        metric = self.catalogue.get(key)
        values = [u.values[key] for u in units if key in u.values]
        low, high = (metric.low, metric.high) if metric else (0.0, 100.0)
        if local_count(u for u in units if key in u.values) < smallcells.MINIMUM_UNITS:
            return _figure(None, len(values), FEW)
        reason = _reason(smallcells.primary_suppressed(smallcells.Cell(
            units=len(values), value=None,
            largest_share=smallcells.share_of_largest(dict(enumerate(values))))))
        if reason or not values:
            return _figure(None, len(values), reason or FEW)
        published = smallcells.publish_mean(values, low=low, high=high, epsilon=self.epsilon,
                                            rng=self.rng)
        return _figure(published.value, published.units, None if published.shown else FEW)

    def by(self, dimension: str, figure) -> dict:
        groups: dict[str, list[Unit]] = {}
        for unit in self.units:
            groups.setdefault(getattr(unit, dimension) or "", []).append(unit)
        return {key: figure(members) for key, members in sorted(groups.items())}

    # -- pooled rates -------------------------------------------------------------------
    def rate(self, units: list[Unit], key: str) -> dict:
        """smallcells.publish_rate over the units that have a denominator: the rules (11
        units, 85 % of the denominator) and the noise live there; the reason shown is
        the rule that hid it."""
        return self.once("rate", key, units, lambda: self._rate(units, key))

    def _rate(self, units: list[Unit], key: str) -> dict:
        counted = [u for u in units if key in u.values and u.values[key][1] > 0]
        if local_count(counted) < smallcells.MINIMUM_UNITS:
            return _figure(None, len(counted), FEW)
        pairs = [tuple(u.values[key]) for u in counted]
        published = smallcells.publish_rate(pairs, epsilon=self.epsilon, rng=self.rng)
        if published.shown:
            return _figure(published.value, published.units, None)
        return _figure(None, published.units,
                       FEW if published.units < smallcells.MINIMUM_UNITS else DOMINANT)

    # -- shares -------------------------------------------------------------------------
    def share(self, units: list[Unit], key: str, weight=float, what: str = "share") -> dict:
        """The share of units that have `key` (a unit's weight: the fraction of its
        organisations that have it, or what `weight` says of its value)."""
        return self.once(what, key, units, lambda: self._share(units, key, weight))

    def _share(self, units: list[Unit], key: str, weight) -> dict:
        present = [u.values[key] for u in units if key in u.values]
        if local_count(u for u in units if key in u.values) < smallcells.MINIMUM_UNITS:
            return _figure(None, len(present), FEW)
        reason = _reason(smallcells.primary_suppressed(smallcells.Cell(
            units=len(present), value=None)))
        if reason or not present:
            return _figure(None, len(present), reason or FEW)
        # One unit moves the count by at most one.
        count = sum(weight(v) for v in present)
        noisy = min(max(count + self.noise(1 / self.epsilon), 0.0), len(present))
        return _figure(round(100 * noisy / len(present)), len(present), None)

    def gaps(self) -> list[dict]:
        themes = sorted({key for u in self.units for key in u.values
                         if key.startswith(THEME_PREFIX)})
        found = []
        for key in themes:
            figure = self.share(self.units, key, weight=lambda v: float(v < GAP_BELOW),
                                what="gap")
            if figure["value"] is not None:
                found.append({"key": key, **figure})
        found.sort(key=lambda figure: (-figure["value"], figure["key"]))
        return found[:GAPS_SHOWN]


def compute(units: list[Unit], catalogue: dict, *, epsilon: float = smallcells.EPSILON,
            rng=None, earlier: dict | None = None, secret: bytes = b"") -> dict:
    """Snapshot.data for these units (without the trend, which needs earlier snapshots)."""
    publisher = _Publisher(units, catalogue, epsilon=epsilon, rng=rng, earlier=earlier,
                           secret=secret)
    rates = {key: {"overall": publisher.rate(units, key),
                   "kind": publisher.by("kind", lambda group, key=key: publisher.rate(group,
                                                                                       key))}
             for key in RATE_KEYS if key in catalogue}
    # The other scores the apps declare (the share of the plan's items overdue, …): a
    # noised mean overall and by profession, as the diagnostic's score.
    scores = {key: {"overall": publisher.mean(units, key),
                    "kind": publisher.by("kind", lambda group, key=key: publisher.mean(group,
                                                                                       key))}
              for key, metric in catalogue.items()
              if metric.kind == SCORE and key != SCORE_KEY
              and not key.startswith(THEME_PREFIX)}
    found = {
        "units": len(units),
        "minimum": smallcells.MINIMUM_UNITS,
        "distributions": publisher.distributions(),
        "means": {"overall": publisher.mean(units),
                  **{d: publisher.by(d, publisher.mean) for d in DIMENSIONS}},
        "gaps": publisher.gaps(),
        "rates": rates,
        "shares": {key: publisher.share(units, key) for key in SHARE_KEYS if key in catalogue},
        "scores": scores,
    }
    # For the next snapshot's `earlier`: {fingerprint: figure}, never shown.
    found["draws"] = publisher.draws
    return found
