"""Downloads built by the project: one way to stream a CSV file (lib/spreadsheet.py does
the format) and one way to name an attachment."""

from collections.abc import Callable, Iterable, Sequence

from django.http import StreamingHttpResponse
from django.utils import timezone

from pharmagarde.lib.spreadsheet import csv_lines, escape_formula


def attachment(stem: str, extension: str) -> str:
    """`attachment; filename="<stem>-<today>.<extension>"` (stem: ASCII, a slug)."""
    return f'attachment; filename="{stem}-{timezone.localdate().isoformat()}.{extension}"'


def csv_response(header: Sequence[str], rows: Iterable[Sequence], *, stem: str,
                 cell: Callable = escape_formula) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows, cell=cell),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(stem, "csv")
    return response
