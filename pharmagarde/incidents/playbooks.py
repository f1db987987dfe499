"""The playbooks: for each kind of incident, the immediate reflexes, as data.

One YAML file per incident kind in playbooks/ (format in docs/incidents.md), validated
against SCHEMA when first read: an error names the file and the line. Each step may be
kept to some kinds of organisation (`pour`) and name the emergency contacts to call
(`appeler`, EmergencyContact.Kind values). Our own French, from the dossier of the Ordre and
the reflexes of ANSSI and cybermalveillance.gouv.fr (../shared/reference/regulatory-facts.md
§7); a step's `id` is stable, since the reflexes of past incidents keep it.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pharmagarde.lib.yamllines import load_validated

PLAYBOOKS_DIR = Path(__file__).resolve().parent / "playbooks"
ORGANISATION_KINDS = ["officine", "pui", "lbm", "industrie", "distribution"]
CONTACT_KINDS = ["prestataire", "editeur", "hebergeur", "assureur", "cert-sante",
                 "cybermalveillance", "police", "ars", "ordre", "dpo", "cnil", "autre"]

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "titre", "resume", "etapes"],
    "properties": {
        "type": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
        "titre": {"type": "string", "minLength": 3},
        "resume": {"type": "string", "minLength": 10},
        "etapes": {
            "type": "array", "minItems": 3,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "texte"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
                    "texte": {"type": "string", "minLength": 5, "maxLength": 300},
                    "detail": {"type": "string"},
                    "pour": {"type": "array", "minItems": 1,
                             "items": {"enum": ORGANISATION_KINDS}},
                    "appeler": {"type": "array", "minItems": 1,
                                "items": {"enum": CONTACT_KINDS}},
                },
            },
        },
    },
}


class PlaybookError(Exception):
    """A playbook file that does not follow the format (the message names file and line)."""


@dataclass(frozen=True)
class Step:
    id: str
    text: str
    detail: str = ""
    kinds: tuple[str, ...] = ()  # empty: every kind of organisation
    call: tuple[str, ...] = ()

    def applies(self, organisation_kind: str) -> bool:
        return not self.kinds or organisation_kind in self.kinds


@dataclass(frozen=True)
class Playbook:
    kind: str
    title: str
    summary: str
    steps: tuple[Step, ...]

    def steps_for(self, organisation_kind: str) -> list[Step]:
        return [step for step in self.steps if step.applies(organisation_kind)]


def parse(text: str, filename: str) -> Playbook:
    data, lines = load_validated(text, filename, SCHEMA, PlaybookError)
    seen = set()
    for index, step in enumerate(data["etapes"]):
        if step["id"] in seen:
            raise PlaybookError(f"{filename}:{lines[('etapes', index)]} — l'étape "
                                f"« {step['id']} » apparaît deux fois")
        seen.add(step["id"])
    return Playbook(kind=data["type"], title=data["titre"], summary=data["resume"],
                    steps=tuple(Step(id=s["id"], text=s["texte"], detail=s.get("detail", ""),
                                     kinds=tuple(s.get("pour", ())),
                                     call=tuple(s.get("appeler", ())))
                                for s in data["etapes"]))


@cache
def playbooks(directory: Path = PLAYBOOKS_DIR) -> dict[str, Playbook]:
    """{incident kind: playbook} of every file in `directory`."""
    found = {}
    for path in sorted(directory.glob("*.yaml")):
        playbook = parse(path.read_text(encoding="utf-8"), path.name)
        if playbook.kind != path.stem:
            raise PlaybookError(f"{path.name}:1 — le type « {playbook.kind} » doit être le "
                                "nom du fichier")
        found[playbook.kind] = playbook
    return found


def playbook(kind: str) -> Playbook:
    """The playbook of an incident kind; the one of « autre » for a kind that has none."""
    books = playbooks()
    return books.get(kind) or books["autre"]
