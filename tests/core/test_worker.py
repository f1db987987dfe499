"""`pharmagarde worker` as real processes, on a fresh installation, against a real SMTP
server: the scheduler inside every worker sends each reminder once, whether two workers
run at the same time or a worker is killed (SIGKILL) in the middle of sending and another
takes over.

Twelve actions make the same mail every run: six due today (each its own "on the day"
mail: to its owner, or to the responsable when the owner has no account), five late (their
weekly reminder, in the digest of each owner: two digests), and one done (nothing). The
digest's hour is set to midnight today, so this week's digest is due at once.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from unittest import TestCase

from django.utils import timezone

from tests.smtp import SMTPServer
from tests.test_cli import ROOT, fresh_env, pharmagarde

EXPECTED = {
    ("colin@exemple.fr", "urgent"): 3,
    ("rita@exemple.fr", "urgent"): 2,
    ("alice@exemple.fr", "urgent"): 1,
    ("colin@exemple.fr", "digest"): 1,
    ("rita@exemple.fr", "digest"): 1,
}

CREATE_DATA = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from pharmagarde.actions.models import Action
from pharmagarde.core.models import Membership, Organisation, Person
User = get_user_model()
org = Organisation.objects.create(name="Pharmacie du Test", slug="test", kind="officine",
                                  siret="73282932000074")
people = {}
for name, role in [("alice", "responsable"), ("colin", "collaborateur"), ("rita", "referent")]:
    user = User.objects.create_user(username=name, email=f"{name}@exemple.fr")
    Membership.objects.create(organisation=org, user=user, role=role)
    people[name] = Person.objects.create(organisation=org, first_name=name.title(),
                                         last_name="Test", user=user)
paul = Person.objects.create(organisation=org, first_name="Paul", last_name="Sans-compte")
today = timezone.localdate()
for number, owner in enumerate(["colin", "colin", "colin", "rita", "rita", None]):
    Action.objects.create(organisation=org, title=f"Aujourd'hui {number}", due_date=today,
                          owner=people[owner] if owner else paul)
for number, (owner, weeks) in enumerate([("colin", 1), ("colin", 2), ("colin", 3),
                                         ("rita", 1), ("rita", 4)]):
    Action.objects.create(organisation=org, title=f"En retard {number}",
                          due_date=today - timedelta(days=7 * weeks), owner=people[owner])
Action.objects.create(organisation=org, title="Finie", due_date=today, status="done",
                      owner=people["colin"])
"""

STATE = """
import json
from django_tasks_db.models import DBTaskResult
from pharmagarde.core.models import OutgoingEmail, Reminder, ScheduledRun
tasks = DBTaskResult.objects.filter(task_path="pharmagarde.core.tasks.send_email")
print(json.dumps({
    "reminders": Reminder.objects.count(),
    "states": sorted(Reminder.objects.values_list("state", flat=True)),
    "mails": OutgoingEmail.objects.count(),
    "unsent": OutgoingEmail.objects.filter(sent_at=None).count(),
    "claimed_unsent": OutgoingEmail.objects.filter(sent_at=None,
                                                   retry_after__isnull=False).count(),
    "running_tasks": tasks.filter(status="RUNNING").count(),
    "task_workers": sorted({w for ids in tasks.filter(status="SUCCESSFUL")
                            .values_list("worker_ids", flat=True) for w in ids}),
    "tick_workers": sorted(set(ScheduledRun.objects.filter(job="tick")
                               .values_list("worker", flat=True))),
}))
"""


def kind(message):
    return "digest" if "résumé" in message["Subject"] else "urgent"


