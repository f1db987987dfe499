"""The requirements of each regime, as data, and the checklist a pack prints for them.

One YAML file per regime in regimes/ (general.yaml, cnil.yaml, dqo.yaml, cofrac.yaml,
care.yaml, nis2.yaml: the keys of core.packs.REGIMES), validated against SCHEMA when first
read: an error names the file, the line and the field. Our own French; each requirement
cites its reference.

Fields of a requirement: `id` (stable), `text` (what is expected, one sentence),
`reference` (« NIS 2, art. 21(2)(c) », « ISO 15189:2022 § 7.6.3 »), `answered_by` (the
keys of the pack sections that prove it, « continuity.restore_tests », references a
section declares in its `references`, « NIS 2, art. 20 », or one piece of evidence of a
section, « continuity.backups#hors-ligne »), and `note` (optional: how we read a source we
could not check item by item).

The state of a requirement in a pack, from the evidence of the sections that answer it
(each judged on the pack's day, core.packs.Evidence.freshness):
- met: every piece of evidence is fresh;
- partial: some evidence is stale, or some is missing while other is there;
- unmet: every piece of evidence is missing, or one is not met (its section's own figures
  say the requirement failed: a notification after 72 hours, a plan changed since it was
  approved — Evidence.failed, core.packs.FAILED);
- unknown: no section of the pack answers it, or none carries dated evidence (« Aucune
  preuve enregistrée dans Pharmagarde »).
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core.packs import (
    FAILED,
    FRESH,
    FRESHNESS_LABELS,
    MISSING,
    REGIMES,
    Checklist,
    PackRequest,
    Paragraph,
    Section,
    local_day,
    regime,
)
from pharmagarde.lib.yamllines import load_validated

REGIMES_DIR = Path(__file__).resolve().parent / "regimes"

MET = "met"
PARTIAL = "partial"
UNMET = "unmet"
UNKNOWN = "unknown"

# The one wording of a requirement's state: the checklist of the page, the PDF, the DOCX.
STATE_LABELS = {MET: gettext_lazy("satisfaite"), PARTIAL: gettext_lazy("en partie"),
                UNMET: gettext_lazy("non satisfaite"), UNKNOWN: gettext_lazy("à vérifier")}

# The checklist comes first in a pack, right after the organisation's identity.
CHECKLIST_KEY = "reports.checklist"
CHECKLIST_ORDER = 5

_TEXT = {"type": "string", "minLength": 10, "maxLength": 400}
_ANSWER = {"type": "string", "minLength": 3, "maxLength": 120}

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["regime", "requirements"],
    "properties": {
        "regime": {"enum": [r.key for r in REGIMES]},
        "intro": _TEXT | {"maxLength": 1000},
        "requirements": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "text", "reference", "answered_by"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$",
                           "maxLength": 60},
                    "text": _TEXT,
                    "reference": {"type": "string", "minLength": 3, "maxLength": 120},
                    "answered_by": {"type": "array", "minItems": 1, "uniqueItems": True,
                                    "items": _ANSWER},
                    "note": _TEXT | {"maxLength": 600},
                },
            },
        },
    },
}


class RegimeError(Exception):
    """A regime file that does not follow the format (the message names file, line, field)."""


@dataclass(frozen=True)
class Requirement:
    key: str
    text: str
    reference: str
    answered_by: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class RegimeRequirements:
    regime: str
    intro: str
    requirements: tuple[Requirement, ...]


def _clean(text: str) -> str:
    return " ".join(text.split())


def parse(text: str, filename: str) -> RegimeRequirements:
    """The requirements of one file's text."""
    data, lines = load_validated(text, filename, SCHEMA, RegimeError)
    seen = set()
    for index, item in enumerate(data["requirements"]):
        if item["id"] in seen:
            raise RegimeError(f"{filename}:{lines[('requirements', index)]} — "
                              f"requirements.{index}.id : l'exigence « {item['id']} » "
                              "apparaît deux fois")
        seen.add(item["id"])
    return RegimeRequirements(
        regime=data["regime"], intro=_clean(data.get("intro", "")),
        requirements=tuple(
            Requirement(key=item["id"], text=_clean(item["text"]),
                        reference=_clean(item["reference"]),
                        answered_by=tuple(map(_clean, item["answered_by"])),
                        note=_clean(item.get("note", "")))
            for item in data["requirements"]))


