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
4. **Rounded**, to whole points: no false precision.

The snapshot itself (one per period, from data as of the start of the period) is the
caller's: adding or removing one's own organisations changes nothing until the next one.

Framework-free: plain data in, plain data out.
"""

import math
import secrets
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

MINIMUM_UNITS = 11
EPSILON = 1.0


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
