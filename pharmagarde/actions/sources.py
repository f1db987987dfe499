"""The sources of the action plan: what they hand over, and how they word their actions.

A source is an app that feeds the plan (the diagnostic today; inventory findings, incident
lessons, exercise findings next). It hands over its current list of items with
`services.plan_reconcile()`, and it is declared in its app's AppDeclaration
(`plan_sources=("pharmagarde.<app>.plan_source.SOURCE",)`), read here through
core.registry: `actions` imports no source. A source depends on the plan, never the
reverse.

The plan shows, for each action, its source's label and what the action settles there,
worded by the source (`describe`). "manual" is the plan's own source: actions added by
hand. A hand-made action may say what it settles at a source that offers a picker
(`manual_choices`); the plan keeps those keys in its `source_data["closes"]`.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.utils.translation import gettext_lazy as _

from pharmagarde.core import registry

if TYPE_CHECKING:
    from pharmagarde.core.models import Organisation

    from .models import Action

MANUAL = "manual"

# [(group title, [(key, text)])]: the choices of a picker, in groups (the diagnostic's themes).
GroupedChoices = list[tuple[str, list[tuple[str, str]]]]


@dataclass(frozen=True)
class PlanItem:
    """One thing a source says should be done, as it says it now.

    `key` is stable across the source's versions (a measure id, a finding's rule and
    object): the plan keeps one action per (organisation, source, key). Text fields are
    stored as given, in the content's language (no gettext: the same input must give the
    same action whoever triggers the reconciliation). `data` is a small JSON-able dict the
    source owns (the diagnostic's question ids and level); the plan only stores it.
    """

    key: str
    title: str
    description: str = ""
    why: str = ""
    how: str = ""
    effort: str = "moyen"
    priority: int = 500
    criticality: str = "normale"
    references: tuple[str, ...] = ()
    data: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class ReconcileResult:
    """What plan_reconcile changed, one count per action (its most telling change)."""

    created: int = 0
    updated: int = 0
    reopened: int = 0
    resolved: int = 0
    removed: int = 0

    @property
    def changes(self) -> int:
        return self.created + self.updated + self.reopened + self.resolved + self.removed

    def __bool__(self) -> bool:
        return self.changes > 0


@dataclass(frozen=True)
class ClosedItem:
    """One thing an action settles at a source; `missing` when the source no longer knows
    it (a question removed from the questionnaire), named by its key."""

    text: str
    missing: bool = False


@dataclass(frozen=True)
class Closes:
    """What an action settles at one source, in that source's words.

    `heading` titles the list on the action's page, `summary` shortens it in the plan's
    table ("Règle 2 questions du diagnostic"); `done_note` is said when the action is
    finished (what happens next at the source).
    """

    heading: str
    summary: str
    items: tuple[ClosedItem, ...]
    done_note: str = ""


class PlanSource(Protocol):
    """What the plan reads of a source. `Source` below gives every optional member."""

    name: str  # stored in Action.source; never "manual"
    label: str  # its badge and its entry in the "Origine" filter
    resolved_label: str  # badge of an open action whose item is gone at the source
    origin_note: str  # under the fields the source writes, on the action's form
    deleted_message: str  # "« %(title)s » est supprimée du plan." and what happens next
    detail_template: str  # card of the action's page: what the source recommends
    picker_label: str  # the field of a hand-made action naming what it settles here
    picker_help: str
    picker_summary: str  # the button that opens the picker

    def describe(self, actions: Sequence["Action"]) -> dict[int, Closes]:
        """{action id: Closes} for the actions of this list that settle something here
        (its own, and hand-made ones linked to it). Called once per list (a page, a
        chunk of an export): it must cost the same whatever the list's length."""

    def manual_choices(self, organisation: "Organisation") -> GroupedChoices:
        """The picker of a hand-made action; [] when the source offers none."""


class Source:
    """A convenient base for sources: every optional member of PlanSource, with defaults."""

    name = ""
    label = ""
    resolved_label = _("Résolue à la source")
    origin_note = _("Vient de l'origine de l'action.")
    deleted_message = _("« %(title)s » est supprimée du plan.")
    detail_template = "actions/_source_detail.html"
    picker_label = ""
    picker_help = ""
    picker_summary = _("Choisir")

    def describe(self, actions: Sequence["Action"]) -> dict[int, Closes]:
        return {}

    def manual_choices(self, organisation: "Organisation") -> GroupedChoices:
        return []


class OriginSource(Source):
    """A source whose items each carry one line saying where they come from, in
    `PlanItem.data["origine"]` (an exercise's finding, a processor's missing clause), and
    come from the parts of its app: `providers` are dotted paths to their
    `items(organisation) -> [PlanItem]`, chained by `items` and handed to the plan by
    `sync`."""

    providers: tuple[str, ...] = ()

    def items(self, organisation) -> list[PlanItem]:
        from django.utils.module_loading import import_string

        return [item for path in self.providers for item in import_string(path)(organisation)]

    def sync(self, *, organisation, acting_user=None):
        """Hand the plan the current list; called after every change that may alter it."""
        from .services import plan_reconcile

        return plan_reconcile(acting_user=acting_user, organisation=organisation,
                              source=self.name, items=self.items(organisation))

    def describe(self, actions: Sequence["Action"]) -> dict[int, Closes]:
        return {action.pk: Closes(heading=str(_("Origine")),
                                  summary=(action.source_data or {}).get("origine", ""),
                                  items=(), done_note="")
                for action in actions if action.source == self.name}


class ManualSource(Source):
    name = MANUAL
    label = _("Ajout manuel")
    detail_template = ""


class UnknownSource(Source):
    """A source whose app is no longer installed: its actions stay, named by their source."""

    def __init__(self, name: str):
        self.name = self.label = name


MANUAL_SOURCE = ManualSource()


def all_sources() -> dict[str, PlanSource]:
    """{name: source}: the declared sources in INSTALLED_APPS order, then "manual"."""
    return {**registry.plan_sources(), MANUAL: MANUAL_SOURCE}


def source_for(name: str) -> PlanSource:
    return all_sources().get(name) or UnknownSource(name)


def choices() -> list[tuple[str, str]]:
    """(name, label) of every source, for the "Origine" filter."""
    return [(name, source.label) for name, source in all_sources().items()]


def with_closes(actions: Iterable["Action"]) -> list["Action"]:
    """Evaluate `actions` and give each a `closes` list, one Closes per source it settles
    something at (and `closes_by_source`, by source name). One describe() call per
    source, whatever the list's length."""
    actions = list(actions)
    for action in actions:
        action.closes, action.closes_by_source = [], {}
    for name, source in all_sources().items():
        described = source.describe(actions)
        if described:
            for action in actions:
                if action.pk in described:
                    action.closes.append(described[action.pk])
                    action.closes_by_source[name] = described[action.pk]
    return actions


def pickers(organisation: "Organisation") -> list[tuple[PlanSource, GroupedChoices]]:
    """The sources a hand-made action may say it settles something at, with their choices."""
    found = []
    for source in all_sources().values():
        choices = source.manual_choices(organisation)
        if choices:
            found.append((source, choices))
    return found
