"""core/mail.py: every e-mail is written encrypted, sent by the worker after commit, retried
when the server fails or a worker dies, and never carried in clear by the task table."""

import json
from datetime import timedelta

from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from pharmagarde.core import crypto, mail
from pharmagarde.core.models import OutgoingEmail, Role
from pharmagarde.core.services import invitation_create
from tests.base import BaseTestCase
from tests.smtp import SMTPServer, SMTPTestMixin, body_text

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                              "QUEUES": ["default"]}}


def run_worker():
    """What a worker does with each ready task, in this process and this test's transaction
    (Worker.run itself closes the connection between tasks, which would end the test's
    transaction on PostgreSQL). Real worker processes: tests/core/test_worker.py."""
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=None, worker_id="test-worker",
                    excluded_queue_names=[])
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)


def queue_one(**overrides):
    fields = {"to": ["colin@alpha.example"], "subject": "Sujet", "text": "Corps du message"}
    return mail.queue(**{**fields, **overrides})


class QueueTestCase(SMTPTestMixin, TestCase):
    def test_it_sends_after_commit_only(self):
        with self.captureOnCommitCallbacks(execute=True):
            queue_one()
            self.assertEqual(self.smtp.messages, [])
        self.assertEqual(self.smtp.messages[0]["Subject"], "Sujet")
        self.assertIn("Corps du message", body_text(self.smtp.messages[0]))

    def test_it_sends_nothing_when_the_transaction_rolls_back(self):
        class Rollback(Exception):
            pass

        with (self.captureOnCommitCallbacks(execute=True), self.assertRaises(Rollback),
              transaction.atomic()):
            queue_one()
            raise Rollback
        self.assertEqual(self.smtp.messages, [])
        self.assertFalse(OutgoingEmail.objects.exists())

    def test_it_keeps_the_content_encrypted_and_wipes_it_once_sent(self):
        email = queue_one(text="https://exemple.fr/invitation/SECRET-TOKEN/")
        stored = OutgoingEmail.objects.get(pk=email.pk)
        self.assertNotIn("SECRET-TOKEN", stored.content)
        self.assertNotIn("Sujet", stored.content)
        self.assertIn("SECRET-TOKEN", mail.message_of(stored).body)
        self.assertTrue(mail.deliver(email.pk))
        stored.refresh_from_db()
        self.assertEqual(stored.content, "")
        self.assertIsNotNone(stored.sent_at)

    def test_it_sends_html_and_headers(self):
        email = queue_one(html="<p>Bonjour</p>", headers={"List-Id": "<x.pharmagarde>"})
        mail.deliver(email.pk)
        message = self.smtp.messages[0]
        self.assertEqual(message.get_body(("html",)).get_content().strip(), "<p>Bonjour</p>")
        self.assertEqual(message["List-Id"], "<x.pharmagarde>")
        self.assertTrue(message["Message-ID"].endswith("@127.0.0.1>"))

    def test_a_line_break_in_the_subject_cannot_block_the_mail(self):
        email = queue_one(subject="Action :\nBcc: intrus@exemple.fr")
        self.assertTrue(mail.deliver(email.pk))
        self.assertEqual(self.smtp.messages[0]["Subject"], "Action : Bcc: intrus@exemple.fr")
        self.assertEqual(self.smtp.envelopes[0].rcpt_tos, ["colin@alpha.example"])

    def test_a_message_that_cannot_be_built_is_abandoned_not_retried_for_ever(self):
        email = queue_one(headers={"X-Bad": "a\nb"})
        with self.assertLogs("pharmagarde.mail", "ERROR"):
            self.assertFalse(mail.deliver(email.pk))
        email.refresh_from_db()
        self.assertIsNotNone(email.abandoned_at)
        self.assertIn("BadHeaderError", email.last_error)

    def test_it_writes_one_mail_per_key(self):
        self.assertIsNotNone(queue_one(key="digest:1:2026-01-05"))
        self.assertIsNone(queue_one(key="digest:1:2026-01-05"))
        self.assertEqual(OutgoingEmail.objects.count(), 1)

    def test_it_sends_a_mail_once_however_often_it_is_delivered(self):
        email = queue_one()
        self.assertTrue(mail.deliver(email.pk))
        self.assertFalse(mail.deliver(email.pk))
        self.assertEqual(len(self.smtp.messages), 1)

    def test_a_claimed_mail_is_left_to_its_worker(self):
        email = queue_one()
        OutgoingEmail.objects.filter(pk=email.pk).update(
            retry_after=timezone.now() + timedelta(seconds=60))
        self.assertFalse(mail.deliver(email.pk))
        self.assertEqual(self.smtp.messages, [])

    def test_it_reads_content_encrypted_with_a_previous_key(self):
        with override_settings(SECRET_KEY="ancienne-" + "k" * 50):
            email = queue_one()
        with override_settings(SECRET_KEY_FALLBACKS=["ancienne-" + "k" * 50]):
            self.assertTrue(mail.deliver(email.pk))
        self.assertEqual(len(self.smtp.messages), 1)


