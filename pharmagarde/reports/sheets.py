"""The XLSX of an audit pack: one sheet per table of the pack, and « Preuves » (every
piece of evidence with its date, its freshness and its section), through
core.documents.xlsx, which escapes every text that looks like a formula."""

import re

from django.utils.translation import gettext as _

from pharmagarde.core.documents import Column, Sheet, xlsx
from pharmagarde.core.packs import local_day

from .builder import Document

# What Excel refuses in a sheet's name, and its length limit.
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_NAME = 31


def unique_name(wanted: str, taken: set) -> str:
    """A sheet name Excel accepts, ≤ 31 characters, not already in `taken` (compared
    without case, as Excel does)."""
    base = FORBIDDEN.sub(" ", wanted).strip(" '").lstrip("=+-@") or _("Tableau")
    name, number = base[:MAX_NAME], 1
    while name.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[:MAX_NAME - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def _width(label: str) -> int:
    return max(12, min(60, len(str(label)) + 4))


def _column(index: int, label) -> Column:
    return Column(str(label), _width(label), lambda row, index=index: (
        row[index] if index < len(row) else None))


def sheets(document: Document) -> list[Sheet]:
    proofs_name = _("Preuves")
    taken = {proofs_name.casefold()}
    found = []
    for part, table in document.tables:
        name = unique_name(str(table.sheet or table.caption or part.title), taken)
        found.append(Sheet(name, [_column(i, c) for i, c in enumerate(table.columns)],
                           table.rows))
    proofs = Sheet(proofs_name, [
        Column(_("Preuve"), 50, lambda proof: proof.label),
        # Its local day: Excel has no time zones, and openpyxl refuses an aware datetime.
        Column(_("Date"), 12, lambda proof: local_day(proof.evidence.date)),
        Column(_("Fraîcheur"), 12, lambda proof: proof.freshness_label),
        Column(_("Partie"), 40, lambda proof: proof.section_title),
        Column(_("Précision"), 40, lambda proof: proof.note),
    ], document.proofs)
    return [proofs, *found]


def render_xlsx(document: Document) -> bytes:
    return xlsx(sheets(document), title=f"{document.title} — {document.organisation.name}")
