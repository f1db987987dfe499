"""The values awareness gives the federations (core/metrics.py): phishing click and report
rates over the campaigns finished in the 12 months before the moment asked for, and the
share of training assignments done among those due in those months.

Clicks are counted as results.py counts them: a person whose result was raised to
« clicked » or « form sent », which a hit taken for a mail scanner never does
(tracking.py). Two queries per chunk of organisations (core.metrics.id_chunks).
"""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.metrics import RATE, Metric, MetricSource, id_chunks, year_before

from .models import Assignment, Recipient

CLICK_KEY = "awareness.phishing_click"
REPORT_KEY = "awareness.phishing_report"
TRAINING_KEY = "awareness.training_done"

METRICS = (
    Metric(CLICK_KEY, _("Taux de clic sur les faux courriels d'hameçonnage"), RATE,
           higher_is_better=False),
    Metric(REPORT_KEY, _("Taux de signalement des faux courriels d'hameçonnage"), RATE),
    Metric(TRAINING_KEY, _("Formations faites parmi celles attendues"), RATE),
)


def _campaign_counts(chunk: list[int], moment: datetime.datetime, start: datetime.datetime):
    before = moment
    clicked = Q(result__gte=Recipient.Result.CLICKED) & (
        Q(clicked_at__lt=before) | Q(submitted_at__lt=before))
    return (Recipient.objects
            .filter(organisation_id__in=chunk, sent_at__lt=before,
                    campaign__finished_at__gte=start, campaign__finished_at__lt=before)
            .order_by().values("organisation_id")
            .annotate(sent=Count("pk"), clicked=Count("pk", filter=clicked),
                      reported=Count("pk", filter=Q(reported_at__lt=before)))
            .values_list("organisation_id", "sent", "clicked", "reported"))


def _training_counts(chunk: list[int], moment: datetime.datetime, start: datetime.datetime):
    return (Assignment.objects
            .filter(organisation_id__in=chunk, assigned_at__lt=moment,
                    due_on__gte=timezone.localdate(start), due_on__lt=timezone.localdate(moment))
            .order_by().values("organisation_id")
            .annotate(due=Count("pk"), done=Count("pk", filter=Q(completed_at__lt=moment)))
            .values_list("organisation_id", "due", "done"))


def values(organisation_ids: set[int], moment: datetime.datetime) -> dict[int, dict]:
    start = year_before(moment)
    found: dict[int, dict] = {}
    for chunk in id_chunks(organisation_ids):
        for organisation_id, sent, clicked, reported in _campaign_counts(chunk, moment, start):
            if sent:
                found.setdefault(organisation_id, {}).update(
                    {CLICK_KEY: (clicked, sent), REPORT_KEY: (reported, sent)})
        for organisation_id, due, done in _training_counts(chunk, moment, start):
            if due:
                found.setdefault(organisation_id, {})[TRAINING_KEY] = (done, due)
    return found


SOURCE = MetricSource(metrics=METRICS, values=values)
