"""The documents every app hands out: PDF from an HTML template, and Excel workbooks of
columns (the breach register, the register of processings…).

PDF is made by WeasyPrint (docs/decisions/0005-weasyprint.md). It is imported inside
`render_pdf` only: a server without the Pango library still starts, and `render_pdf` then
raises PdfUnavailable with a message that says what to install. Every text cell of a
workbook goes through lib.spreadsheet.escape_formula: a value typed as « =HYPERLINK(…) »
stays text; and through printable(), which drops the control characters XML refuses (one
pasted into a title would otherwise make the whole workbook, or a DOCX, fail).
"""

import contextlib
import datetime
import gc
import io
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from pharmagarde.lib.spreadsheet import escape_formula

from .exports import attachment

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango) are missing on this server."""


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    """The PDF of an HTML template. Nothing is fetched while rendering (no network, no
    file): the templates carry their own styles."""
    return render_pdf_pages(template, context, request=request)[0]


# The control characters XML 1.0 refuses (openpyxl's ILLEGAL_CHARACTERS_RE, and what
# python-docx refuses): tab, line feed and carriage return stay.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def printable(text) -> str:
    """`text` as a string without the control characters an XLSX or a DOCX cannot hold."""
    return CONTROL_CHARACTERS.sub("", str(text))


# The pause of the collector is process-wide, and gunicorn's threads render PDFs at the
# same time: the first one in disables it, the last one out enables it again.
_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextlib.contextmanager
def _collected_once():
    """Python's cycle collector kept, during the layout, walking the hundreds of thousands
    of boxes WeasyPrint makes and keeps until the PDF is written: a sixth of a long
    document's time (an audit pack: docs/benchmarks.md), for nothing to free. It is paused
    for the PDF and run once after it, which frees the boxes at once."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            resume = _gc_pauses == 0 and _gc_was_enabled
            if resume:
                gc.enable()
        if resume:
            gc.collect()


def render_pdf_pages(template: str, context: dict, *, request=None) -> tuple[bytes, int]:
    """render_pdf, and the number of pages of the PDF (the audit packs print it)."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as error:
        # OSError: the Python package is there but Pango (libpango-1.0-0) is not.
        logger.error("PDF indisponible : %s", error)
        raise PdfUnavailable(_(
            "La création de PDF n'est pas disponible sur ce serveur : WeasyPrint ou la "
            "bibliothèque Pango manque (paquets libpango-1.0-0 et libpangoft2-1.0-0). "
            "Voir docs/decisions/0005-weasyprint.md.")) from error
    # Control characters are not text in HTML either: a fallback glyph in the PDF.
    html = printable(render_to_string(template, context, request=request))
    fetcher = URLFetcher(allowed_protocols=("data",), timeout=1)
    with _collected_once():
        document = weasyprint.HTML(string=html, url_fetcher=fetcher).render()
        return document.write_pdf(), len(document.pages)


def pdf_response(request, template: str, context: dict, *, stem: str,
                 audited: Callable[[], object] | None = None,
                 unavailable: str = "incidents/pdf/unavailable.html",
                 unavailable_context: dict | None = None) -> HttpResponse:
    """The PDF of `template` as a download named `stem`.pdf, `audited()` called once it is
    made (who downloaded what); or, on a server that cannot make PDF, the French page
    `unavailable` (503) with the reason and what to use instead."""
    try:
        content = render_pdf(template, context, request=request)
    except PdfUnavailable as error:
        return render(request, unavailable,
                      {"message": str(error), **(unavailable_context or {})}, status=503)
    if audited is not None:
        audited()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = attachment(stem, "pdf")
    return response


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # in characters, for Excel
    value: Callable[[object], object]  # str, int, date, naive local datetime or None


def cell_value(value):
    """Numbers and dates stay values; every text goes through escape_formula, without the
    control characters a workbook cannot hold."""
    if value is None:
        return None
    if isinstance(value, (int, float, datetime.date)) and not isinstance(value, bool):
        return value
    return escape_formula(printable(value))


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable  # objects each column's `value` reads


def xlsx(sheets: Sequence[Sheet], *, title: str) -> bytes:
    """A workbook with one sheet per `Sheet`: bold wrapped headers, frozen first row and
    column, filters, dates in French format."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for spec in sheets:
        sheet = workbook.create_sheet(escape_formula(printable(spec.title))[:31])
        sheet.append([cell_value(str(column.label)) for column in spec.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = wrap
        sheet.freeze_panes = "B2"
        for index, column in enumerate(spec.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        for row, item in enumerate(spec.rows, start=2):
            values = [cell_value(column.value(item)) for column in spec.columns]
            sheet.append(values)
            for index, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=index)
                cell.alignment = wrap
                if isinstance(value, datetime.datetime):
                    cell.number_format = "DD/MM/YYYY HH:MM"
                elif isinstance(value, datetime.date):
                    cell.number_format = "DD/MM/YYYY"
        sheet.auto_filter.ref = sheet.dimensions
    workbook.properties.title = printable(title)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
