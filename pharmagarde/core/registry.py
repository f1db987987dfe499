"""What each app says about itself, read by core from Django's app registry.

An app plugs into Pharmagarde by giving its AppConfig a `pharmagarde` attribute, an
`AppDeclaration`. Core reads the declarations in INSTALLED_APPS order and never imports an
app: its URLs, navigation, audit labels, dashboard, to-do list, demo data, reminders and the
objects the access walk tries across organisations all come from here. docs/architecture.md
is the map; adding an app is one folder and one declaration.

Callables are given as dotted paths, imported on first use: a declaration is read while the
app registry is still loading, before any model can be imported.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.utils.module_loading import import_string

# Who a page, a link or a card is for (core.access.org_view, NavEntry, DashboardCard): the
# organisations that hold their own data (officines, PUI, laboratories…), the federations
# (an Ordre council, a groupement: aggregates only), or both.
MEMBERS = "members"
FEDERATIONS = "federations"
ALL = "all"


def serves(audience: str, organisation) -> bool:
    """Whether something meant for `audience` is shown to `organisation`."""
    if audience == ALL:
        return True
    is_federation = organisation.kind == "federation"
    return is_federation if audience == FEDERATIONS else not is_federation


@dataclass(frozen=True)
class NavEntry:
    """A link of the organisation's navigation.

    `url_name` is reversed with the organisation's slug. `roles`: the roles that see it
    (None: every member). `exact`: current only on its own address, not below it.
    `order`: position among every app's entries (core's dashboard is 0). `prominent`:
    also a button on every page of the organisation.
    """

    label: str
    url_name: str
    order: int
    roles: frozenset[str] | None = None
    exact: bool = False
    # Also shown as a button at the top of every page of the organisation (and within
    # thumb's reach on a phone): « Signaler un incident ».
    prominent: bool = False
    audience: str = MEMBERS


@dataclass(frozen=True)
class DashboardCard:
    """A card of the dashboard: `template` rendered with what `context(request)` returns.

    `wide` cards come first, across the page (alerts such as overdue actions); the others
    fill the grid, by `order`. `context` may return None: the card is not shown.
    """

    template: str
    context: str
    order: int
    wide: bool = False
    audience: str = MEMBERS


@dataclass(frozen=True)
class AppDeclaration:
    """Everything core needs to know about an app. Every field is optional.

    - url_prefix, urls: `path(url_prefix, include(urls))` under /o/<org_slug>/.
    - public_prefix, public_urls: pages outside any organisation, reached without an
      account and without core.access: `path(public_prefix, include(public_urls))` at the
      root (a campaign's tracked links, a training's personal link). Each view proves its
      right to answer by an unguessable token of its own, and answers 404 otherwise.
    - nav: its navigation entries.
    - audit_labels: dotted path to a {code: label} dict for the audit log.
    - dashboard: its cards. todo: dotted path to `todo(request) -> [(text, url)]`, the
      "À faire maintenant" items, in order; `todo_order` places them among other apps'.
    - demo: dotted path to `load(demo: DemoData) -> None`, run in INSTALLED_APPS order by
      `pharmagarde demo` (core.demo), idempotent.
    - access_walk: dotted path to `make(organisation) -> None`, which creates one object of
      each of the app's tenant models in `organisation`, for tests/test_access_walk.py.
    - reminders: dotted path to `due(now) -> iterable of core.reminders.Due`.
    - periodic: dotted paths to `run(now) -> int`, called by the scheduler at each of its
      periods in one worker (core/scheduler.py); idempotent, cheap when nothing is due,
      returns how much it did.
    - answer_proposals: dotted path to `proposals(organisation) -> {question id:
      (choice ids, reason)}`: answers the app's own facts suggest for the diagnostic (the
      inventory: « Wi-Fi en WEP »). A new assessment proposes them, never over an answer.
    - account_prefix, account_urls: pages for a signed-in user across the organisations
      they belong to, under /mes-structures/<account_prefix> (the bulk assignment of a
      module to several officines). Each view is wrapped in core.access.account_view and
      acts only where the user's own membership allows it.
    - pack_sections: dotted path to `sections(pack: core.packs.PackRequest) ->
      list[core.packs.Section]`, what the app contributes to the audit packs (reports).
    - portfolio: dotted path to `summaries(memberships) -> {organisation id:
      [core.portfolio.Fact]}`, what the app says about each organisation on the page
      across one's organisations, in a bounded number of queries whatever their number.
    - federation_metrics: dotted path to a core.metrics.MetricSource: the app's values,
      per organisation, that federations aggregate (scores and counts, never names).
    - plan_sources: dotted paths to the app's sources of action-plan items (objects with
      at least `name` and `label`; see actions/sources.py): the plan reads them here, so
      that `actions` imports no source.
    """

    url_prefix: str = ""
    urls: str = ""
    public_prefix: str = ""
    public_urls: str = ""
    nav: tuple[NavEntry, ...] = ()
    audit_labels: str = ""
    dashboard: tuple[DashboardCard, ...] = ()
    todo: str = ""
    todo_order: int = 50
    demo: str = ""
    access_walk: str = ""
    reminders: str = ""
    plan_sources: tuple[str, ...] = ()
    periodic: tuple[str, ...] = ()
    answer_proposals: str = ""
    account_prefix: str = ""
    account_urls: str = ""
    pack_sections: str = ""
    portfolio: str = ""
    federation_metrics: str = ""


def declarations() -> list[tuple[str, AppDeclaration]]:
    """(app label, declaration) of every installed app that has one, in INSTALLED_APPS order."""
    return [(config.label, config.pharmagarde) for config in apps.get_app_configs()
            if isinstance(getattr(config, "pharmagarde", None), AppDeclaration)]


@cache
def resolve(path: str) -> Callable:
    return import_string(path)


def hooks(attribute: str) -> list[Callable]:
    """The callables named by `attribute` in every declaration that has one, in order."""
    return [resolve(getattr(declaration, attribute)) for _label, declaration in declarations()
            if getattr(declaration, attribute)]


def periodic_jobs() -> list[Callable]:
    """Every app's periodic work, in INSTALLED_APPS order."""
    return [resolve(path) for _label, declaration in declarations()
            for path in declaration.periodic]


def plan_sources() -> dict:
    """{source name: source object} over every app's declared plan sources."""
    found = {}
    for _label, declaration in declarations():
        for path in declaration.plan_sources:
            source = resolve(path)
            found[source.name] = source
    return found


def todo_hooks() -> list[Callable]:
    """The apps' to-do functions, by `todo_order` (then INSTALLED_APPS order)."""
    ordered = sorted((d for _label, d in declarations() if d.todo), key=lambda d: d.todo_order)
    return [resolve(declaration.todo) for declaration in ordered]


def nav_entries() -> list[NavEntry]:
    entries = [entry for _label, declaration in declarations() for entry in declaration.nav]
    return sorted(entries, key=lambda entry: entry.order)


def dashboard_cards() -> list[DashboardCard]:
    cards = [card for _label, declaration in declarations() for card in declaration.dashboard]
    return sorted(cards, key=lambda card: (not card.wide, card.order))


@dataclass
class DemoData:
    """What the core demo hands to each app's demo loader: the demo organisations by kind,
    the first responsable of each (the one who acts in the demo), and the counts of rows
    created, printed at the end."""

    organisations: dict
    responsables: dict
    counts: dict = field(default_factory=dict)

    def count(self, what: str, created: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + created
