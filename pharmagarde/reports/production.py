"""Building a pack, in the worker (reports.tasks.build_pack): collect the sections, render
the PDF, the DOCX and the XLSX, keep them with the pack.

The pack's row says where it is (status, progress 0–100, step), which its page polls.
Only the worker that moves it from « queued » to « running » builds it: a task run twice
builds once. Any error marks it failed with a French message, and is logged.
"""

import dataclasses
import logging
import math

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pharmagarde.core import documents
from pharmagarde.core.packs import PackRequest, Table

from .builder import Block, Document, cell_text, collect
from .models import Pack
from .sheets import render_xlsx
from .word import render_docx

logger = logging.getLogger(__name__)

TEMPLATE = "reports/document.html"
# Where each stage ends on the progress bar.
SECTIONS_START, SECTIONS_END, PDF_END, DOCX_END = 5, 60, 85, 93
# The ready packs kept per regime and organisation: older ones go with their files (a
# pack is remade in a minute from what is recorded; the audit log keeps who downloaded).
KEEP_DONE = 5


# The PDF's tables, measured in em of 9.5 pt DejaVu Sans: 178 mm of A4 between the margins,
# what a cell's padding and borders take, how much wider the bold headers are, and the
# advance of the characters whose width is far from the usual 0.62 em.
LINE_EM, CELL_EM, BOLD = 53.0, 1.5, 1.1
NARROW = dict.fromkeys(" .,:;'’!|/()[]-", 0.36) | dict.fromkeys("ijlIJ", 0.28) | dict.fromkeys(
    "frt", 0.42)
WIDE = dict.fromkeys("mwMWœŒ%", 0.98) | dict.fromkeys("@—", 1.0) | dict.fromkeys(
    "ABCDEFGHKLNOPQRSTUVXYZÀÂÇÉÈÊÎÔ", 0.72)


def _em(text: str) -> float:
    return sum(NARROW.get(char) or WIDE.get(char) or 0.62 for char in text)


@dataclasses.dataclass(frozen=True)
class SizedTable:
    """A pack's Table with the width of each column for the PDF, in percent of the table's
    width: blocks/_table.html gives them to a fixed table layout (see column_widths)."""

    table: Table
    widths: tuple[int, ...]

    def __getattr__(self, name):
        return getattr(self.table, name)


def column_widths(table: Table) -> tuple[int, ...]:
    """Each column's share of the line, in percent, as CSS's automatic table layout would
    give it, from the characters' widths rather than a layout: every column gets at least
    its longest word, and what is left goes to the columns whose longest cell would not
    fit on one line, in proportion to what they miss (to their longest cell when the whole
    row fits). WeasyPrint's automatic layout sets every cell twice to find those widths, a
    third of a long pack's time (docs/benchmarks.md#dossiers-de-preuves)."""
    count = len(table.columns)
    longest, word = [0.0] * count, [0.0] * count
    lines = [(BOLD, [str(column) for column in table.columns])]
    lines += [(1.0, [cell_text(value) for value in row]) for row in table.rows]
    for scale, line in lines:
        for index, text in enumerate(line[:count]):
            longest[index] = max(longest[index], scale * _em(text))
            word[index] = max(word[index], scale * max(map(_em, text.split()), default=0))
    longest = [width + CELL_EM for width in longest]
    word = [width + CELL_EM for width in word]
    if sum(longest) <= LINE_EM:
        shares = longest
    elif sum(word) >= LINE_EM:
        shares = word
    else:
        left, missing = LINE_EM - sum(word), [a - b for a, b in zip(longest, word, strict=True)]
        shares = [w + left * m / sum(missing) for w, m in zip(word, missing, strict=True)]
    # Rounded up, so that no longest word is cut; the widest column gives back the excess.
    percents = [math.ceil(100 * share / sum(shares)) for share in shares]
    percents[percents.index(max(percents))] -= sum(percents) - 100
    return tuple(percents)


def _sized(document: Document) -> Document:
    """The document with each Table block a SizedTable (the PDF only)."""
    return dataclasses.replace(document, parts=[dataclasses.replace(part, blocks=[
        Block(block.kind, SizedTable(block.data, column_widths(block.data)))
        if block.kind == "table" and block.data.rows else block
        for block in part.blocks]) for part in document.parts])


