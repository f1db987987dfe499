"""Reminders of the plan's due dates, for core/reminders.py: 7 days before, on the day, then
every week while the action stays open, to the owner's account, or to the organisation's
responsables when the owner has none (core applies that rule)."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.reminders import Due

from .models import Action

BEFORE = timedelta(days=7)
EVERY = timedelta(days=7)

SUBJECTS = {
    "soon": _("Échéance proche : « {title} »"),
    "today": _("Échéance aujourd'hui : « {title} »"),
    "late": _("Action en retard : « {title} »"),
}


def latest_occurrence(due_date: date, today: date) -> date | None:
    """The date of the latest reminder reached by `today`: only that one is sent, so a
    worker back after a stop sends one reminder per action, not every one it missed."""
    if today < due_date - BEFORE:
        return None
    if today < due_date:
        return due_date - BEFORE
    return due_date + EVERY * ((today - due_date) // EVERY)


def due(now: datetime) -> Iterator[Due]:
    """One query, whatever the number of organisations. Every run asks again for every open
    action due within a week or late, and core drops those already reminded: rows, not
    models, and lazy links and subjects, so that costs a few microseconds each."""
    today = timezone.localdate(now)
    rows = (
        Action.objects.filter(status__in=Action.OPEN_STATUSES, due_date__isnull=False,
                              due_date__lte=today + BEFORE)
        .order_by("pk")
        .values_list("pk", "organisation_id", "organisation__slug", "title", "status",
                     "due_date", "owner_id", "owner__first_name", "owner__last_name",
                     "owner__user_id")
    )
    for (pk, organisation_id, slug, title, status, due_date, owner_id, first_name,
         last_name, owner_user_id) in rows.iterator(chunk_size=2000):
        occurrence = latest_occurrence(due_date, today)
        days_left = (due_date - today).days
        kind = "soon" if days_left > 0 else "today" if days_left == 0 else "late"
        yield Due(
            key=f"actions.action:{pk}",
            occurrence=occurrence,
            organisation_id=organisation_id,
            subject=format_lazy(SUBJECTS[kind], title=title),
            template="actions/reminders/due.txt",
            context={"title": title, "due_date": due_date, "days_left": days_left,
                     "owner": f"{first_name} {last_name}" if owner_id else "",
                     "owner_has_account": owner_user_id is not None,
                     "status": Action.Status(status).label},
            link=reverse_lazy("action_edit", args=[slug, pk]),
            users=(owner_user_id,) if owner_user_id else (),
            # "7 days before" and "on the day" (even sent late, after a stop) must not wait
            # for a digest that comes after the due date; the weekly ones go in the digest.
            deadline=due_date if occurrence <= due_date else None,
        )
