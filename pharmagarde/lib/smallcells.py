"""Aggregates about organisations that reveal nothing about any one of them.

The rules, shared by the diagnostic's peer comparison and the federation dashboards:

1. **Independent units.** Organisations linked by a shared member, by the account that
   created them, or by the same identifier are one unit, whose value is their mean: an
   account that creates five laboratories adds one unit, not five. Organisations that share
   an identifier with another are dropped altogether (which of them is the real one?).
2. **Small cells.** Nothing is published from fewer than MINIMUM_UNITS units (11, the
   threshold used for health data in France).
3. **Noise, drawn once per snapshot.** Even 11 units are not enough when an attacker
   controls 10 of them: subtracting their own known values from an exact mean gives the
   11th. So the mean is published with Laplace noise of scale `span / (units × epsilon)`:
   whoever knows every other unit still learns the last one only to within about
   `span / epsilon` points (100 points for a score out of 100 and epsilon = 1). The
   noise is drawn once per snapshot and stored, so that reading again tells nothing new.
4. **Rounded**, to whole points: no false precision. Counts get whole noise
   (`geometric`, two-sided geometric), drawn once per snapshot too.

The snapshot itself (one per period, from data as of the start of the period) is the
caller's: adding or removing one's own organisations changes nothing until the next one.

Tables (the federation's dashboards: `suppress_table`, `suppress_categories`):

5. **Dominance.** A cell where one unit holds more than MAXIMUM_SHARE (85 %) of the cell's
   magnitude is hidden whatever its number of units: the others would learn about that unit
   from the cell alone. Exactly 85 % is shown.
6. **Secondary suppression.** A table is published with its margins (row totals, column
   totals, grand total), so a hidden cell alone in its row is the margin minus the others.
   More cells are hidden until no hidden cell can be deduced from the shown ones by
   additivity. Additivity in a table is a bipartite graph (rows and columns are vertices,
   cells are edges, each vertex's signed sum is zero): a set of hidden cells leaks exactly
   the cells that are bridges of the graph the hidden cells make. Each bridge is closed
   into a cycle along the cheapest path of shown cells (inner cells before margins, fewer
   units first), until none is left.

docs/small-cells.md gives the reasons, what an attacker can and cannot do, and the French
wordings.

Framework-free: plain data in, plain data out.
"""

import heapq
import math
import secrets
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from .messages import Message, _

MINIMUM_UNITS = 11
EPSILON = 1.0
MAXIMUM_SHARE = 0.85
# The key of a margin: (row, TOTAL) is a row's total, (TOTAL, col) a column's and
# (TOTAL, TOTAL) the grand total.
TOTAL = "__total__"

FEW_UNITS = _("moins de %(minimum)d structures")
DOMINANT_UNIT = _("une structure pèse plus de %(share)d %%")
PROTECTS_ANOTHER = _("masquée pour protéger une autre case")
# Shares are compared with this slack, so that 17/20 or 0.1 × 8.5 reads as exactly 85 %.
_SHARE_SLACK = 1e-9


class _UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, item):
        parent = self.parent.setdefault(item, item)
        while parent != item:
            grandparent = self.parent[parent]
            self.parent[item] = grandparent  # path halving
            item, parent = parent, self.parent.setdefault(grandparent, grandparent)
        return item

    def union(self, first, second):
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b, key=repr)] = min(a, b, key=repr)


def independent_units(
    organisations: Iterable[Hashable],
    links: Iterable[tuple[Hashable, Hashable]],
    *,
    identifiers: Iterable[tuple[Hashable, str]] = (),
) -> list[set]:
    """Group `organisations` into independent units.

    `links` are (organisation, anything) pairs: two organisations paired with the same thing
    (a member's account, the account that created them) are one unit. `identifiers` are
    (organisation, identifier) pairs for every organisation of the instance, not only
    these: an organisation whose identifier another one also has is left out.
    """
    organisations = set(organisations)
    holders: dict[str, set] = {}
    for organisation, identifier in identifiers:
        if identifier:
            holders.setdefault(identifier, set()).add(organisation)
    duplicated = set().union(*(found for found in holders.values() if len(found) > 1))
    kept = organisations - duplicated
    groups = _UnionFind()
    for organisation in kept:
        groups.find(("org", organisation))
    for organisation, thing in links:
        if organisation in kept:
            groups.union(("org", organisation), ("link", thing))
    units: dict = {}
    for organisation in kept:
        units.setdefault(groups.find(("org", organisation)), set()).add(organisation)
    return list(units.values())


