"""The values continuity gives the federations (core/metrics.py): whether the organisation
had a successful restore test, and a finished continuity exercise, in the 12 months before
the moment asked for.

A yes/no for every organisation asked about: one with no test at all is a « no », which is
what the share counts. A restore test is the one logged here, or the date of the last test
typed in the inventory for a backup (restore_status.py counts both). Three queries per
chunk of organisations (core.metrics.id_chunks).
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pharmagarde.core.metrics import SHARE, Metric, MetricSource, id_chunks, year_before
from pharmagarde.inventory.models import Backup

from .models import Exercise, RestoreTest

RESTORE_KEY = "continuity.restore_fresh"
EXERCISE_KEY = "continuity.plan_tested"

METRICS = (
    Metric(RESTORE_KEY, _("Restauration des sauvegardes testée avec succès dans les 12 "
                          "derniers mois"), SHARE),
    Metric(EXERCISE_KEY, _("Plan de continuité exercé dans les 12 derniers mois"), SHARE),
)


def values(organisation_ids: set[int], moment: datetime.datetime) -> dict[int, dict]:
    start = year_before(moment)
    first_day, today = timezone.localdate(start), timezone.localdate(moment)
    restored, exercised = set(), set()
    for chunk in id_chunks(organisation_ids):
        restored.update(RestoreTest.objects.filter(
            organisation_id__in=chunk, result=RestoreTest.Result.SUCCESS,
            created_at__lt=moment, tested_on__gte=first_day, tested_on__lte=today,
        ).values_list("organisation_id", flat=True).distinct())
        restored.update(Backup.objects.filter(
            organisation_id__in=chunk, created_at__lt=moment,
            last_restore_test__gte=first_day, last_restore_test__lte=today,
        ).values_list("organisation_id", flat=True).distinct())
        exercised.update(Exercise.objects.filter(
            organisation_id__in=chunk, status=Exercise.Status.DONE,
            ended_at__gte=start, ended_at__lt=moment,
        ).values_list("organisation_id", flat=True).distinct())
    return {organisation_id: {RESTORE_KEY: organisation_id in restored,
                              EXERCISE_KEY: organisation_id in exercised}
            for organisation_id in organisation_ids}


SOURCE = MetricSource(metrics=METRICS, values=values)