class WorkerProcessesTestCase(TestCase):
    """One fresh installation per test: each starts from the same data."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.data_dir = self.tmp.name
        self.workers = []
        self.addCleanup(self.stop_workers)

    def install(self, smtp):
        self.env = {
            "SECRET_KEY": "worker-processes-" + "k" * 40,
            "EMAIL_URL": f"smtp://{smtp.host}:{smtp.port}",
            "SCHEDULER_INTERVAL_SECONDS": "1",
            "MAIL_RETRY_SECONDS": "2",
            "DIGEST_WEEKDAY": str(timezone.localdate().weekday()),
            "DIGEST_HOUR": "0",
        }
        result = pharmagarde("init", data_dir=self.data_dir, **self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        result = pharmagarde("shell", "-c", CREATE_DATA, data_dir=self.data_dir, **self.env)
        self.assertEqual(result.returncode, 0, result.stderr)

    def start_worker(self):
        log = open(os.path.join(self.data_dir, f"worker-{len(self.workers)}.log"), "w")  # noqa: SIM115
        self.addCleanup(log.close)
        process = subprocess.Popen(
            [sys.executable, "-m", "pharmagarde.cli", "worker"], cwd=ROOT,
            env=fresh_env(self.data_dir, **self.env), stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(process)
        return process

    def stop_workers(self):
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def logs(self):
        return "\n".join(path.read_text() for path in sorted(Path(self.data_dir).glob("*.log")))

    def wait_until(self, condition, what, timeout=90):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} : toujours pas après {timeout} s\n{self.logs()}")
            time.sleep(0.02)

    def state(self):
        result = pharmagarde("shell", "-c", STATE, data_dir=self.data_dir, **self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def assertEachMailOnce(self, smtp):  # noqa: N802
        total = sum(EXPECTED.values())
        self.wait_until(lambda: len(smtp.messages) >= total, f"{total} courriels")
        time.sleep(5)  # five more scheduler periods: nothing else may come
        messages = smtp.messages
        self.assertEqual(Counter((m["To"], kind(m)) for m in messages), Counter(EXPECTED))
        subjects = Counter((m["To"], m["Subject"]) for m in messages if kind(m) == "urgent")
        self.assertEqual(max(subjects.values()), 1, subjects)
        self.assertEqual(len({m["Message-ID"] for m in messages}), total)
        digest = next(m for m in messages if m["To"] == "colin@exemple.fr" and kind(m) == "digest")
        self.assertIn(": 3 rappels", digest["Subject"])
        state = self.state()
        self.assertEqual(state["reminders"], 11)
        self.assertEqual(Counter(state["states"]), {"sent": 6, "digest": 5})
        self.assertEqual((state["mails"], state["unsent"]), (total, 0))
        self.assertNotIn("Traceback", self.logs())
        return state

    def test_two_workers_at_the_same_time_send_each_reminder_once(self):
        with SMTPServer(accept_delay=0.3) as smtp:
            self.install(smtp)
            self.start_worker()
            self.start_worker()
            state = self.assertEachMailOnce(smtp)
        self.assertEqual([process.poll() for process in self.workers], [None, None])
        self.assertEqual(len(state["task_workers"]), 2, "both workers sent mail")
        self.assertGreaterEqual(len(state["tick_workers"]), 1)

    def test_a_worker_killed_while_sending_loses_nothing_and_repeats_nothing(self):
        with SMTPServer(accept_delay=0.5) as smtp:
            self.install(smtp)
            first = self.start_worker()
            # Killed while the server is receiving its first mail, before accepting it.
            self.wait_until(lambda: smtp.receiving == 1, "un premier envoi en cours")
            first.send_signal(signal.SIGKILL)
            first.wait()
            self.assertEqual(smtp.messages, [], "the mail in flight was not accepted")
            state = self.state()
            self.assertEqual(state["claimed_unsent"], 1, "left claimed by the dead worker")
            self.assertEqual(state["running_tasks"], 1, "django-tasks-db leaves it RUNNING")
            # The next one is killed in the middle of the batch.
            second = self.start_worker()
            self.wait_until(lambda: len(smtp.messages) >= 3 and smtp.receiving == 1,
                            "trois courriels partis et un quatrième en cours")
            second.send_signal(signal.SIGKILL)
            second.wait()
            # A third worker finishes the work.
            self.start_worker()
            self.assertEachMailOnce(smtp)
