"""Reads of the action plan: filtered and sorted lists, counts, and what a source reads
of the plan (its actions by key, the finished ones that settle something there).

Every function takes the organisation (resolved by core.access.org_view) and never looks
outside it. What an action settles at its source is worded by the source
(sources.with_closes).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import Lower, RowNumber
from django.http import HttpRequest
from django.utils import timezone

from pharmagarde.core.models import Organisation

from .models import Action

STATUS_ORDER = [Action.Status.TODO, Action.Status.IN_PROGRESS, Action.Status.DONE,
                Action.Status.DROPPED]

SORTS = {
    "priority": ("priority", F("due_date").asc(nulls_last=True), "id"),
    "due": (F("due_date").asc(nulls_last=True), "priority", "id"),
    "status": ("status_rank", "priority", F("due_date").asc(nulls_last=True), "id"),
    "title": (Lower("title"), "id"),
}


def status_rank():
    return Case(*[When(status=status, then=Value(rank)) for rank, status in
                  enumerate(STATUS_ORDER)], default=Value(len(STATUS_ORDER)),
                output_field=IntegerField())


def overdue_q(today=None):
    today = today or timezone.localdate()
    return Q(status__in=Action.OPEN_STATUSES, due_date__lt=today)


def actions_for(organisation: Organisation) -> QuerySet[Action]:
    """The organisation's actions with what a list shows, in one query."""
    return (Action.objects.filter(organisation=organisation)
            .select_related("owner")
            .annotate(evidence_count=Count("evidence"), status_rank=status_rank()))


def filter_actions(queryset: QuerySet[Action], data: dict) -> QuerySet[Action]:
    """Apply the cleaned filters of an ActionFilterForm (invalid ones are simply absent)."""
    query = (data.get("q") or "").strip()
    if query:
        queryset = queryset.filter(Q(title__icontains=query) | Q(description__icontains=query)
                                   | Q(notes__icontains=query))
    status = data.get("status")
    if status == "open":
        queryset = queryset.filter(status__in=Action.OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    owner = data.get("owner")
    if owner == "none":
        queryset = queryset.filter(owner__isnull=True)
    elif owner:
        queryset = queryset.filter(owner_id=int(owner))
    if data.get("effort"):
        queryset = queryset.filter(effort=data["effort"])
    if data.get("source"):
        queryset = queryset.filter(source=data["source"])
    if data.get("overdue"):
        queryset = queryset.filter(overdue_q())
    return queryset.order_by(*SORTS.get(data.get("sort") or "priority", SORTS["priority"]))


def status_counts(queryset: QuerySet[Action]) -> dict:
    """À faire, en cours, terminées, abandonnées and en retard, in one query."""
    counts = queryset.order_by().aggregate(
        todo=Count("id", filter=Q(status=Action.Status.TODO)),
        in_progress=Count("id", filter=Q(status=Action.Status.IN_PROGRESS)),
        done=Count("id", filter=Q(status=Action.Status.DONE)),
        dropped=Count("id", filter=Q(status=Action.Status.DROPPED)),
        overdue=Count("id", filter=overdue_q()),
    )
    counts["total"] = sum(counts[s] for s in STATUS_ORDER)
    return counts


def board_columns(organisation: Organisation, data: dict, limit: int) -> list:
    """One column per status, each with at most `limit` cards, in one query: open actions
    by priority, closed ones most recent first."""
    closed = [Action.Status.DONE, Action.Status.DROPPED]
    order = [Case(When(status__in=closed, then=Value(0)), default=F("priority"),
                  output_field=IntegerField()),
             F("closed_at").desc(nulls_last=True), F("due_date").asc(nulls_last=True),
             F("id").asc()]
    queryset = filter_actions(
        Action.objects.filter(organisation=organisation).select_related("owner"),
        {**data, "status": "", "sort": ""},
    ).annotate(board_rank=Window(RowNumber(), partition_by=[F("status")], order_by=order))
    cards = {status: [] for status in STATUS_ORDER}
    for action in queryset.filter(board_rank__lte=limit).order_by(*order):
        cards.setdefault(action.status, []).append(action)
    return [{"status": status, "label": Action.Status(status).label, "cards": cards[status]}
            for status in STATUS_ORDER]


def people_choices(organisation: Organisation) -> list:
    """(current staff, departed staff) of the organisation, for select menus: one query."""
    today = timezone.localdate()
    current, departed = [], []
    for person in organisation.people.order_by("last_name", "first_name", "id"):
        left = person.departure_date is not None and person.departure_date <= today
        (departed if left else current).append(person)
    return current, departed


def action_ids_by_key(organisation: Organisation, source: str,
                      keys: Iterable[str]) -> dict[str, int]:
    """{item key: action id} of the source's actions for these keys, in one query."""
    return dict(Action.objects.filter(organisation=organisation, source=source,
                                      source_key__in=list(keys))
                .values_list("source_key", "id"))


def finished_actions_settling(organisation: Organisation, source: str) -> QuerySet[Action]:
    """The finished actions that settle something at `source`: its own, and the hand-made
    ones a person linked to it (Action.closes_at). One query; only the source's columns."""
    return (Action.objects.filter(organisation=organisation, status=Action.Status.DONE)
            .filter(Q(source=source) | Q(source=Action.MANUAL,
                                         source_data__closes__has_key=source))
            .only("id", "source", "source_data"))


NEXT_ACTIONS = 3
OVERDUE_SHOWN = 5


@dataclass
class DashboardPlan:
    next_actions: list
    overdue: list
    overdue_count: int
    open_count: int


def dashboard_plan(organisation, today=None) -> DashboardPlan:
    """The next open actions (by priority, then due date), the overdue ones (oldest due
    date first) and the counts: three queries, whatever the size of the plan."""
    today = today or timezone.localdate()
    open_actions = organisation.actions.filter(status__in=Action.OPEN_STATUSES)
    late = Q(due_date__lt=today)
    counts = open_actions.aggregate(open=Count("id"), overdue=Count("id", filter=late))
    shown = open_actions.select_related("owner")
    return DashboardPlan(
        next_actions=list(shown.order_by("priority", F("due_date").asc(nulls_last=True),
                                         "id")[:NEXT_ACTIONS]),
        overdue=list(shown.filter(late).order_by("due_date", "priority", "id")[:OVERDUE_SHOWN]),
        overdue_count=counts["overdue"],
        open_count=counts["open"],
    )


def _request_plan(request) -> DashboardPlan:
    # Both of the plan's dashboard cards read it: computed once per request.
    if not hasattr(request, "_dashboard_plan"):
        request._dashboard_plan = dashboard_plan(request.organisation)
    return request._dashboard_plan


def dashboard_overdue(request: HttpRequest) -> dict | None:
    """The overdue actions, across the top of the dashboard; nothing when none is late."""
    plan = _request_plan(request)
    return {"plan": plan} if plan.overdue_count else None


def dashboard_card(request: HttpRequest) -> dict:
    return {"plan": _request_plan(request)}
