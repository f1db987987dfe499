"""What each app says about one organisation on the page across one's organisations
(/mes-structures/): a few facts, each with its level and a link into that organisation.

An app declares `portfolio` (core/registry.py): `summaries(memberships) -> {organisation
id: [Fact]}` for the user's memberships (core.access.account_view), in a bounded number of
queries whatever their number, and only what the member's role there may see (the
membership's role is on each one).

`lines(memberships)` asks every app and gives one `Line` per organisation; `sorted_lines`
orders them (the most urgent first by default).

The page also links to the apps' pages across organisations (their `account_urls`): the
module named there may define `portfolio_links(request) -> [(text, url)]`, the links to
offer this user (request.memberships, core.access.memberships_allowing), empty where
their role allows them nowhere. `account_links(request)` gathers them. Nothing here
imports an app.
"""

import datetime
from dataclasses import dataclass, field
from importlib import import_module

from django.urls import reverse
from django.utils import timezone

from .registry import declarations, hooks

OK = "ok"
WARNING = "warning"
ALERT = "alert"
INFO = "info"

# Evidence older than this is stale: a diagnostic, a restore test, a plan review.
STALE_AFTER = datetime.timedelta(days=365)

# The columns the sorts read (their apps fill them when the role may see them).
SCORE = "diagnostic.score"
OVERDUE = "actions.overdue"


@dataclass(frozen=True)
class Fact:
    key: str  # « diagnostic.score »: the column it fills
    label: str  # the column's heading
    text: str  # « 62 / 100 », « 3 en retard »
    level: str = INFO
    url: str = ""  # into the organisation (/o/<slug>/…)
    order: int = 50
    value: float | None = None  # for sorting and filtering


def is_stale(day: datetime.date | datetime.datetime | None, today: datetime.date) -> bool:
    """Whether a piece of evidence dated `day` is older than STALE_AFTER (or missing)."""
    if day is None:
        return True
    if isinstance(day, datetime.datetime):
        day = timezone.localdate(day)
    return today - day > STALE_AFTER


def org_url(membership, name: str, *args, query: str = "", fragment: str = "") -> str:
    """The address of a page of the membership's organisation."""
    url = reverse(name, args=[membership.organisation.slug, *args])
    return url + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


def by_organisation(memberships, roles: frozenset[str] | None = None) -> dict:
    """{organisation id: membership} of the memberships whose role is in `roles` (all
    when None): what an app may summarise."""
    return {m.organisation_id: m for m in memberships if roles is None or m.role in roles}


@dataclass
class Line:
    """One organisation of the page: its membership and its facts by column."""

    membership: object
    facts: dict[str, Fact] = field(default_factory=dict)

    @property
    def organisation(self):
        return self.membership.organisation

    def count(self, level: str) -> int:
        return sum(1 for fact in self.facts.values() if fact.level == level)

    @property
    def alerts(self) -> int:
        return self.count(ALERT)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)

    def value(self, key: str) -> float | None:
        fact = self.facts.get(key)
        return fact.value if fact is not None else None


def lines(memberships) -> tuple[list[Line], list[tuple[str, str]]]:
    """A Line per membership (in the order given) and the columns [(key, label)] that at
    least one line fills, in the facts' order. One call of each app's hook: its queries,
    whatever the number of memberships."""
    memberships = list(memberships)
    found = {m.organisation_id: Line(m) for m in memberships}
    columns = {}
    if not memberships:
        return [], []
    for summaries in hooks("portfolio"):
        for organisation_id, facts in summaries(memberships).items():
            line = found.get(organisation_id)
            if line is None:  # an app must not speak of another organisation
                continue
            for fact in facts:
                line.facts[fact.key] = fact
                columns.setdefault(fact.key, (fact.order, fact.label))
    ordered = sorted(columns.items(), key=lambda item: (item[1][0], item[0]))
    return list(found.values()), [(key, label) for key, (_order, label) in ordered]


def _name(line: Line) -> tuple:
    return (line.organisation.name.casefold(), line.organisation.pk)


def _missing_last(value: float | None, *, descending: bool = False) -> tuple:
    if value is None:
        return (1, 0)
    return (0, -value if descending else value)


SORTS = {
    # Alerts first, then warnings, then by name.
    "urgence": lambda line: (-line.alerts, -line.warnings, *_name(line)),
    "nom": _name,
    # The weakest score first; no score last.
    "score": lambda line: (*_missing_last(line.value(SCORE)), *_name(line)),
    # The most overdue plan items first.
    "retard": lambda line: (*_missing_last(line.value(OVERDUE), descending=True),
                            *_name(line)),
}
DEFAULT_SORT = "urgence"


def sorted_lines(found: list[Line], sort: str) -> list[Line]:
    return sorted(found, key=SORTS.get(sort, SORTS[DEFAULT_SORT]))


def account_links(request) -> list[tuple[str, str]]:
    """[(text, url)] of the apps' pages across organisations that this user may use, in
    INSTALLED_APPS order: what each `account_urls` module's `portfolio_links` offers."""
    found = []
    for _label, declaration in declarations():
        if not declaration.account_urls:
            continue
        offer = getattr(import_module(declaration.account_urls), "portfolio_links", None)
        if offer is not None:
            found.extend(offer(request))
    return found
