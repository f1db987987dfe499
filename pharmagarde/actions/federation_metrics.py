"""The values actions gives the federations (core/metrics.py): the share, in percent, of
the plan's items open at the moment asked for that were past their due date then.

An item counts as open at that moment when it was created before it and was not closed
before it (done or dropped since counts as open then). An organisation with no open item
has no value. One query per chunk of organisations (core.metrics.id_chunks).
"""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.metrics import SCORE, Metric, MetricSource, id_chunks

from .models import Action

OVERDUE_KEY = "actions.overdue_share"

METRICS = (
    Metric(OVERDUE_KEY, _("Part des actions du plan en retard (%)"), SCORE,
           higher_is_better=False),
)


def _open_at(moment: datetime.datetime) -> Q:
    closed_before = ~Q(status__in=Action.OPEN_STATUSES) & (
        Q(closed_at__isnull=True) | Q(closed_at__lt=moment))
    return Q(created_at__lt=moment) & ~closed_before


def values(organisation_ids: set[int], moment: datetime.datetime) -> dict[int, dict]:
    late = Q(due_date__lt=timezone.localdate(moment))
    found = {}
    for chunk in id_chunks(organisation_ids):
        rows = (Action.objects.filter(_open_at(moment), organisation_id__in=chunk)
                .order_by().values("organisation_id")
                .annotate(open=Count("pk"), late=Count("pk", filter=late))
                .values_list("organisation_id", "open", "late"))
        for organisation_id, open_count, late_count in rows:
            if open_count:
                found[organisation_id] = {OVERDUE_KEY: round(100 * late_count / open_count, 1)}
    return found


SOURCE = MetricSource(metrics=METRICS, values=values)
