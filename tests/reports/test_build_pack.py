"""Asking for a pack and the worker building it, with the project's task backend (the
immediate one in tests: the task runs when the request's transaction commits): the pack
goes queued → running (progress and step as the sections are collected) → done with its
three files and its page count; a failure leaves a French message and no file; a pack
already queued is not queued twice; one left by a stopped worker no longer blocks."""

import datetime
from pathlib import Path
from unittest import mock

from django.core.exceptions import ValidationError
from django.utils import timezone

from pharmagarde.core.models import AuditEntry
from pharmagarde.reports import builder, production, services
from pharmagarde.reports.models import Pack
from tests.base import BaseTestCase


class BuildPackTestCase(BaseTestCase):
    def request_pack(self, regime="general", user=None):
        with self.captureOnCommitCallbacks(execute=True):
            return services.pack_request(organisation=self.org, regime=regime,
                                         acting_user=user or self.alice)

    def test_it_is_queued_audited_and_built_by_the_task_with_its_progress(self):
        seen = []
        real = builder.providers()

        def watching(pack):
            row = Pack.objects.get(organisation=self.org)
            seen.append((row.status, row.progress, row.step))
            return []

        with mock.patch.object(builder, "providers",
                               return_value=[*real, ("Témoin", watching)]):
            pack = self.request_pack()
        pack.refresh_from_db()
        self.assertEqual(pack.status, Pack.Status.DONE, pack.error)
        self.assertEqual((pack.progress, pack.step), (100, "Prêt"))
        status, progress, step = seen[0]
        self.assertEqual(status, Pack.Status.RUNNING)
        self.assertTrue(5 <= progress < 60, progress)
        self.assertEqual(step, "Sections : Témoin")
        self.assertGreater(pack.pages, 2)
        for field in ("pdf", "docx", "xlsx"):
            stored = getattr(pack, field)
            self.assertTrue(stored.name.startswith(f"reports/{self.org.pk}/"), stored.name)
            self.assertTrue(stored.storage.exists(stored.name))
        self.assertTrue(pack.pdf.open("rb").read(5) == b"%PDF-")
        self.assertEqual(set(pack.summary) >= {"fresh", "stale", "missing", "to_fix"}, True)
        self.assertIsNotNone(pack.finished_at)
        entry = AuditEntry.objects.get(action="pack.requested")
        self.assertEqual(entry.details, {"référentiel": "general"})

    def test_a_failure_is_kept_in_french_logged_and_leaves_no_file(self):
        def broken(pack):
            raise RuntimeError("boom")

        with mock.patch.object(builder, "providers", return_value=[("Cassé", broken)]), \
                self.assertLogs("pharmagarde.reports.production", "ERROR"):
            pack = self.request_pack()
        pack.refresh_from_db()
        self.assertEqual(pack.status, Pack.Status.FAILED)
        self.assertIn("La préparation du dossier a échoué", pack.error)
        self.assertNotIn("boom", pack.error)
        self.assertFalse(pack.pdf or pack.docx or pack.xlsx)

    def test_a_failure_after_the_files_are_stored_removes_them(self):
        from django.conf import settings

        with mock.patch("pharmagarde.reports.services.enqueue"):
            pack = services.pack_request(organisation=self.org, regime="general",
                                         acting_user=self.alice)
        folder = Path(settings.MEDIA_ROOT) / "reports" / str(self.org.pk)
        before = set(folder.rglob("*.*")) if folder.exists() else set()
        with mock.patch.object(production, "_finish", side_effect=OSError("disk full")), \
                self.assertLogs("pharmagarde.reports.production", "ERROR"):
            self.assertFalse(production.build(pack.pk))
        pack.refresh_from_db()
        self.assertEqual(pack.status, Pack.Status.FAILED)
        self.assertFalse(pack.pdf or pack.docx or pack.xlsx)
        after = set(folder.rglob("*.*")) if folder.exists() else set()
        self.assertEqual(after, before)

    def test_a_pack_already_queued_for_the_regime_is_not_queued_twice(self):
        with mock.patch("pharmagarde.reports.services.enqueue") as enqueue, \
                self.captureOnCommitCallbacks(execute=True):
            first = services.pack_request(organisation=self.org, regime="general",
                                          acting_user=self.alice)
            second = services.pack_request(organisation=self.org, regime="general",
                                           acting_user=self.rita)
            other = services.pack_request(organisation=self.org, regime="cnil",
                                          acting_user=self.rita)
        self.assertEqual(first.pk, second.pk)
        self.assertNotEqual(first.pk, other.pk)
        self.assertEqual(enqueue.call_count, 2)
        self.assertEqual(AuditEntry.objects.filter(action="pack.requested").count(), 2)

    def test_a_pack_left_by_a_stopped_worker_no_longer_blocks_a_new_one(self):
        stuck = Pack.objects.create(organisation=self.org, regime="general",
                                    status=Pack.Status.RUNNING, as_of=timezone.localdate())
        Pack.objects.filter(pk=stuck.pk).update(
            requested_at=timezone.now() - datetime.timedelta(hours=1),
            started_at=timezone.now() - datetime.timedelta(minutes=31))
        with mock.patch("pharmagarde.reports.services.enqueue"):
            fresh = services.pack_request(organisation=self.org, regime="general",
                                          acting_user=self.alice)
        self.assertNotEqual(fresh.pk, stuck.pk)
        stuck.refresh_from_db()
        self.assertEqual(stuck.status, Pack.Status.FAILED)
        self.assertIn("interrompue", stuck.error)

    def test_a_pack_running_for_a_minute_after_a_long_wait_is_not_abandoned(self):
        now = timezone.now()
        running = Pack.objects.create(organisation=self.org, regime="general",
                                      status=Pack.Status.RUNNING, as_of=timezone.localdate())
        Pack.objects.filter(pk=running.pk).update(
            requested_at=now - datetime.timedelta(minutes=40),
            started_at=now - datetime.timedelta(minutes=1))
        with mock.patch("pharmagarde.reports.services.enqueue") as enqueue:
            again = services.pack_request(organisation=self.org, regime="general",
                                          acting_user=self.alice)
        self.assertEqual(again.pk, running.pk)
        enqueue.assert_not_called()
        running.refresh_from_db()
        self.assertEqual(running.status, Pack.Status.RUNNING)
        self.assertFalse(running.is_stalled(now))
        self.assertTrue(running.is_stalled(now + datetime.timedelta(minutes=30)))

    def test_a_pack_queued_for_a_while_is_waited_for_longer_than_a_running_one(self):
        now = timezone.now()
        queued = Pack.objects.create(organisation=self.org, regime="general",
                                     as_of=timezone.localdate())
        Pack.objects.filter(pk=queued.pk).update(
            requested_at=now - datetime.timedelta(minutes=40))
        with mock.patch("pharmagarde.reports.services.enqueue"):
            again = services.pack_request(organisation=self.org, regime="general",
                                          acting_user=self.alice)
        self.assertEqual(again.pk, queued.pk)
        Pack.objects.filter(pk=queued.pk).update(requested_at=now - datetime.timedelta(hours=2))
        with mock.patch("pharmagarde.reports.services.enqueue"):
            fresh = services.pack_request(organisation=self.org, regime="general",
                                          acting_user=self.alice)
        self.assertNotEqual(fresh.pk, queued.pk)
        queued.refresh_from_db()
        self.assertEqual(queued.status, Pack.Status.FAILED)

    def test_a_pack_marked_failed_while_it_was_built_stays_failed_without_files(self):
        from django.conf import settings

        with mock.patch("pharmagarde.reports.services.enqueue"):
            pack = services.pack_request(organisation=self.org, regime="general",
                                         acting_user=self.alice)
        folder = Path(settings.MEDIA_ROOT) / "reports" / str(self.org.pk)
        before = set(folder.rglob("*.*")) if folder.exists() else set()

        def abandoning(pack):
            Pack.objects.filter(organisation=self.org).update(
                status=Pack.Status.FAILED, error="interrompue")
            return []

        with mock.patch.object(builder, "providers", return_value=[("Lent", abandoning)]), \
                self.assertLogs("pharmagarde.reports.production", "WARNING"):
            self.assertFalse(production.build(pack.pk))
        pack.refresh_from_db()
        self.assertEqual((pack.status, pack.error), (Pack.Status.FAILED, "interrompue"))
        self.assertFalse(pack.pdf or pack.docx or pack.xlsx)
        after = set(folder.rglob("*.*")) if folder.exists() else set()
        self.assertEqual(after, before)

    def test_only_the_five_latest_ready_packs_of_a_regime_are_kept(self):
        from django.core.files.base import ContentFile

        now = timezone.now()
        kept = []
        for index in range(6):
            pack = Pack.objects.create(organisation=self.org, regime="general",
                                       status=Pack.Status.DONE, as_of=timezone.localdate())
            pack.pdf.save("dossier.pdf", ContentFile(b"%PDF-1.7"), save=False)
            pack.save()
            Pack.objects.filter(pk=pack.pk).update(
                requested_at=now - datetime.timedelta(days=10 - index))
            kept.append(pack)
        oldest = kept[0]
        others = [Pack.objects.create(organisation=self.org, regime="cnil",
                                      status=Pack.Status.DONE, as_of=timezone.localdate()),
                  Pack.objects.create(organisation=self.other_org, regime="general",
                                      status=Pack.Status.DONE, as_of=timezone.localdate()),
                  Pack.objects.create(organisation=self.org, regime="general",
                                      status=Pack.Status.FAILED, as_of=timezone.localdate())]
        storage, name = oldest.pdf.storage, oldest.pdf.name
        built = self.request_pack()  # the seventh ready pack of the regime
        built.refresh_from_db()
        self.assertEqual(built.status, Pack.Status.DONE, built.error)
        done = Pack.objects.filter(organisation=self.org, regime="general",
                                   status=Pack.Status.DONE)
        self.assertEqual(done.count(), production.KEEP_DONE)
        self.assertFalse(Pack.objects.filter(pk__in=[kept[0].pk, kept[1].pk]).exists())
        self.assertFalse(storage.exists(name))
        self.assertTrue(storage.exists(kept[2].pdf.name))
        self.assertEqual(Pack.objects.filter(pk__in=[p.pk for p in others]).count(), 3)

    def test_the_task_builds_a_pack_once(self):
        pack = self.request_pack()
        self.assertFalse(production.build(pack.pk))  # already done: nothing again

    def test_a_regime_that_does_not_apply_is_refused(self):
        with self.assertRaises(ValidationError):
            services.pack_request(organisation=self.org, regime="cofrac",
                                  acting_user=self.alice)
        with self.assertRaises(ValidationError):
            services.pack_request(organisation=self.org, regime="x", acting_user=self.alice)
        self.assertFalse(Pack.objects.exists())

    def test_a_download_is_audited_with_its_format(self):
        pack = Pack.objects.create(organisation=self.org, regime="general",
                                   as_of=timezone.localdate())
        services.pack_downloaded(pack=pack, file_format="docx", acting_user=self.aude)
        entry = AuditEntry.objects.get(action="pack.downloaded")
        self.assertEqual(entry.details, {"référentiel": "general", "format": "docx"})
        with self.assertRaises(ValidationError):
            services.pack_downloaded(pack=pack, file_format="exe", acting_user=self.aude)
