"""An audit pack's content, gathered once and rendered four ways (page, PDF, DOCX, XLSX).

`collect(pack_request)` asks every app for its sections (the `pack_sections` of each
declaration, core/registry.py), orders them by `order`, adds the regime's checklist
(reports/checklists.py, matched to the sections' evidence by their references) and the
summary of the evidence's freshness, stale and missing pieces first: what to fix before
the audit. The cover says whose pack it is, for which regime, as of which day.

What an app hands over is data (core/packs.py): nothing here is HTML, except a Figure's
SVG, which its app built from numbers. Every renderer escapes the rest.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from pharmagarde.core import packs
from pharmagarde.core.packs import (
    FAILED,
    FRESH,
    FRESHNESS_LABELS,
    MISSING,
    STALE,
    Checklist,
    Evidence,
    Facts,
    Figure,
    PackRequest,
    Paragraph,
    Section,
    Table,
)
from pharmagarde.core.registry import declarations, resolve

from .checklists import checklist_section

# progress(done, total, what): called before each app's sections are asked for, then once
# with done == total.
Progress = Callable[[int, int, str], None]

BLOCK_KINDS = {Paragraph: "paragraph", Facts: "facts", Table: "table", Figure: "figure",
               Checklist: "checklist"}


@dataclass(frozen=True)
class Block:
    """A block with the name of its kind, which picks its template and its DOCX writer."""

    kind: str
    data: object


@dataclass(frozen=True)
class Proof:
    """One piece of evidence as the pack judges it, with the section it belongs to."""

    evidence: Evidence
    freshness: str
    section_title: str
    anchor: str

    @property
    def label(self) -> str:
        return self.evidence.label

    @property
    def freshness_label(self) -> str:
        return str(FRESHNESS_LABELS[self.freshness])

    @property
    def to_fix(self) -> bool:
        return self.freshness != FRESH

    @property
    def note(self) -> str:
        """What the pack says beside it: why it is not met, or the section's detail."""
        return self.evidence.failed or self.evidence.detail


@dataclass
class Part:
    """A section of the document: the app's Section, its blocks tagged, its evidence
    judged, and its anchor (the table of contents links to it)."""

    section: Section
    anchor: str
    blocks: list[Block]
    proofs: list[Proof]

    @property
    def title(self) -> str:
        return self.section.title


@dataclass
class Document:
    organisation: object
    regime: packs.Regime
    today: datetime.date
    generated_at: datetime.datetime
    cover: list[tuple[str, str]]
    parts: list[Part] = field(default_factory=list)

    @property
    def proofs(self) -> list[Proof]:
        return [proof for part in self.parts for proof in part.proofs]

    @property
    def counts(self) -> dict:
        counts = {FRESH: 0, STALE: 0, MISSING: 0, FAILED: 0}
        for proof in self.proofs:
            counts[proof.freshness] += 1
        return counts

    @property
    def to_fix(self) -> list[Proof]:
        """Pieces not met first, then missing ones, then stale ones, each in the order of
        the document."""
        rank = {FAILED: 0, MISSING: 1, STALE: 2}
        proofs = [proof for proof in self.proofs if proof.to_fix]
        return sorted(proofs, key=lambda proof: rank[proof.freshness])

    @property
    def title(self) -> str:
        return str(self.regime.label)

    @property
    def date_label(self) -> str:
        """The day it was made, as every page prints it (« 05/01/2026 »)."""
        return cell_text(timezone.localdate(self.generated_at))

    @property
    def tables(self) -> list[tuple[Part, Table]]:
        return [(part, block.data) for part in self.parts for block in part.blocks
                if block.kind == "table"]


def cell_text(value) -> str:
    """A table cell as the page, the PDF and the DOCX print it."""
    from django.utils import formats

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value) if timezone.is_aware(value)
                                   else value, "d/m/Y H:i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "d/m/Y")
    if isinstance(value, (int, float)):
        return formats.number_format(value)
    return str(value)


def block_kind(block) -> str:
    for cls, kind in BLOCK_KINDS.items():
        if isinstance(block, cls):
            return kind
    raise TypeError(f"Bloc de dossier inconnu : {type(block).__name__}")


def _part(section: Section, today: datetime.date, anchors: set) -> Part:
    anchor = "section-" + (slugify(section.key.replace(".", "-")) or "x")
    while anchor in anchors:
        anchor += "-bis"
    anchors.add(anchor)
    proofs = [Proof(evidence, evidence.freshness(today), str(section.title), anchor)
              for evidence in section.evidence]
    return Part(section, anchor, [Block(block_kind(b), b) for b in section.blocks], proofs)


def cover(pack: PackRequest, regime: packs.Regime) -> list[tuple[str, str]]:
    from django.utils import formats

    organisation = pack.organisation
    lines = [(_("Structure"), organisation.name),
             (_("Type de structure"), str(organisation.get_kind_display()))]
    if organisation.siret:
        lines.append((_("SIRET"), organisation.siret))
    if organisation.finess:
        lines.append((_("FINESS"), organisation.finess))
    place = " ".join(part for part in (organisation.postal_code, organisation.city) if part)
    if organisation.address or place:
        lines.append((_("Adresse"), ", ".join(p for p in (organisation.address, place) if p)))
    lines.append((_("Référentiel"), str(regime.label)))
    lines.append((_("Preuves appréciées au"), formats.date_format(pack.today, "j F Y")))
    return lines


def providers() -> list[tuple[str, Callable]]:
    """(app name, sections function) of every app that contributes to the packs."""
    return [(str(apps.get_app_config(label).verbose_name), resolve(declaration.pack_sections))
            for label, declaration in declarations() if declaration.pack_sections]


def collect(pack: PackRequest, progress: Progress | None = None) -> Document:
    """The whole pack: every app's sections by order, the checklist, the evidence judged
    on `pack.today`. Raises whatever an app raises (the task marks the pack failed)."""
    regime = packs.regime(pack.regime)
    if regime is None:
        raise ValueError(f"Référentiel inconnu : {pack.regime!r}")
    progress = progress or (lambda done, total, what: None)
    sources = providers()
    sections: list[Section] = []
    for index, (name, sections_of) in enumerate(sources):
        progress(index, len(sources), name)
        sections.extend(sections_of(pack))
    sections.sort(key=lambda section: section.order)
    checklist = checklist_section(pack, sections)
    if checklist is not None:
        sections.insert(next((i for i, s in enumerate(sections) if s.order > checklist.order),
                             len(sections)), checklist)
    progress(len(sources), len(sources), _("Sommaire"))
    anchors: set = set()
    return Document(organisation=pack.organisation, regime=regime, today=pack.today,
                    generated_at=timezone.now(), cover=cover(pack, regime),
                    parts=[_part(section, pack.today, anchors) for section in sections])
