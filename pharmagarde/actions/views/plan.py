"""The plan as a table, as a board by status, and as a page to print."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from pharmagarde.core import audit
from pharmagarde.core.access import org_view

from ..forms import StatusForm
from ..models import Action
from ..selectors import STATUS_ORDER, board_columns, filter_actions, status_counts
from ..sources import with_closes
from .common import filter_form, filtered_actions, querystring_without_page

PAGE_SIZE = 25
BOARD_LIMIT = 50
PRINT_LIMIT = 2000


@org_view
def action_list(request):
    form, actions = filtered_actions(request)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_closes(page.object_list)
    counts = status_counts(Action.objects.filter(organisation=request.organisation))
    return render(request, "actions/action_list.html", {
        "form": form, "page": page, "counts": counts, "filtered": bool(form.filters),
        "querystring": querystring_without_page(request), "today": timezone.localdate(),
    })


def board_context(request, announce=""):
    form = filter_form(request, with_status=False)
    filters = form.filters
    columns = board_columns(request.organisation, filters, BOARD_LIMIT)
    counts = status_counts(filter_actions(
        Action.objects.filter(organisation=request.organisation), filters))
    for column in columns:
        column["total"] = counts[column["status"]]
        column["hidden"] = max(0, column["total"] - len(column["cards"]))
    return {"form": form, "columns": columns, "counts": counts, "filtered": bool(filters),
            "status_choices": StatusForm.base_fields["status"].choices,
            "querystring": request.GET.urlencode(), "announce": announce}


@org_view
def action_board(request):
    return render(request, "actions/action_board.html", board_context(request))


@org_view
def action_print(request):
    form, actions = filtered_actions(request, with_menus=False)
    audit.record("plan.exported", request=request, organisation=request.organisation,
                 details={"format": "impression",
                          "filtres": {k: str(v) for k, v in form.filters.items()}})
    actions = with_closes(actions.order_by("priority", "due_date", "id")[:PRINT_LIMIT])
    groups = [{"status": status, "label": Action.Status(status).label,
               "actions": [a for a in actions if a.status == status]}
              for status in STATUS_ORDER]
    return render(request, "actions/action_print.html", {
        "groups": groups, "filtered": bool(form.filters), "form": form,
        "now": timezone.localtime(), "total": len(actions),
        "truncated": len(actions) >= PRINT_LIMIT,
        # The summary describes what is printed (no second query).
        "counts": {**{g["status"]: len(g["actions"]) for g in groups},
                   "overdue": sum(1 for a in actions if a.is_overdue)},
    })
