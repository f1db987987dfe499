"""The crisis exercise scenarios, as data: one YAML file per scenario in scenarios/.

Their shape follows the stages of the ANSSI guide to organising a cyber crisis exercise:
what the exercise is for (objectives), the story told at the start (context), who plays
which part (roles), the timeline of the stimuli (« injects ») each with the minute it is
released at, the channel it comes through and the reaction expected, the observer's grid,
and the questions of the debrief. Short formats (45 to 90 minutes) that a titulaire can run
with three people. Our own French; `pour` keeps a scenario to some kinds of organisation.

Validated against SCHEMA when first read: an error names the file and the line. A
stimulus's `id` is stable: the events of past exercises keep it (ExerciseEvent.inject).
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from pharmagarde.lib.yamllines import load_validated

SCENARIOS_DIR = Path(__file__).resolve().parent / "scenarios"
ORGANISATION_KINDS = ["officine", "pui", "lbm", "industrie", "distribution"]
CHANNELS = {
    "telephone": _("Téléphone"),
    "courriel": _("Courriel"),
    "sms": _("SMS"),
    "messagerie": _("Messagerie instantanée"),
    "ecran": _("Écran"),
    "personne": _("En personne"),
    "courrier": _("Courrier"),
}
MIN_DURATION, MAX_DURATION = 45, 90

_ID = {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": 60}
_TEXT = {"type": "string", "minLength": 5}
_LIST_OF_TEXTS = {"type": "array", "minItems": 1, "items": _TEXT}

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "titre", "resume", "duree", "participants", "objectifs", "contexte",
                 "roles", "stimuli", "grille", "debrief", "references"],
    "properties": {
        "id": _ID,
        "titre": {"type": "string", "minLength": 5, "maxLength": 150},
        "resume": {"type": "string", "minLength": 20, "maxLength": 400},
        "duree": {"type": "integer", "minimum": MIN_DURATION, "maximum": MAX_DURATION},
        "participants": {"type": "integer", "minimum": 2, "maximum": 8},
        "pour": {"type": "array", "minItems": 1, "uniqueItems": True,
                 "items": {"enum": ORGANISATION_KINDS}},
        "objectifs": {**_LIST_OF_TEXTS, "minItems": 2},
        "contexte": {"type": "string", "minLength": 50},
        "roles": {
            "type": "array", "minItems": 2,
            "items": {
                "type": "object", "additionalProperties": False,
                "required": ["role", "mission"],
                "properties": {"role": {"type": "string", "minLength": 3, "maxLength": 60},
                               "qui": {"type": "string"}, "mission": _TEXT},
            },
        },
        "stimuli": {
            "type": "array", "minItems": 4,
            "items": {
                "type": "object", "additionalProperties": False,
                "required": ["id", "minute", "canal", "de", "texte", "reaction"],
                "properties": {
                    "id": _ID,
                    "minute": {"type": "integer", "minimum": 0, "maximum": MAX_DURATION},
                    "moment": {"type": "string", "maxLength": 60},
                    "canal": {"enum": list(CHANNELS)},
                    "de": {"type": "string", "minLength": 3, "maxLength": 100},
                    "texte": {"type": "string", "minLength": 10, "maxLength": 1000},
                    "reaction": {"type": "string", "minLength": 10, "maxLength": 1000},
                },
            },
        },
        "grille": {
            "type": "array", "minItems": 3,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["id", "point"],
                      "properties": {"id": _ID, "point": {**_TEXT, "maxLength": 300}}},
        },
        "debrief": {
            "type": "array", "minItems": 3,
            "items": {"type": "object", "additionalProperties": False,
                      "required": ["id", "question"],
                      "properties": {"id": _ID, "question": {**_TEXT, "maxLength": 300}}},
        },
        "references": _LIST_OF_TEXTS,
    },
}


class ScenarioError(Exception):
    """A scenario file that does not follow the format (the message names file and line)."""


@dataclass(frozen=True)
class Role:
    name: str
    mission: str
    who: str = ""


@dataclass(frozen=True)
class Inject:
    id: str
    minute: int
    channel: str
    sender: str
    text: str
    reaction: str
    moment: str = ""  # the time in the story ("Nuit, 1 h 17"), when it differs

    @property
    def channel_label(self) -> str:
        return str(CHANNELS[self.channel])


@dataclass(frozen=True)
class Point:
    """One line of the observer's grid, or one debrief question."""

    id: str
    text: str


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    duration: int
    participants: int
    kinds: tuple[str, ...]  # empty: every kind of organisation
    objectives: tuple[str, ...]
    context: str
    roles: tuple[Role, ...]
    injects: tuple[Inject, ...]
    grid: tuple[Point, ...]
    debrief: tuple[Point, ...]
    references: tuple[str, ...]

    def applies(self, organisation_kind: str) -> bool:
        return not self.kinds or organisation_kind in self.kinds

    def inject(self, inject_id: str) -> Inject | None:
        return next((inject for inject in self.injects if inject.id == inject_id), None)


