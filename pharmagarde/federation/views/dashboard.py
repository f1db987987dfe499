"""The federation's dashboard: one snapshot (one indexed read; computed by the first
reader when the scheduler has not built it yet), shown as tables and a chart, and the same
tables as a spreadsheet. Every member of the federation is an analyst: they see only what
the snapshot publishes."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from pharmagarde.core import audit, documents
from pharmagarde.core.access import org_view
from pharmagarde.core.exports import attachment
from pharmagarde.core.registry import FEDERATIONS

from .. import selectors, snapshots
from ..models import FederationMember


@org_view(audience=FEDERATIONS)
@require_safe
def federation_dashboard(request):
    found = selectors.dashboard(snapshots.snapshot(request.organisation))
    context = {"dashboard": found, "chart_height": selectors.CHART_HEIGHT + 40,
               "bar_width": selectors.BAR_WIDTH}
    if not found.published:
        context["members"] = FederationMember.objects.filter(
            organisation=request.organisation, status=FederationMember.Status.MEMBER).count()
    return render(request, "federation/dashboard.html", context)


def _sheet(table: selectors.Table) -> documents.Sheet:
    columns = [documents.Column(table.corner, 40, lambda row: row[0])]
    for index, label in enumerate(table.columns):
        columns.append(documents.Column(
            label, 18, lambda row, index=index: row[1][index].value
            if not row[1][index].hidden else f"— ({row[1][index].why})"))
    rows = table.rows + ([table.footer] if table.footer else [])
    return documents.Sheet(table.corner, columns, rows)


@org_view(audience=FEDERATIONS)
@require_safe
def federation_dashboard_xlsx(request):
    """Exactly the dashboard's tables; audited."""
    snapshot = snapshots.snapshot(request.organisation)
    found = selectors.dashboard(snapshot)
    sheets = [_sheet(table) for table in found.tables] if found.published else []
    trend = documents.Sheet(_("Évolution"), [
        documents.Column(_("Période commençant le"), 24,
                         lambda point: date_format(point["period"], "d/m/Y")),
        documents.Column(_("Structures indépendantes"), 18, lambda point: point["units"]),
        documents.Column(_("Score moyen"), 14, lambda point: point["mean"]),
    ], found.trend)
    content = documents.xlsx([*sheets, trend], title=_("Tableau de bord de %(name)s")
                             % {"name": request.organisation.name})
    audit.record("federation.dashboard_exported", request=request,
                 organisation=request.organisation, obj=snapshot,
                 details={"période": snapshot.period_start.date().isoformat()})
    response = HttpResponse(content, content_type=documents.XLSX_TYPE)
    response["Content-Disposition"] = attachment(
        f"federation-{snapshot.period_start:%Y-%m-%d}", "xlsx")
    return response


urlpatterns = [path("", federation_dashboard, name="federation_dashboard"),
               path("export.xlsx", federation_dashboard_xlsx, name="federation_dashboard_xlsx")]
