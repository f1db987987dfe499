"""The page across every organisation the user belongs to (/mes-structures/): one line
per organisation, with the facts each app gives for it (core/portfolio.py), the most
urgent first; the federations apart, as links. Its Excel export is the same table,
audited in each organisation it lists ("portfolio.exported")."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from .. import audit, documents
from .. import portfolio as facts
from ..access import account_view, memberships_allowing
from ..exports import attachment
from ..models import OrganisationKind
from ..registry import FEDERATIONS

PAGE_SIZE = 25
SORTS = {
    "urgence": gettext_lazy("Urgence"),
    "nom": gettext_lazy("Nom"),
    "score": gettext_lazy("Score du diagnostic (le plus faible d'abord)"),
    "retard": gettext_lazy("Actions en retard (le plus d'abord)"),
}
LEVELS = {
    facts.ALERT: (gettext_lazy("Urgent"), "badge--danger"),
    facts.WARNING: (gettext_lazy("À surveiller"), "badge--warn"),
    facts.OK: (gettext_lazy("À jour"), "badge--ok"),
    facts.INFO: (gettext_lazy("Pour information"), ""),
}


def _choices(request):
    """The filter and the sort asked for, each one of the known values."""
    kind = request.GET.get("type", "")
    if kind not in OrganisationKind.values or kind == OrganisationKind.FEDERATION:
        kind = ""
    sort = request.GET.get("tri", "")
    if sort not in SORTS:
        sort = facts.DEFAULT_SORT
    return kind, sort


def _cells(line, columns) -> list[dict]:
    """The line's cell under each column: its fact (None: not known, or not for the
    member's role there), with the words and the badge of its level."""
    cells = []
    for key, label in columns:
        fact = line.facts.get(key)
        level, badge = LEVELS[fact.level] if fact else ("", "")
        cells.append({"fact": fact, "column": label, "level": level, "badge": badge})
    return cells


def _xlsx(request, lines, columns, *, kind: str, sort: str) -> HttpResponse:
    """The table as a workbook; one audit entry in each organisation it speaks of (their
    responsables read in their own log who took their facts away), in one transaction."""
    def fact_text(key):
        def value(line):
            fact = line.facts.get(key)
            return f"{LEVELS[fact.level][0]} : {fact.text}" if fact else ""
        return value

    sheet_columns = [
        documents.Column(_("Structure"), 30, lambda line: line.organisation.name),
        documents.Column(_("Type"), 20, lambda line: line.organisation.get_kind_display()),
        documents.Column(_("Votre rôle"), 22, lambda line: line.membership.get_role_display()),
        *[documents.Column(label, 26, fact_text(key)) for key, label in columns],
    ]
    content = documents.xlsx([documents.Sheet(_("Mes structures"), sheet_columns, lines)],
                             title=_("Toutes mes structures"))
    audit.record_many("portfolio.exported", request=request,
                      organisations=[line.organisation for line in lines],
                      details={"tri": sort, "type": kind, "structures": len(lines)})
    response = HttpResponse(content, content_type=documents.XLSX_TYPE)
    response["Content-Disposition"] = attachment("mes-structures", "xlsx")
    return response


@account_view
@require_safe
def portfolio(request):
    memberships = memberships_allowing(request)
    kind, sort = _choices(request)
    shown = [m for m in memberships if not kind or m.organisation.kind == kind]
    lines, columns = facts.lines(shown)
    lines = facts.sorted_lines(lines, sort)
    if request.GET.get("export") == "xlsx":
        return _xlsx(request, lines, columns, kind=kind, sort=sort)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = sorted({m.organisation.kind for m in memberships})
    filters = {key: value for key, value in (("type", kind), ("tri", sort)) if value}
    return render(request, "core/portfolio.html", {
        "memberships": memberships, "page": page,
        "rows": [(line, _cells(line, columns)) for line in page.object_list],
        "columns": columns,
        "federations": memberships_allowing(request, audience=FEDERATIONS),
        "links": facts.account_links(request),
        "kinds": [(value, OrganisationKind(value).label) for value in kinds],
        "kind": kind, "sort": sort, "sorts": SORTS.items(),
        "querystring": urlencode(filters),
    })
