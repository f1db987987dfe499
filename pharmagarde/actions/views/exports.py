"""Exports of the plan: Excel, CSV (both formula-escaped) and iCalendar for due dates.

Each applies the list's filters and records "plan.exported" with its format.
"""

import datetime
import io
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pharmagarde.core import audit
from pharmagarde.core.access import org_view
from pharmagarde.core.exports import attachment, csv_response
from pharmagarde.lib.spreadsheet import escape_formula

from ..forms import person_label
from ..models import Action
from ..sources import with_closes
from .common import filtered_actions

CHUNK = 500
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (header, width in characters, value of an action): one list for Excel and CSV.
COLUMNS = [
    (gettext_lazy("Rang de priorité"), 10, lambda a: a.priority),
    (gettext_lazy("Action"), 45, lambda a: a.title),
    (gettext_lazy("Statut"), 12, lambda a: a.get_status_display()),
    (gettext_lazy("Avancement (%)"), 12, lambda a: a.progress),
    (gettext_lazy("Échéance"), 12, lambda a: a.due_date),
    (gettext_lazy("En retard"), 10, lambda a: _("oui") if a.is_overdue else _("non")),
    (gettext_lazy("Responsable"), 24, lambda a: person_label(a.owner) if a.owner_id else ""),
    (gettext_lazy("Effort"), 10, lambda a: a.get_effort_display()),
    (gettext_lazy("Origine"), 12, lambda a: str(a.plan_source.label)),
    (gettext_lazy("Ce que l'action règle"), 50,
     lambda a: " | ".join(item.text for closes in a.closes for item in closes.items)),
    (gettext_lazy("Description"), 50, lambda a: a.description),
    (gettext_lazy("Pourquoi"), 40, lambda a: a.why),
    (gettext_lazy("Comment"), 40, lambda a: a.how),
    (gettext_lazy("Notes"), 40, lambda a: a.notes),
    (gettext_lazy("Preuves jointes"), 10, lambda a: a.evidence_count),
    (gettext_lazy("Terminée le"), 12,
     lambda a: timezone.localdate(a.closed_at) if a.closed_at else None),
]


def _described(actions):
    """The actions, read CHUNK at a time, each chunk described by the sources at once
    (sources.with_closes): the queries grow with the chunks, not with the rows."""
    chunk = []
    for action in actions.iterator(chunk_size=CHUNK):
        chunk.append(action)
        if len(chunk) == CHUNK:
            yield from with_closes(chunk)
            chunk = []
    yield from with_closes(chunk)


def _exported(request, fmt, filters):
    audit.record("plan.exported", request=request, organisation=request.organisation,
                 details={"format": fmt, "filtres": {k: str(v) for k, v in filters.items()}})


def _stem(request):
    return f"plan-action-{request.organisation.slug}"


def _filename(request, extension):
    return attachment(_stem(request), extension)


def _cell(value):
    """Dates and numbers stay real values; every text goes through escape_formula."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, (int, float, datetime.date)):
        return value
    return escape_formula(value)


@org_view
def action_export_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    form, actions = filtered_actions(request, with_menus=False)
    _exported(request, "xlsx", form.filters)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = escape_formula(_("Plan d'action"))[:31]
    sheet.append([escape_formula(header) for header, _w, _v in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for index, (_header, width, _value) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # Rows are numbered here: sheet.max_row scans every cell, which made the export
    # quadratic in the size of the plan (bench/diagnostic.py).
    for row, action in enumerate(_described(actions), start=2):
        values = [_cell(value(action)) for _h, _w, value in COLUMNS]
        sheet.append(values)
        for column, value in enumerate(values, start=1):
            if isinstance(value, datetime.date):
                sheet.cell(row=row, column=column).number_format = "DD/MM/YYYY"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _filename(request, "xlsx")
    return response


def _csv_cell(value):
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return escape_formula(value)


@org_view
def action_export_csv(request):
    form, actions = filtered_actions(request, with_menus=False)
    _exported(request, "csv", form.filters)
    rows = ([value(action) for _h, _w, value in COLUMNS] for action in _described(actions))
    return csv_response([header for header, _w, _v in COLUMNS], rows,
                        stem=_stem(request), cell=_csv_cell)


@org_view
def action_export_ics(request):
    """One all-day event per open action with a due date (calendars of every kind show
    events; few show tasks)."""
    from icalendar import Calendar, Event

    form, actions = filtered_actions(request, with_menus=False)
    _exported(request, "ics", form.filters)
    host = urlsplit(settings.SITE_URL).hostname or "pharmagarde"
    now = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Pharmagarde//Plan d'action//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Plan d'action — %(name)s") % {
        "name": request.organisation.name})
    open_actions = actions.filter(status__in=Action.OPEN_STATUSES, due_date__isnull=False)
    for action in open_actions.iterator(chunk_size=CHUNK):
        link = settings.SITE_URL + reverse("action_edit",
                                           args=[request.organisation.slug, action.pk])
        lines = [_("Statut : %(s)s — avancement %(p)s %%") % {
            "s": action.get_status_display(), "p": action.progress}]
        if action.owner_id:
            lines.append(_("Responsable : %(n)s") % {"n": person_label(action.owner)})
        if action.how:
            lines.append(_("Comment faire : %(how)s") % {"how": action.how})
        elif action.description:
            lines.append(action.description)
        lines.append(_("Voir l'action : %(url)s") % {"url": link})
        event = Event()
        event.add("uid", f"action-{action.pk}-{request.organisation.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", action.due_date)
        event.add("dtend", action.due_date + datetime.timedelta(days=1))
        event.add("summary", _("Échéance : %(title)s") % {"title": action.title})
        event.add("description", "\n".join(lines))
        event.add("url", link)
        event.add("status", "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        event.add("sequence", action.revision)
        event.add("categories", [action.get_status_display()])
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = _filename(request, "ics")
    return response
