"""A pack built by a real `pharmagarde worker` process (django-tasks-db's db_worker against
a file SQLite database, as `pharmagarde up` runs it): requested through the service, it is
« en attente » with its task ready until a worker starts, then « en cours » with its
progress moving, then « prêt » with its three files on disk, the task successful.

The test reads the database file itself (read-only, every 10 ms) to see each state as the
pack's page would; no shell is started while the worker runs."""

import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from unittest import TestCase, skipUnless

from tests.test_cli import ROOT, fresh_env, pharmagarde

REQUEST = """
import datetime
from django.contrib.auth import get_user_model
from pharmagarde.actions.models import Action
from pharmagarde.core.models import Membership, Organisation
from pharmagarde.reports import services
org = Organisation.objects.create(name="Pharmacie du Worker", slug="worker", kind="officine",
                                  siret="73282932000074", city="Nantes", postal_code="44000")
user = get_user_model().objects.create_user(username="alice", email="alice@exemple.fr")
Membership.objects.create(organisation=org, user=user, role="responsable")
Action.objects.bulk_create([
    Action(organisation=org, title=f"Action {i} : vérifier les sauvegardes", priority=i,
           due_date=datetime.date.today()) for i in range(40)])
pack = services.pack_request(organisation=org, regime="general", acting_user=user)
print(pack.pk)
"""


class PackBuiltByAWorkerProcessTestCase(TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.env = {"SECRET_KEY": "dossier-worker-" + "k" * 40,
                    # The scheduler's first tick (reminders, digests) waits: only the pack.
                    "SCHEDULER_INTERVAL_SECONDS": "3600"}
        self.worker = None
        self.addCleanup(self.stop_worker)

    def stop_worker(self):
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()

    def query(self, sql, *params):
        database = Path(self.tmp.name) / "pharmagarde.sqlite3"
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=20) as connection:
            return connection.execute(sql, params).fetchone()

    def pack(self, pack_id):
        return self.query("SELECT status, progress, step, pdf, docx, xlsx, pages, error "
                          "FROM reports_pack WHERE id = ?", pack_id)

    def task(self):
        return self.query("SELECT status, return_value FROM django_tasks_database_dbtaskresult "
                          "WHERE task_path = 'pharmagarde.reports.tasks.build_pack'")

    @skipUnless(shutil.which("pdftotext"), "pdftotext (poppler-utils) is not installed")
    def test_a_worker_process_takes_the_pack_from_queued_to_done_with_its_files(self):
        started = time.monotonic()
        result = pharmagarde("init", data_dir=self.tmp.name, **self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        result = pharmagarde("shell", "-c", REQUEST, data_dir=self.tmp.name, **self.env)
        self.assertEqual(result.returncode, 0, result.stderr)
        pack_id = int(result.stdout.strip().splitlines()[-1])
        # No worker yet: the pack waits, its task is ready.
        self.assertEqual(self.pack(pack_id)[:2], ("queued", 0))
        self.assertEqual(self.task()[0], "READY")

        log_path = os.path.join(self.tmp.name, "worker.log")
        with open(log_path, "w") as log:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "pharmagarde.cli", "worker", "--interval", "0.2"],
                cwd=ROOT, env=fresh_env(self.tmp.name, **self.env), stdout=log,
                stderr=subprocess.STDOUT)
        seen, progress = ["queued"], []
        deadline = time.monotonic() + 60
        while (row := self.pack(pack_id))[0] not in ("done", "failed"):
            if row[0] != seen[-1]:
                seen.append(row[0])
            if row[0] == "running" and (not progress or row[1] != progress[-1]):
                progress.append(row[1])
            self.assertLess(time.monotonic(), deadline, f"trop long : {row}")
            self.assertIsNone(self.worker.poll(), "the worker stopped")
            time.sleep(0.01)
        seen.append(row[0])
        status, final_progress, step, pdf, docx, xlsx, pages, error = row
        self.assertEqual(error, "")
        self.assertEqual(seen, ["queued", "running", "done"])
        self.assertEqual((final_progress, step), (100, "Prêt"))
        self.assertGreater(len(progress), 1, "the progress moves while it runs")
        self.assertEqual(progress, sorted(progress))
        # The task is successful once the worker has written its result.
        deadline = time.monotonic() + 20
        while self.task()[0] != "SUCCESSFUL":
            self.assertLess(time.monotonic(), deadline, f"tâche : {self.task()}")
            time.sleep(0.05)
        self.assertEqual(self.task()[1], "true")

        media = Path(self.tmp.name) / "media"
        for name, extension in ((pdf, "pdf"), (docx, "docx"), (xlsx, "xlsx")):
            self.assertRegex(name, rf"^reports/\d+/[0-9a-f]{{32}}/dossier-general-"
                                   rf"\d{{4}}-\d{{2}}-\d{{2}}\.{extension}$")
            self.assertTrue((media / name).is_file(), name)
        content = (media / pdf).read_bytes()
        self.assertTrue(content.startswith(b"%PDF-"))
        text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True,
                              check=True).stdout.decode()
        self.assertEqual(text.count("\f"), pages)
        flat = " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())
        for expected in ("Pharmacie du Worker", "Les actions ouvertes, par priorité",
                         "Action 39 : vérifier les sauvegardes", f"page {pages} / {pages}"):
            self.assertTrue(expected in flat, expected)
        for name in (docx, xlsx):
            with zipfile.ZipFile(io.BytesIO((media / name).read_bytes())) as archive:
                self.assertIsNone(archive.testzip())

        self.stop_worker()
        with open(log_path) as log:
            self.assertNotIn("Traceback", log.read())
        self.assertLess(time.monotonic() - started, 60)