class FailureTestCase(TestCase):
    """A mail server that fails: retried with a growing wait, abandoned when refused."""

    def deliver_with(self, reply):
        email = queue_one()
        with SMTPServer(reply=reply) as smtp, override_settings(**smtp.django_settings()):
            self.assertFalse(mail.deliver(email.pk))
            self.assertEqual(smtp.messages, [])
        email.refresh_from_db()
        return email

    def test_it_waits_then_tries_again_when_the_server_is_down(self):
        email = queue_one()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                               EMAIL_HOST="127.0.0.1", EMAIL_PORT=9, EMAIL_TIMEOUT=1):
            self.assertFalse(mail.deliver(email.pk))
        email.refresh_from_db()
        self.assertIsNone(email.sent_at)
        self.assertIsNone(email.abandoned_at)
        self.assertEqual(email.attempts, 1)
        self.assertIn("ConnectionRefusedError", email.last_error)
        self.assertGreater(email.retry_after, timezone.now() + timedelta(seconds=100))
        # Not before the wait is over, then again once it is.
        self.assertFalse(mail.deliver(email.pk))
        OutgoingEmail.objects.filter(pk=email.pk).update(retry_after=timezone.now())
        with SMTPServer() as smtp, override_settings(**smtp.django_settings()):
            self.assertTrue(mail.deliver(email.pk))
            self.assertEqual(len(smtp.messages), 1)

    def test_it_gives_up_on_a_message_the_server_refuses(self):
        email = self.deliver_with("550 No such user")
        self.assertIsNotNone(email.abandoned_at)
        self.assertIn("550", email.last_error)

    def test_it_tries_again_after_a_temporary_refusal(self):
        email = self.deliver_with("451 Try again later")
        self.assertIsNone(email.abandoned_at)
        self.assertIsNotNone(email.retry_after)

    def test_it_gives_up_after_the_last_attempt(self):
        email = queue_one()
        OutgoingEmail.objects.filter(pk=email.pk).update(attempts=mail.MAX_ATTEMPTS - 1)
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                               EMAIL_HOST="127.0.0.1", EMAIL_PORT=9, EMAIL_TIMEOUT=1):
            mail.deliver(email.pk)
        email.refresh_from_db()
        self.assertIsNotNone(email.abandoned_at)
        self.assertEqual(mail.requeue(timezone.now() + timedelta(days=3)), 0)