def _check(data: dict, lines: dict, filename: str) -> None:
    """What the schema cannot say: ids unique in each list, stimuli in time order and
    released before the end."""
    for section in ("stimuli", "grille", "debrief"):
        seen = set()
        for index, item in enumerate(data[section]):
            if item["id"] in seen:
                raise ScenarioError(f"{filename}:{lines[(section, index, 'id')]} — l'identifiant "
                                    f"« {item['id']} » apparaît deux fois dans « {section} »")
            seen.add(item["id"])
    previous = 0
    for index, inject in enumerate(data["stimuli"]):
        line = lines[("stimuli", index, "minute")]
        if inject["minute"] < previous:
            raise ScenarioError(f"{filename}:{line} — le stimulus « {inject['id']} » (minute "
                                f"{inject['minute']}) vient avant le précédent (minute "
                                f"{previous}) : rangez les stimuli dans l'ordre du temps")
        if inject["minute"] >= data["duree"]:
            raise ScenarioError(f"{filename}:{line} — le stimulus « {inject['id']} » (minute "
                                f"{inject['minute']}) tombe après la fin de l'exercice "
                                f"({data['duree']} minutes)")
        previous = inject["minute"]


def parse(text: str, filename: str) -> Scenario:
    data, lines = load_validated(text, filename, SCHEMA, ScenarioError)
    _check(data, lines, filename)
    return Scenario(
        id=data["id"], title=data["titre"], summary=data["resume"], duration=data["duree"],
        participants=data["participants"], kinds=tuple(data.get("pour", ())),
        objectives=tuple(data["objectifs"]), context=data["contexte"],
        roles=tuple(Role(name=r["role"], mission=r["mission"], who=r.get("qui", ""))
                    for r in data["roles"]),
        injects=tuple(Inject(id=s["id"], minute=s["minute"], channel=s["canal"],
                             sender=s["de"], text=s["texte"], reaction=s["reaction"],
                             moment=s.get("moment", "")) for s in data["stimuli"]),
        grid=tuple(Point(id=p["id"], text=p["point"]) for p in data["grille"]),
        debrief=tuple(Point(id=q["id"], text=q["question"]) for q in data["debrief"]),
        references=tuple(data["references"]))


@cache
def scenarios(directory: Path = SCENARIOS_DIR) -> dict[str, Scenario]:
    """{id: scenario} of every file in `directory`, in the order of their duration."""
    found = []
    for path in sorted(directory.glob("*.yaml")):
        scenario = parse(path.read_text(encoding="utf-8"), path.name)
        if scenario.id != path.stem:
            raise ScenarioError(f"{path.name}:1 — l'identifiant « {scenario.id} » doit être "
                                "le nom du fichier")
        found.append(scenario)
    return {s.id: s for s in sorted(found, key=lambda s: (s.duration, s.title))}


def scenario(scenario_id: str) -> Scenario | None:
    return scenarios().get(scenario_id)


def for_kind(organisation_kind: str) -> list[Scenario]:
    """The scenarios an organisation of this kind may run, shortest first."""
    return [s for s in scenarios().values() if s.applies(organisation_kind)]