def laplace(scale: float, *, rng=None) -> float:
    """A draw of Laplace(0, scale), from the system's secure random source by default."""
    rng = rng or secrets.SystemRandom()
    uniform = rng.random() - 0.5  # in [-0.5, 0.5)
    while uniform == -0.5:
        uniform = rng.random() - 0.5
    return -scale * math.copysign(1, uniform) * math.log(1 - 2 * abs(uniform))


def geometric(epsilon: float, *, rng=None) -> int:
    """A draw of the two-sided geometric distribution, P(k) ∝ exp(−epsilon × |k|): the
    Laplace noise of whole counts (one unit more or less moves a count by 1). 0 when
    epsilon is so large that exp(−epsilon) is 0."""
    ratio = math.exp(-epsilon)
    if ratio <= 0.0:
        return 0
    rng = rng or secrets.SystemRandom()

    def one_side() -> int:
        uniform = 1.0 - rng.random()  # in (0, 1]
        return int(math.floor(math.log(uniform) / math.log(ratio)))

    return one_side() - one_side()


@dataclass(frozen=True)
class Published:
    units: int
    value: int | None

    @property
    def shown(self) -> bool:
        return self.value is not None


def publish_mean(
    unit_values: list[float],
    *,
    low: float = 0.0,
    high: float = 100.0,
    minimum: int = MINIMUM_UNITS,
    epsilon: float = EPSILON,
    rng=None,
) -> Published:
    """The mean of one value per independent unit, noised, clamped and rounded; nothing
    below `minimum` units."""
    count = len(unit_values)
    if count < minimum:
        return Published(count, None)
    mean = sum(min(max(v, low), high) for v in unit_values) / count
    noisy = mean + laplace((high - low) / (count * epsilon), rng=rng)
    return Published(count, round(min(max(noisy, low), high)))


@dataclass(frozen=True)
class Cell:
    """One cell of a table before publication."""

    units: int  # independent units contributing
    value: float | None  # what would be published (a count, a sum, a mean)
    largest_share: float = 0.0  # share of the cell's magnitude held by its largest unit


def share_of_largest(values_by_unit: dict) -> float:
    """The share of the total magnitude held by the largest unit (0 when there is none):
    {unit: recipients} for a phishing rate, {unit: score} for a mean."""
    magnitudes = [abs(value) for value in values_by_unit.values() if value]
    total = sum(magnitudes)
    return max(magnitudes) / total if total else 0.0


def primary_suppressed(cell: Cell, *, minimum: int = MINIMUM_UNITS,
                       maximum_share: float = MAXIMUM_SHARE) -> Message | None:
    """Why `cell` may not be shown on its own, or None.

    A cell of no unit at all is shown (« 0 », or no value): it says nothing about any
    organisation, and hiding it would make it a poor cover for others (see
    `suppress_table`)."""
    if cell.units <= 0:
        return None
    if cell.units < minimum:
        return Message(FEW_UNITS, minimum=minimum)
    if cell.largest_share > maximum_share + _SHARE_SLACK:
        return Message(DOMINANT_UNIT, share=round(maximum_share * 100))
    return None


_GROUND = ("ground",)