@override_settings(TASKS=DATABASE_TASKS)
class RequeueTestCase(SMTPTestMixin, TestCase):
    """What a dead worker or a lost enqueue leaves behind is sent by the scheduler's sweep."""

    def test_it_requeues_a_mail_whose_worker_died_while_sending(self):
        email = queue_one()
        now = timezone.now()
        # A worker claimed it, then was killed: the claim runs out.
        OutgoingEmail.objects.filter(pk=email.pk).update(
            enqueued_at=now - timedelta(minutes=5), attempts=1,
            retry_after=now - timedelta(seconds=1))
        self.assertEqual(mail.requeue(now), 1)
        self.assertEqual(mail.requeue(now), 0, "enqueued once per claim that ran out")
        run_worker()
        self.assertEqual(len(self.smtp.messages), 1)

    def test_it_leaves_a_mail_being_sent_alone(self):
        email = queue_one()
        OutgoingEmail.objects.filter(pk=email.pk).update(
            enqueued_at=timezone.now(), retry_after=timezone.now() + timedelta(seconds=60))
        self.assertEqual(mail.requeue(), 0)

    def test_it_enqueues_a_mail_whose_process_stopped_after_the_commit(self):
        queue_one()  # in a TestCase, the on-commit enqueue never runs
        self.assertEqual(mail.requeue(), 0, "not while the commit hook may still run")
        later = timezone.now() + timedelta(seconds=121)
        self.assertEqual(mail.requeue(later), 1)
        run_worker()
        self.assertEqual(len(self.smtp.messages), 1)

    def test_it_enqueues_again_a_task_lost_long_ago(self):
        email = queue_one()
        OutgoingEmail.objects.filter(pk=email.pk).update(
            enqueued_at=timezone.now() - timedelta(minutes=30))
        self.assertEqual(mail.requeue(), 0, "a long queue is not a lost task")
        OutgoingEmail.objects.filter(pk=email.pk).update(
            enqueued_at=timezone.now() - mail.LOST_TASK_AFTER)
        self.assertEqual(mail.requeue(), 1)

    def test_it_purges_what_was_sent_a_month_ago(self):
        email = queue_one()
        mail.deliver(email.pk)
        self.assertEqual(mail.purge(), 0)
        self.assertEqual(mail.purge(timezone.now() + mail.KEEP_SENT + timedelta(days=1)), 1)


@override_settings(TASKS=DATABASE_TASKS)
class InvitationThroughTheWorkerTestCase(SMTPTestMixin, BaseTestCase):
    """The invitation link holds the raw token: it must never sit in clear in the task
    table, and the mail must still arrive, through the worker."""

    def test_the_task_table_never_holds_the_token(self):
        with self.captureOnCommitCallbacks(execute=True):
            _invitation, token = invitation_create(
                acting_user=self.owner, organisation=self.org, email="nina@alpha.example",
                role=Role.COLLABORATEUR)
        self.assertEqual(self.smtp.messages, [], "sent by the worker, not by the request")
        task = DBTaskResult.objects.get()
        self.assertEqual(task.task_path, "pharmagarde.core.tasks.send_email")
        stored = json.dumps(task.args_kwargs)
        self.assertNotIn(token, stored)
        self.assertNotIn("nina@alpha.example", stored)
        self.assertNotIn(token, OutgoingEmail.objects.get().content)
        run_worker()
        message = self.smtp.wait_for(1)[0]
        self.assertEqual(message["To"], "nina@alpha.example")
        self.assertIn(f"/invitation/{token}/", body_text(message))
        task.refresh_from_db()
        self.assertEqual(task.status, "SUCCESSFUL")
        self.assertNotIn(token, json.dumps(task.return_value))
        self.assertEqual(OutgoingEmail.objects.get().content, "")


class CryptoTestCase(TestCase):
    def test_each_purpose_has_its_own_key(self):
        token = crypto.encrypt("texte", purpose="a")
        self.assertEqual(crypto.decrypt(token, purpose="a"), "texte")
        with self.assertRaises(crypto.InvalidToken):
            crypto.decrypt(token, purpose="b")

    def test_another_secret_key_cannot_read_it(self):
        token = crypto.encrypt("texte", purpose="a")
        with override_settings(SECRET_KEY="autre-" + "k" * 50), \
                self.assertRaises(crypto.InvalidToken):
            crypto.decrypt(token, purpose="a")
