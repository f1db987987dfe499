"""Reads of the incidents for the dashboard and « À faire maintenant »."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .access import sees_all, visible_incidents
from .models import Incident, ReflexStep


def open_incidents(request):
    return visible_incidents(request).exclude(status=Incident.Status.CLOSED)


SHOWN = 5


def _open_summary(request) -> list:
    """The most recent open incidents the member sees, each with whether reflexes remain
    to do: one query, shared by the dashboard card and « À faire maintenant »."""
    if not hasattr(request, "_open_incidents"):
        pending = ReflexStep.objects.filter(incident=OuterRef("pk"), done_at__isnull=True)
        request._open_incidents = list(
            open_incidents(request).annotate(pending=Exists(pending))
            .order_by("-noticed_at", "-id")[:SHOWN + 1])
    return request._open_incidents


def dashboard_card(request) -> dict | None:
    """The open incidents, first of the dashboard when there is one: the summary's query,
    and their count when there is any."""
    incidents = _open_summary(request)
    if not incidents:
        return None
    count = open_incidents(request).count()
    return {"incidents": {"open": incidents[:3], "count": count,
                          "sees_all": sees_all(request)}}


def todo(request) -> list[tuple[str, str]]:
    """One line per open incident with reflexes still to do (the card's query)."""
    items = []
    for incident in _open_summary(request)[:SHOWN]:
        if incident.pending:
            url = reverse("incident_detail", args=[request.organisation.slug, incident.pk])
            items.append((_("Incident INC-%(number)04d : des réflexes restent à faire.")
                          % {"number": incident.number}, url))
    return items


def summary(count: int) -> str:
    return ngettext("%(n)d incident en cours", "%(n)d incidents en cours", count) % {
        "n": count}
