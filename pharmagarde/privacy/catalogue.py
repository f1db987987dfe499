"""The processings proposed to each kind of organisation for its register (art. 30 GDPR),
as data.

One YAML file per kind in catalogue/ (officine.yaml, pui.yaml, lbm.yaml, industrie.yaml,
distribution.yaml), validated against SCHEMA when first read: an error names the file and
the line. A register is prefilled once from the file of its kind
(register_services.register_prefill); each processing keeps its `cle`, which later shows the
usual processors of the processing as a hint on its page. Our own French, for a pharmacist
with no IT background.

Fields of a processing: `cle` (stable), `nom`, `finalite`, `base_legale` (LegalBasis),
`precision_base` (the text it rests on), `exception_sante` (SpecialBasis, required with
`donnees_sante`), `personnes`, `donnees`, `destinataires` (lists of lines), `donnees_sante`
and `nir` (flags), `transferts` (Processing.Transfers, « aucun » when left out),
`conservation` (rows of {donnees, duree, reference, a_verifier}: a duration we propose
without a reference we could confirm says so with a_verifier: true), `mesures` (typical
security measures), `themes` (ids of the diagnostic's themes that protect it), `optionnel`
(« where it exists »: proposed as to confirm) and `sous_traitants` (Processor.Service values,
a hint).
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pharmagarde.lib.yamllines import load_validated

from .models import LegalBasis, Processing, Processor, SpecialBasis

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
ORGANISATION_KINDS = ["officine", "pui", "lbm", "industrie", "distribution"]

_LINE = {"type": "string", "minLength": 3, "maxLength": 300}
_LINES = {"type": "array", "minItems": 1, "items": _LINE}

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "traitements"],
    "properties": {
        "type": {"enum": ORGANISATION_KINDS},
        "traitements": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["cle", "nom", "finalite", "base_legale", "precision_base",
                             "personnes", "donnees", "donnees_sante", "nir",
                             "destinataires", "conservation", "mesures", "themes"],
                "properties": {
                    "cle": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$",
                            "maxLength": 60},
                    "nom": {"type": "string", "minLength": 3, "maxLength": 150},
                    "finalite": {"type": "string", "minLength": 10, "maxLength": 2000},
                    "base_legale": {"enum": list(LegalBasis.values)},
                    "precision_base": _LINE,
                    "exception_sante": {"enum": list(SpecialBasis.values)},
                    "personnes": _LINES,
                    "donnees": _LINES,
                    "donnees_sante": {"type": "boolean"},
                    "nir": {"type": "boolean"},
                    "destinataires": _LINES,
                    "transferts": {"enum": list(Processing.Transfers.values)},
                    "conservation": {
                        "type": "array", "minItems": 1,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["donnees", "duree", "reference"],
                            "properties": {
                                "donnees": {"type": "string", "minLength": 3,
                                            "maxLength": 200},
                                "duree": {"type": "string", "minLength": 3,
                                          "maxLength": 200},
                                "reference": _LINE,
                                "a_verifier": {"type": "boolean"},
                            },
                        },
                    },
                    "mesures": _LINES,
                    "themes": {"type": "array", "uniqueItems": True,
                               "items": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"}},
                    "optionnel": {"type": "boolean"},
                    "sous_traitants": {"type": "array", "uniqueItems": True,
                                       "items": {"enum": list(Processor.Service.values)}},
                },
                # Health data may be processed only under one of the art. 9(2) exceptions.
                "if": {"properties": {"donnees_sante": {"const": True}}},
                "then": {"required": ["exception_sante"]},
            },
        },
    },
}


class CatalogueError(Exception):
    """A catalogue file that does not follow the format (the message names file and line)."""


@dataclass(frozen=True)
class RetentionEntry:
    data: str
    duration: str
    reference: str
    to_check: bool = False


@dataclass(frozen=True)
class Entry:
    """One processing the register of a kind of organisation starts with."""

    key: str
    name: str
    purpose: str
    legal_basis: str
    legal_basis_detail: str
    special_basis: str
    people: tuple[str, ...]
    data_categories: tuple[str, ...]
    health_data: bool
    nir: bool
    recipients: tuple[str, ...]
    transfers: str
    retentions: tuple[RetentionEntry, ...]
    security_measures: tuple[str, ...]
    themes: tuple[str, ...]
    optional: bool = False
    processor_services: tuple[str, ...] = ()

    def model_fields(self) -> dict:
        """The Processing fields this entry prefills (lists joined by newlines)."""
        return {"key": self.key, "name": self.name, "purpose": self.purpose,
                "legal_basis": self.legal_basis,
                "legal_basis_detail": self.legal_basis_detail,
                "special_basis": self.special_basis, "people": "\n".join(self.people),
                "data_categories": "\n".join(self.data_categories),
                "health_data": self.health_data, "nir": self.nir,
                "recipients": "\n".join(self.recipients), "transfers": self.transfers,
                "security_measures": "\n".join(self.security_measures),
                "themes": list(self.themes),
                # « Where it exists »: the organisation says whether it does it.
                "in_use": None if self.optional else True}

    def processor_labels(self) -> list[str]:
        return [str(Processor.Service(value).label) for value in self.processor_services]


def _clean(text: str) -> str:
    return " ".join(text.split())


def _lines(values) -> tuple[str, ...]:
    return tuple(map(_clean, values))


def _entry(item: dict) -> Entry:
    return Entry(
        key=item["cle"], name=_clean(item["nom"]), purpose=_clean(item["finalite"]),
        legal_basis=item["base_legale"], legal_basis_detail=_clean(item["precision_base"]),
        special_basis=item.get("exception_sante", ""), people=_lines(item["personnes"]),
        data_categories=_lines(item["donnees"]), health_data=item["donnees_sante"],
        nir=item["nir"], recipients=_lines(item["destinataires"]),
        transfers=item.get("transferts", Processing.Transfers.NONE.value),
        retentions=tuple(RetentionEntry(data=_clean(row["donnees"]),
                                        duration=_clean(row["duree"]),
                                        reference=_clean(row["reference"]),
                                        to_check=row.get("a_verifier", False))
                         for row in item["conservation"]),
        security_measures=_lines(item["mesures"]), themes=tuple(item["themes"]),
        optional=item.get("optionnel", False),
        processor_services=tuple(item.get("sous_traitants", ())))


def parse(text: str, filename: str) -> tuple[str, tuple[Entry, ...]]:
    """(organisation kind, its processings) of one file's text."""
    data, lines = load_validated(text, filename, SCHEMA, CatalogueError)
    seen = set()
    for index, item in enumerate(data["traitements"]):
        if item["cle"] in seen:
            raise CatalogueError(f"{filename}:{lines[('traitements', index)]} — le "
                                 f"traitement « {item['cle']} » apparaît deux fois")
        seen.add(item["cle"])
    return data["type"], tuple(_entry(item) for item in data["traitements"])


@cache
def catalogue(directory: Path = CATALOGUE_DIR) -> dict[str, tuple[Entry, ...]]:
    """{organisation kind: its processings} of every file in `directory`; every kind must
    have its file."""
    found = {}
    for path in sorted(directory.glob("*.yaml")):
        kind, entries = parse(path.read_text(encoding="utf-8"), path.name)
        if kind != path.stem:
            raise CatalogueError(f"{path.name}:1 — le type « {kind} » doit être le nom du "
                                 "fichier")
        found[kind] = entries
    missing = [kind for kind in ORGANISATION_KINDS if kind not in found]
    if missing:
        raise CatalogueError(f"{directory.name}/ — il manque le fichier de : "
                             f"{', '.join(missing)}")
    return found


def entries_for(organisation_kind: str) -> tuple[Entry, ...]:
    return catalogue().get(organisation_kind, ())


def entry(organisation_kind: str, key: str) -> Entry | None:
    """The prefilled processing of that key for this kind, if there is one."""
    return next((item for item in entries_for(organisation_kind) if item.key == key), None)