class _Additivity:
    """The additivity constraints of a table, as a graph: an edge per cell, between its
    row's vertex and its column's.

    - A margin that is not among the keys is not published: an unknown, always hidden (a
      phantom edge), so that a table given without margins is not over-protected.
    - An inner cell that is not among the keys is taken as known to whoever reads the
      table (an empty cell, or one published elsewhere): the safe side.
    - A line with no inner cell at all (the rows of a one-column list given as
      (category, TOTAL) and (TOTAL, TOTAL)) has no constraint: such vertices are one
      ground vertex, whose constraint is implied by the others.
    """

    def __init__(self, keys: Iterable[tuple]):
        self.keys = set(keys)
        for key in self.keys:
            if not (isinstance(key, tuple) and len(key) == 2):
                raise ValueError(f"A cell is keyed (row, column), not {key!r}.")
        self.rows = {row for row, _col in self.keys if row != TOTAL}
        self.cols = {col for _row, col in self.keys if col != TOTAL}
        margins = [(row, TOTAL) for row in self.rows] + [(TOTAL, col) for col in self.cols]
        if self.rows or self.cols:
            margins.append((TOTAL, TOTAL))
        self.phantoms = {key for key in margins if key not in self.keys}
        self.ends = {key: (self._vertex("row", key[0]), self._vertex("col", key[1]))
                     for key in self.keys | self.phantoms}

    def is_margin(self, key: tuple) -> bool:
        """A total of other cells (in a one-column list, only the grand total is)."""
        row, col = key
        return (row == TOTAL and bool(self.rows)) or (col == TOTAL and bool(self.cols))

    def _vertex(self, side: str, label) -> tuple:
        # A row's constraint sums the columns, a column's sums the rows.
        constrained = self.cols if side == "row" else self.rows
        return (side, label) if constrained else _GROUND

    def bridges(self, hidden: set) -> set:
        """The keys among `hidden` that are bridges of the hidden cells' graph (phantoms
        included): exactly the hidden cells whose value the shown ones fix."""
        adjacency = defaultdict(list)
        for key in hidden | self.phantoms:
            first, second = self.ends[key]
            if first != second:  # a loop is on a cycle by itself
                adjacency[first].append((second, key))
                adjacency[second].append((first, key))
        found, order, low = set(), {}, {}
        for root in sorted(adjacency, key=repr):
            if root in order:
                continue
            order[root] = low[root] = len(order)
            stack = [(root, None, iter(adjacency[root]))]
            while stack:  # Tarjan's bridges, iterative; `via` is the edge in, by key
                vertex, via, neighbours = stack[-1]
                for neighbour, key in neighbours:
                    if key == via:
                        continue
                    if neighbour in order:
                        low[vertex] = min(low[vertex], order[neighbour])
                    else:
                        order[neighbour] = low[neighbour] = len(order)
                        stack.append((neighbour, key, iter(adjacency[neighbour])))
                        break
                else:
                    stack.pop()
                    if stack:
                        parent = stack[-1][0]
                        low[parent] = min(low[parent], low[vertex])
                        if low[vertex] > order[parent]:
                            found.add(via)
        return found & hidden

    def cheapest_cover(self, leak: tuple, hidden: set, cost, keep: set) -> list:
        """The shown cells to hide so that `leak` lies on a cycle of hidden cells: the
        cheapest path between its two ends that uses neither it nor a shown cell of `keep`
        (Dijkstra; hidden cells and phantoms cost nothing)."""
        start, goal = self.ends[leak]
        adjacency = defaultdict(list)
        for key, (first, second) in self.ends.items():
            if key != leak and first != second and (key in hidden or key not in keep):
                adjacency[first].append((second, key))
                adjacency[second].append((first, key))
        free = hidden | self.phantoms
        zero = (0, 0, 0, 0.0)
        best = {start: zero}
        came = {}
        queue = [(zero, 0, start)]
        pushed = 1
        while queue:
            spent, _tie, vertex = heapq.heappop(queue)
            if vertex == goal:
                break
            if spent > best[vertex]:
                continue
            for neighbour, key in sorted(adjacency[vertex], key=repr):
                step = zero if key in free else cost(key)
                total = tuple(a + b for a, b in zip(spent, step, strict=True))
                if neighbour not in best or total < best[neighbour]:
                    best[neighbour] = total
                    came[neighbour] = (vertex, key)
                    heapq.heappush(queue, (total, pushed, neighbour))
                    pushed += 1
        if goal not in best:
            # Only cells absent from the table (taken as known) fix this one.
            raise ValueError(f"Cell {leak!r} follows from cells missing from the table or "
                             f"kept shown.")
        path, vertex = [], goal
        while vertex != start:
            vertex, key = came[vertex]
            path.append(key)
        return [key for key in path if key not in free]


def determinable(hidden: set[tuple], keys: set[tuple]) -> set[tuple]:
    """The keys of `hidden` that whoever reads the other `keys` recovers exactly by
    additivity (row sums, column sums, grand total). `suppress_table` leaves none."""
    hidden = set(hidden)
    return _Additivity(set(keys) | hidden).bridges(hidden)


def suppress_table(cells: dict[tuple, Cell], *, minimum: int = MINIMUM_UNITS,
                   maximum_share: float = MAXIMUM_SHARE,
                   keep: Iterable[tuple] = ()) -> dict[tuple, Message | None]:
    """For every key of `cells`, None (shown) or why it is hidden: a primary reason
    (`primary_suppressed`) or PROTECTS_ANOTHER.

    `keep`: keys never hidden to protect another (the margins that tables published
    together share: `suppress_linked`).

    Cells are keyed (row, column), margins included with TOTAL (see _Additivity for keys
    left out). Guarantee: no hidden cell can be deduced from the shown ones by additivity
    (`determinable` is empty). The cells hidden to protect others are chosen to lose the
    least: inner cells before margins, cells of fewer units first, never a cell of no
    unit unless nothing else will do (a cell known to be small is a poor cover: whoever
    knows it is 0 learns the other by subtraction all the same).
    """
    reasons = {key: primary_suppressed(cell, minimum=minimum, maximum_share=maximum_share)
               for key, cell in cells.items()}
    hidden = {key for key, reason in reasons.items() if reason}
    table = _Additivity(cells)

    def cost(key):
        cell = cells[key]
        return (int(cell.units <= 0), int(table.is_margin(key)), cell.units + 1,
                abs(cell.value or 0.0))

    while leaks := table.bridges(hidden):
        for key in table.cheapest_cover(min(leaks, key=repr), hidden, cost, set(keep)):
            hidden.add(key)
            reasons[key] = Message(PROTECTS_ANOTHER)
    return reasons