@cache
def catalogue(directory: Path = REGIMES_DIR) -> dict[str, RegimeRequirements]:
    """{regime key: its requirements} of every file in `directory`; every regime of
    core.packs.REGIMES must have its file, named after it."""
    found = {}
    for path in sorted(directory.glob("*.yaml")):
        parsed = parse(path.read_text(encoding="utf-8"), path.name)
        if parsed.regime != path.stem:
            raise RegimeError(f"{path.name}:1 — regime : « {parsed.regime} » doit être le "
                              "nom du fichier")
        found[parsed.regime] = parsed
    missing = [r.key for r in REGIMES if r.key not in found]
    if missing:
        raise RegimeError(f"{directory.name}/ — il manque le fichier de : "
                          f"{', '.join(missing)}")
    return found


def requirements_for(regime_key: str) -> RegimeRequirements | None:
    return catalogue().get(regime_key)


def _answers(requirement: Requirement, sections: list[Section]) -> list[tuple]:
    """(section, evidence) pairs that prove the requirement, each once: every piece of
    evidence of a section named by its key or by one of its references, or only the one
    named by « section key#evidence key »."""
    found = {}
    for entry in requirement.answered_by:
        key, _sep, evidence_key = entry.partition("#")
        for section in sections:
            if evidence_key:
                chosen = [e for e in section.evidence if e.key == evidence_key] \
                    if section.key == key else []
            else:
                chosen = section.evidence \
                    if section.key == entry or entry in section.references else []
            for evidence in chosen:
                found.setdefault((id(section), id(evidence)), (section, evidence))
    return list(found.values())


def _day(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _where(answering: list[tuple], pack: PackRequest) -> str:
    parts = []
    for section, evidence in answering:
        freshness = evidence.freshness(pack.today)
        when = _day(local_day(evidence.date)) if evidence.date else _("aucune date")
        state = str(FRESHNESS_LABELS[freshness])
        if freshness == FAILED:
            state += f" : {evidence.failed}"
        parts.append(f"{section.title} — {evidence.label} : {when} ({state})")
    return " ; ".join(parts)


def requirement_state(requirement: Requirement, sections: list[Section],
                      pack: PackRequest) -> tuple[str, str]:
    """(state, where the proof is) of one requirement among a pack's sections."""
    answering = _answers(requirement, sections)
    freshness = [evidence.freshness(pack.today) for _section, evidence in answering]
    if not freshness:
        return UNKNOWN, _("Aucune preuve enregistrée dans Pharmagarde")
    if all(value == FRESH for value in freshness):
        state = MET
    elif FAILED in freshness or all(value == MISSING for value in freshness):
        state = UNMET
    else:
        state = PARTIAL
    return state, _where(answering, pack)


def checklist_section(pack: PackRequest, sections: list[Section]) -> Section | None:
    """The pack's checklist: each requirement of its regime with its state, built from the
    other sections of the pack (None for a regime without requirements)."""
    found = requirements_for(pack.regime)
    if found is None:
        return None
    items = []
    counts = dict.fromkeys(STATE_LABELS, 0)
    for requirement in found.requirements:
        state, where = requirement_state(requirement, sections, pack)
        counts[state] += 1
        text = f"{requirement.text} ({requirement.note})" if requirement.note \
            else requirement.text
        items.append((text, requirement.reference, state, where))
    summary = _("Exigences satisfaites : %(met)d ; en partie : %(partial)d ; non "
                "satisfaites : %(unmet)d ; sans preuve dans Pharmagarde : %(unknown)d.") % counts
    blocks = [Paragraph(found.intro)] if found.intro else []
    blocks += [Paragraph(summary), Checklist(tuple(items))]
    label = regime(pack.regime).label
    return Section(key=CHECKLIST_KEY, title=_("Liste de vérification : %(regime)s")
                   % {"regime": label}, order=CHECKLIST_ORDER, blocks=blocks)
