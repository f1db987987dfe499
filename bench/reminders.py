"""Reminders benchmark: what one scheduler run costs with a national-sized action plan.

    python -m bench.reminders [--organisations 2000] [--actions-per-org 20]

Generates the organisations (one responsable each, three people) and their actions (due
dates from 120 days ago to a year ahead, mostly open), then times, on the same data:

- `actions.reminders.due(now)`: the app's one query;
- the first `collect(now)`: every reminder is new (what a fresh installation, or the first
  run of a day with many due dates, pays);
- a steady-state `collect(now)`: nothing new, what every other run pays, every
  SCHEDULER_INTERVAL_SECONDS;
- `send_urgent` and a Monday's `send_digests`: rendering, encrypting and writing each mail
  (the task backend stores the tasks without running them);
- `deliver`: sending one queued mail to Django's in-memory mail backend.

Times are also given as a ratio of the bare Django view measured in the same run.
"""

import argparse
import datetime
import random
import time

from bench.foundation import percentile, prepare_environment, time_requests


def make_actions(organisations, per_org, seed=1):
    from django.utils import timezone

    from bench.generate import STATUS_MIX
    from pharmagarde.actions.models import Action
    from pharmagarde.core.models import Organisation

    rng = random.Random(seed)
    today = timezone.localdate()
    people = {}
    for org_id, person_id in Organisation.objects.values_list("pk", "people__pk"):
        people.setdefault(org_id, []).append(person_id)
    actions = [
        Action(organisation_id=org_id, title=f"Action {number} : vérifier le poste",
               owner_id=rng.choice(owners), status=rng.choice(STATUS_MIX),
               due_date=today + datetime.timedelta(days=rng.randint(-120, 365)))
        for org_id, owners in people.items() for number in range(per_org)
    ]
    Action.objects.bulk_create(actions, batch_size=5000)
    return len(actions)


def timed(function, *args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = function(*args)
        seconds = time.perf_counter() - started
    return result, seconds, len(queries.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--actions-per-org", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    prepare_environment()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from bench.generate import generate
    from pharmagarde.actions.reminders import due
    from pharmagarde.core import mail, reminders
    from pharmagarde.core.models import OutgoingEmail, Reminder

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(args.organisations, 3, 0)
    count = make_actions(args.organisations, args.actions_per_org)
    print(f"{args.organisations} structures, {count} actions "
          f"en {time.perf_counter() - started:.1f} s ({settings.DATABASES['default']['ENGINE']})")

    client = Client()
    time_requests(client, "/bench/bare/", 20)
    bare = percentile(time_requests(client, "/bench/bare/", args.requests), 0.5)
    print(f"vue nue : {bare * 1000:.2f} ms (p50)\n")

    def line(label, seconds, queries, rows=None):
        per = f", {seconds / rows * 1e6:.0f} µs par ligne" if rows else ""
        # Django keeps the last 9,000 queries only: beyond, the count is lost.
        counted = f"{queries:5d}" if 0 < queries < 9000 else "  ≥9k"
        print(f"{label:<44} {seconds * 1000:9.1f} ms {seconds / bare:9.0f} × vue nue"
              f"  {counted} requêtes{per}")

    # A Wednesday at 10:00, after this week's digest ran: nothing goes in a digest yet.
    today = timezone.localdate()
    wednesday = today + datetime.timedelta(days=(2 - today.weekday()) % 7)
    now = timezone.make_aware(datetime.datetime.combine(wednesday, datetime.time(10)))
    reminders.ScheduledRun.objects.create(
        job="digest", period=timezone.localdate(reminders.digest_period_start(now)).isoformat(),
        finished_at=now)

    dues, seconds, queries = timed(lambda: list(due(now)))
    line(f"due(now) : {len(dues)} actions à rappeler", seconds, queries, len(dues))
    created, seconds, queries = timed(reminders.collect, now)
    line(f"collect, premier tour : {created} rappels", seconds, queries, created)
    _none, seconds, queries = timed(reminders.collect, now + datetime.timedelta(minutes=5))
    line("collect, tour suivant (rien de nouveau)", seconds, queries, len(dues))

    tasks = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=tasks,
                           EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        urgent = Reminder.objects.filter(state="pending", urgent=True).count()

        def send_urgent_committed():
            with transaction.atomic():
                return reminders.send_urgent(now)

        sent, seconds, queries = timed(send_urgent_committed)
        line(f"send_urgent : {sent} courriels (sur {urgent})", seconds, queries, sent)
        monday = now + datetime.timedelta(days=(7 - now.weekday()) % 7 or 7)
        monday = monday.replace(hour=8)
        sent, seconds, queries = timed(reminders.send_digests, monday)
        line(f"send_digests : {sent} résumés", seconds, queries, sent)
        ids = list(OutgoingEmail.objects.values_list("pk", flat=True)[:500])
        _none, seconds, queries = timed(lambda: [mail.deliver(pk) for pk in ids])
        line(f"deliver : {len(ids)} courriels (mémoire)", seconds, queries, len(ids))


if __name__ == "__main__":
    main()
