"""The periodic work, run inside every `pharmagarde worker`, on any number of machines.

Each worker runs `run_periodically` in a thread (core/management/commands/worker.py). Every
few seconds it tries to claim the current period, SCHEDULER_INTERVAL_SECONDS long: an INSERT
into ScheduledRun, unique per (job, period), so one worker wins and the others go back to
sleep. The winner runs `tick`: reminders (core/reminders.py), mail left behind
(core/mail.py), the apps' declared periodic work (AppDeclaration.periodic), and once a day
the purge.

Nothing here relies on one process: every step is idempotent and guarded by unique rows, so
two runs at once (a slow run overlapping the next period, machines whose clocks differ)
send nothing twice, and a run cut short (worker killed, database gone) is done again by the
next period's run, on whichever worker claims it. A worker that was down simply claims the
current period when it comes back: there is no backlog of periods to replay.
"""

import logging
import threading
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from . import mail, registry, reminders
from .models import Reminder, ScheduledRun

logger = logging.getLogger("pharmagarde.scheduler")

KEEP_RUNS = timedelta(days=30)
# Reminders are the record of what was sent: kept well beyond HORIZON, after which an app
# never asks for the same occurrence again.
KEEP_REMINDERS = timedelta(days=180)
KEEP_TASK_RESULTS = timedelta(days=14)


def period_of(now: datetime, seconds: int) -> str:
    """The start of the period containing `now`, in UTC: the same on every machine."""
    start = int(now.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start, UTC).isoformat(timespec="seconds")


def claim(job: str, period: str, worker: str = "") -> bool:
    """True for the one caller, on any machine, that claims this period of the job."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=job, period=period, worker=worker[:64])
    except IntegrityError:
        return False
    return True


def tick(now: datetime | None = None, *, worker: str = "") -> bool:
    """Run this period's work unless another worker has claimed it; True if it ran here."""
    now = now or timezone.now()
    period = period_of(now, settings.SCHEDULER_INTERVAL_SECONDS)
    if not claim("tick", period, worker):
        return False
    steps = [reminders.collect, reminders.send_urgent, reminders.send_digests, mail.requeue,
             *registry.periodic_jobs()]
    if claim("purge", timezone.localdate(now).isoformat(), worker):
        steps.append(purge)
    done = {}
    for step in steps:
        try:
            done[step.__name__] = step(now)
        except Exception:  # noqa: BLE001 - the other steps must run; the next period retries
            logger.exception("Planificateur : l'étape %s a échoué", step.__name__)
    if any(done.values()):
        logger.info("Planificateur : %s", ", ".join(f"{name} {count}" for name, count
                                                   in done.items() if count))
    ScheduledRun.objects.filter(job="tick", period=period).update(finished_at=timezone.now())
    return True


def purge(now: datetime) -> int:
    """What nobody needs any more: sent mail, old reminders, runs and task results."""
    from django_tasks_db.models import DBTaskResult

    deleted = mail.purge(now)
    deleted += Reminder.objects.filter(created_at__lt=now - KEEP_REMINDERS).delete()[0]
    deleted += ScheduledRun.objects.filter(started_at__lt=now - KEEP_RUNS).delete()[0]
    return deleted + DBTaskResult.objects.finished().filter(
        finished_at__lt=now - KEEP_TASK_RESULTS).delete()[0]


def run_periodically(stop: threading.Event, *, worker: str = "") -> None:
    """Tick until `stop` is set. Waking often costs one failed INSERT while the period is
    taken, and bounds the delay after a period starts."""
    wake = max(1, min(30, settings.SCHEDULER_INTERVAL_SECONDS // 4))
    while not stop.is_set():
        try:
            tick(worker=worker)
        except Exception:  # noqa: BLE001 - the database may be back at the next wake
            logger.exception("Planificateur : tour impossible")
        finally:
            connections.close_all()  # this thread's connections only
        stop.wait(wake)
