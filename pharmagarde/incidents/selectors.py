"""Reads of the incidents for the dashboard and « À faire maintenant »."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .access import sees_all, visible_incidents
from .models import Incident


def open_incidents(request):
    return visible_incidents(request).exclude(status=Incident.Status.CLOSED)


def dashboard_card(request) -> dict | None:
    """The open incidents, first of the dashboard when there is one (two queries)."""
    incidents = list(open_incidents(request).order_by("-noticed_at", "-id")[:3])
    if not incidents:
        return None
    return {"incidents": {"open": incidents, "count": open_incidents(request).count(),
                          "sees_all": sees_all(request)}}


def todo(request) -> list[tuple[str, str]]:
    """One line per open incident with reflexes still to do (one query)."""
    rows = (open_incidents(request).filter(steps__done_at__isnull=True)
            .values_list("pk", "number").order_by("-noticed_at").distinct()[:5])
    items = []
    for pk, number in rows:
        url = reverse("incident_detail", args=[request.organisation.slug, pk])
        items.append((_("Incident INC-%(number)04d : des réflexes restent à faire.")
                      % {"number": number}, url))
    return items


def summary(count: int) -> str:
    return ngettext("%(n)d incident en cours", "%(n)d incidents en cours", count) % {
        "n": count}
