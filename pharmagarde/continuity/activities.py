"""The critical activities proposed to each kind of organisation, as data.

One YAML file per kind of organisation in activities/ (officine.yaml, pui.yaml, lbm.yaml,
industrie.yaml, distribution.yaml), validated against SCHEMA when first read: an error
names the file and the line. A structure's plan is prefilled once from the file of its
kind (plan_services.plan_prefill); each activity keeps its `cle`, which later shows the
typical dependencies of the activity as a hint on its form. Our own French, for a
pharmacist with no IT background.

Fields of an activity: `cle` (stable), `nom`, `description`, `dmia` and `pdma` (hours:
the longest the activity may stop, the most recent work the structure may lose and redo),
`impact` (CriticalActivity.Impact), `consequences`, `dependances` (the usual ones, a hint),
`mode_degrade`, `qui_fait_quoi`, `retour_normal` (one line each) and `formulaires` (keys of
forms_paper.py).
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pharmagarde.lib.yamllines import load_validated

from . import forms_paper

ACTIVITIES_DIR = Path(__file__).resolve().parent / "activities"
ORGANISATION_KINDS = ["officine", "pui", "lbm", "industrie", "distribution"]
IMPACTS = ["faible", "moyen", "grave", "critique"]
# Hours: at most a year.
MAX_HOURS = 8760

_LINE = {"type": "string", "minLength": 5, "maxLength": 400}
_LINES = {"type": "array", "minItems": 1, "items": _LINE}
_HOURS = {"type": "integer", "minimum": 0, "maximum": MAX_HOURS}

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "activites"],
    "properties": {
        "type": {"enum": ORGANISATION_KINDS},
        "activites": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["cle", "nom", "description", "dmia", "pdma", "impact",
                             "consequences", "mode_degrade", "qui_fait_quoi",
                             "retour_normal", "formulaires"],
                "properties": {
                    "cle": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$",
                            "maxLength": 60},
                    "nom": {"type": "string", "minLength": 3, "maxLength": 150},
                    "description": {"type": "string", "minLength": 10, "maxLength": 2000},
                    "dmia": _HOURS,
                    "pdma": _HOURS,
                    "impact": {"enum": IMPACTS},
                    "consequences": {"type": "string", "minLength": 10, "maxLength": 2000},
                    "dependances": {"type": "string", "minLength": 3, "maxLength": 500},
                    "mode_degrade": _LINES,
                    "qui_fait_quoi": _LINES,
                    "retour_normal": _LINES,
                    "formulaires": {"type": "array", "uniqueItems": True,
                                    "items": {"enum": list(forms_paper.KEYS)}},
                },
            },
        },
    },
}


class ActivitiesError(Exception):
    """An activities file that does not follow the format (the message names file and line)."""


@dataclass(frozen=True)
class Activity:
    key: str
    name: str
    description: str
    max_outage_hours: int
    max_data_loss_hours: int
    impact: str
    impact_detail: str
    degraded_procedure: tuple[str, ...]
    roles: tuple[str, ...]
    return_to_normal: tuple[str, ...]
    paper_forms: tuple[str, ...]
    dependencies_hint: str = ""

    def model_fields(self) -> dict:
        """The CriticalActivity fields this activity prefills (lines joined by newlines)."""
        return {"key": self.key, "name": self.name, "description": self.description,
                "max_outage_hours": self.max_outage_hours,
                "max_data_loss_hours": self.max_data_loss_hours, "impact": self.impact,
                "impact_detail": self.impact_detail,
                "degraded_procedure": "\n".join(self.degraded_procedure),
                "roles": "\n".join(self.roles),
                "return_to_normal": "\n".join(self.return_to_normal),
                "paper_forms": list(self.paper_forms)}


def _clean(text: str) -> str:
    return " ".join(text.split())


def parse(text: str, filename: str) -> tuple[str, tuple[Activity, ...]]:
    """(organisation kind, its activities) of one file's text."""
    data, lines = load_validated(text, filename, SCHEMA, ActivitiesError)
    seen = set()
    for index, item in enumerate(data["activites"]):
        if item["cle"] in seen:
            raise ActivitiesError(f"{filename}:{lines[('activites', index)]} — l'activité "
                                  f"« {item['cle']} » apparaît deux fois")
        seen.add(item["cle"])
    return data["type"], tuple(
        Activity(key=item["cle"], name=_clean(item["nom"]),
                 description=_clean(item["description"]), max_outage_hours=item["dmia"],
                 max_data_loss_hours=item["pdma"], impact=item["impact"],
                 impact_detail=_clean(item["consequences"]),
                 degraded_procedure=tuple(map(_clean, item["mode_degrade"])),
                 roles=tuple(map(_clean, item["qui_fait_quoi"])),
                 return_to_normal=tuple(map(_clean, item["retour_normal"])),
                 paper_forms=tuple(item["formulaires"]),
                 dependencies_hint=_clean(item.get("dependances", "")))
        for item in data["activites"])


@cache
def catalogue(directory: Path = ACTIVITIES_DIR) -> dict[str, tuple[Activity, ...]]:
    """{organisation kind: its activities} of every file in `directory`; every kind must
    have its file."""
    found = {}
    for path in sorted(directory.glob("*.yaml")):
        kind, items = parse(path.read_text(encoding="utf-8"), path.name)
        if kind != path.stem:
            raise ActivitiesError(f"{path.name}:1 — le type « {kind} » doit être le nom du "
                                  "fichier")
        found[kind] = items
    missing = [kind for kind in ORGANISATION_KINDS if kind not in found]
    if missing:
        raise ActivitiesError(f"{directory.name}/ — il manque le fichier de : "
                              f"{', '.join(missing)}")
    return found


def activities_for(organisation_kind: str) -> tuple[Activity, ...]:
    return catalogue().get(organisation_kind, ())


def activity(organisation_kind: str, key: str) -> Activity | None:
    """The prefilled activity of that key for this kind, if there is one."""
    return next((item for item in activities_for(organisation_kind) if item.key == key),
                None)