def suppress_linked(tables: dict[Hashable, dict[tuple, Cell]], *,
                    minimum: int = MINIMUM_UNITS, maximum_share: float = MAXIMUM_SHARE,
                    keep: Iterable[tuple] = (),
                    ) -> dict[Hashable, dict[tuple, Message | None]]:
    """`suppress_table` for tables published together that share keys (« profession ×
    maturity » and « profession × region » share the profession totals and the grand
    total, under the same keys; every other label must differ between them).

    The shared keys stay shown: each table is protected without hiding them, so that
    whoever knows them learns nothing more, and the tables cannot be combined against
    each other. Hiding a shared margin in both would not be enough: the equations of the
    two tables together can fix a cell that neither fixes alone (docs/small-cells.md). A
    shared key that is itself too small is refused (ValueError): merge its category into
    another (« autres ») before publishing.

    `keep`: more keys never hidden to protect another (as suppress_table's), such as the
    cells of a column whose total is 0: known to be 0, they would protect nothing."""
    seen: dict = defaultdict(int)
    for cells in tables.values():
        for key in cells:
            seen[key] += 1
    shared = {key for key, count in seen.items() if count > 1}
    small = sorted((key for cells in tables.values() for key in shared & set(cells)
                    if primary_suppressed(cells[key], minimum=minimum,
                                          maximum_share=maximum_share)), key=repr)
    if small:
        raise ValueError(f"Shared cells too small to publish: {small!r}.")
    keep = shared | set(keep)
    return {name: suppress_table(cells, minimum=minimum, maximum_share=maximum_share,
                                 keep=keep)
            for name, cells in tables.items()}


def suppress_categories(cells: dict[Hashable, Cell], *, minimum: int = MINIMUM_UNITS,
                        maximum_share: float = MAXIMUM_SHARE) -> dict[Hashable, Message | None]:
    """`suppress_table` for a list of categories and their total under the key TOTAL
    (region → count, with the national total): a table of one column."""
    table = suppress_table({(category, TOTAL): cell for category, cell in cells.items()},
                           minimum=minimum, maximum_share=maximum_share)
    return {category: table[(category, TOTAL)] for category in cells}


def publish_rate(
    unit_pairs: list[tuple[int, int]],
    *,
    minimum: int = MINIMUM_UNITS,
    maximum_share: float = MAXIMUM_SHARE,
    epsilon: float = EPSILON,
    rng=None,
) -> Published:
    """A pooled rate, as a percentage: the sum of the numerators over the sum of the
    denominators, one (numerator, denominator) pair per independent unit (clicks and
    recipients of a phishing campaign, trained and staff). Nothing below `minimum` units
    or when one unit holds more than `maximum_share` of the denominator; a unit of no
    denominator does not count.

    The noise protects each unit's numerator, its denominator being taken as known (a
    unit's staff follows from its size band). One unit changes the pooled rate by at most
    100 × d / D points (all of its d recipients clicking or none), so the sensitivity is
    that of the largest unit, 100 × max(d) / D, capped at 85 points by the dominance rule,
    and the scale is that over epsilon. Whoever knows every other unit exactly learns the
    last one's own rate only to within about 100 / epsilon points, as for `publish_mean`
    (with 11 units of equal size the two scales are the same: 100 / (11 × epsilon)).
    A scale of 100 / (D × epsilon) would protect one recipient, not one organisation: a
    unit of N recipients would be N times less protected.
    """
    pairs = [(numerator, denominator) for numerator, denominator in unit_pairs if denominator]
    for numerator, denominator in pairs:
        if not 0 <= numerator <= denominator:
            raise ValueError(f"A rate's numerator lies between 0 and its denominator, "
                             f"not {numerator}/{denominator}.")
    count = len(pairs)
    denominators = [denominator for _numerator, denominator in pairs]
    if count < minimum or share_of_largest(dict(enumerate(denominators))) > (
            maximum_share + _SHARE_SLACK):
        return Published(count, None)
    total = sum(denominators)
    rate = 100 * sum(numerator for numerator, _denominator in pairs) / total
    noisy = rate + laplace(100 * max(denominators) / (total * epsilon), rng=rng)
    return Published(count, round(min(max(noisy, 0.0), 100.0)))