def render_pdf(document: Document) -> tuple[bytes, int]:
    """The PDF and its number of pages (core.documents.PdfUnavailable without Pango)."""
    sized = _sized(document)
    widths = sorted({width for _part, table in sized.tables
                     if isinstance(table, SizedTable) for width in table.widths})
    return documents.render_pdf_pages(TEMPLATE, {
        "document": sized, "current_organisation": document.organisation,
        "now": document.generated_at, "column_widths": widths})


def _step(pack_id: int, progress: int, step: str) -> None:
    # Only while running: a pack marked abandoned keeps its message.
    Pack.objects.filter(pk=pack_id, status=Pack.Status.RUNNING).update(
        progress=progress, step=step[:200])


def _file_name(pack: Pack, extension: str) -> str:
    return f"dossier-{pack.regime}-{pack.as_of.isoformat()}.{extension}"


def _collect(pack: Pack) -> Document:
    span = SECTIONS_END - SECTIONS_START

    def progress(done, total, what):
        _step(pack.pk, SECTIONS_START + span * done // max(total, 1),
              _("Sections : %(app)s") % {"app": what})

    return collect(PackRequest(pack.organisation, pack.regime, pack.as_of), progress)


def build(pack_id: int) -> bool:
    """Build the pack if it is still queued: True once it is done."""
    claimed = Pack.objects.filter(pk=pack_id, status=Pack.Status.QUEUED).update(
        status=Pack.Status.RUNNING, started_at=timezone.now(), progress=SECTIONS_START,
        step=_("Préparation"))
    if not claimed:
        return False
    pack = Pack.objects.select_related("organisation").get(pk=pack_id)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            document = _collect(pack)
            _step(pack_id, SECTIONS_END, _("Mise en page du PDF"))
            pdf, pages = render_pdf(document)
            _step(pack_id, PDF_END, _("Document Word"))
            docx = render_docx(document)
            _step(pack_id, DOCX_END, _("Classeur Excel"))
            xlsx = render_xlsx(document)
            for field, content in (("pdf", pdf), ("docx", docx), ("xlsx", xlsx)):
                getattr(pack, field).save(_file_name(pack, field), ContentFile(content),
                                          save=False)
            finished = _finish(pack, document, pages)
    except Exception as error:
        logger.exception("Dossier de preuves %s : échec de la préparation", pack_id)
        _fail(pack, error)
        return False
    if not finished:
        # Marked failed meanwhile (judged abandoned by a new request): it stays failed,
        # and its files go.
        logger.warning("Dossier de preuves %s : abandonné pendant sa préparation", pack_id)
        _delete_files(pack)
    else:
        prune(pack.organisation_id, pack.regime)
    return finished


def prune(organisation_id: int, regime: str) -> int:
    """Delete the ready packs of a regime beyond the KEEP_DONE latest, their files once
    the deletion is committed: how many went."""
    with transaction.atomic():
        older = list(Pack.objects.select_for_update()
                     .filter(organisation_id=organisation_id, regime=regime,
                             status=Pack.Status.DONE)
                     .order_by("-requested_at", "-id")[KEEP_DONE:])
        if not older:
            return 0
        Pack.objects.filter(pk__in=[pack.pk for pack in older]).delete()
        transaction.on_commit(lambda: [_delete_files(pack) for pack in older])
    return len(older)


def _finish(pack: Pack, document: Document, pages: int) -> bool:
    """Mark the pack done with its files, if it is still running: False otherwise."""
    return bool(Pack.objects.filter(pk=pack.pk, status=Pack.Status.RUNNING).update(
        pdf=pack.pdf.name, docx=pack.docx.name, xlsx=pack.xlsx.name, pages=pages,
        summary={**document.counts, "to_fix": len(document.to_fix),
                 "sections": len(document.parts)},
        status=Pack.Status.DONE, progress=100, step=_("Prêt"), finished_at=timezone.now()))


def _delete_files(pack: Pack) -> None:
    for field in ("pdf", "docx", "xlsx"):
        stored = getattr(pack, field)
        if stored.name:
            stored.storage.delete(stored.name)


def _fail(pack: Pack, error: Exception) -> None:
    _delete_files(pack)
    if isinstance(error, documents.PdfUnavailable):
        message = str(error)
    else:
        message = _("La préparation du dossier a échoué à cause d'une erreur inattendue, "
                    "enregistrée dans le journal du serveur. Réessayez ; si l'erreur "
                    "revient, prévenez l'administrateur de Pharmagarde.")
    Pack.objects.filter(pk=pack.pk).update(
        status=Pack.Status.FAILED, error=message, step="", finished_at=timezone.now(),
        pdf="", docx="", xlsx="")
