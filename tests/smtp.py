"""A real SMTP server for tests (aiosmtpd), so mail goes through Django's SMTP backend.

As a context manager::

    with SMTPServer() as smtp:
        send_mail(...)            # with EMAIL_HOST/EMAIL_PORT pointing at smtp.host/smtp.port
        smtp.messages[0]["Subject"]

As a TestCase mixin (put it before TestCase): one server per class, Django's EMAIL_BACKEND
switched to SMTP and pointed at it, and the mailbox emptied before every test::

    class MyTests(SMTPTestMixin, BaseTestCase):
        def test_it_mails(self):
            ...
            self.assertEqual(self.smtp.messages[0]["To"], "alice@alpha.example")

Messages are `email.message.EmailMessage` objects (modern policy): use
`message.get_body(("plain",)).get_content()` for the text. `smtp.envelopes` keeps the SMTP
envelope (mail_from, rcpt_tos), which is where Bcc recipients show up.
"""

import asyncio
import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller
from django.test import override_settings


class _CollectingHandler:
    def __init__(self, *, reply=None, accept_delay=0.0):
        self.lock = threading.Lock()
        self.messages = []
        self.envelopes = []
        self.reply = reply
        self.accept_delay = accept_delay
        self.receiving = 0
        # hold(): (stage, after) and the clients kept waiting at that stage.
        self.hold_at = None
        self.held = 0
        self.released = None

    async def _wait_if_held(self, stage):
        with self.lock:
            holding = (self.hold_at is not None and self.hold_at[0] == stage
                       and len(self.messages) >= self.hold_at[1])
            if holding:
                self.held += 1
                released = self.released
        if holding:
            try:
                await released.wait()
            finally:
                with self.lock:
                    self.held -= 1

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        await self._wait_if_held("rcpt")
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.reply:
            return self.reply
        if self.accept_delay:
            # A slow server: the message is only accepted at the end of the wait. A client
            # that goes away before (a killed worker) has not sent it, as with a real MTA:
            # aiosmtpd cancels this coroutine when the connection is lost.
            with self.lock:
                self.receiving += 1
            try:
                await asyncio.sleep(self.accept_delay)
            finally:
                with self.lock:
                    self.receiving -= 1
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode()
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append(envelope)
        # Kept from here on, as a real MTA keeps a message once its final « . » arrived.
        await self._wait_if_held("data")
        return "250 Message accepted for delivery"


class _FreePortController(Controller):
    """Listens on port 0 (a free port chosen by the system) and learns which one."""

    def _trigger_server(self):
        # The listening socket exists by now; read its real port before the readiness probe.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SMTPServer:
    """A threaded SMTP server on 127.0.0.1 that keeps every message it receives."""

    host = "127.0.0.1"

    def __init__(self, *, reply=None, accept_delay=0.0):
        """`reply`: answer every message with it ("451 Try later", "550 No"), keeping none.
        `accept_delay`: seconds before each message is accepted (see `receiving`)."""
        self._handler = _CollectingHandler(reply=reply, accept_delay=accept_delay)
        self._controller = _FreePortController(self._handler, hostname=self.host, port=0)

    @property
    def port(self):
        return self._controller.port

    @property
    def messages(self):
        with self._handler.lock:
            return list(self._handler.messages)

    @property
    def envelopes(self):
        with self._handler.lock:
            return list(self._handler.envelopes)

    @property
    def receiving(self):
        """How many messages are being received, not accepted yet (with accept_delay)."""
        with self._handler.lock:
            return self._handler.receiving

    def hold(self, stage, *, after):
        """Once `after` messages are kept, keep every client waiting for its answer at
        `stage`: "rcpt" (before its next message: nothing of it sent yet) or "data" (its
        message received and kept, the acceptance not answered yet), until `release()`.
        `held` says how many wait."""
        with self._handler.lock:
            self._handler.released = asyncio.Event()
            self._handler.hold_at = (stage, after)

    @property
    def held(self):
        with self._handler.lock:
            return self._handler.held

    def release(self):
        with self._handler.lock:
            self._handler.hold_at = None
            released = self._handler.released
        if released is not None:
            self._controller.loop.call_soon_threadsafe(released.set)

    def clear(self):
        with self._handler.lock:
            self._handler.messages.clear()
            self._handler.envelopes.clear()

    def wait_for(self, count=1, timeout=5.0):
        """Messages once at least `count` have arrived (mail sent from another thread)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        messages = self.messages
        if len(messages) < count:
            raise AssertionError(f"{len(messages)} message(s) reçu(s), {count} attendu(s)")
        return messages

    def django_settings(self):
        """Settings that send Django's mail to this server, in clear (no TLS, no login)."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_TIMEOUT": 5,
        }

    def start(self):
        self._controller.start()
        return self

    def stop(self):
        self._controller.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def body_text(message):
    """The plain-text body of a received message."""
    return message.get_body(("plain",)).get_content()


class SMTPTestMixin:
    """Starts one SMTPServer per test class and points Django's mail settings at it."""

    @classmethod
    def setUpClass(cls):
        cls.smtp = SMTPServer().start()
        cls.addClassCleanup(cls.smtp.stop)
        cls._smtp_settings = override_settings(**cls.smtp.django_settings())
        cls._smtp_settings.enable()
        cls.addClassCleanup(cls._smtp_settings.disable)
        super().setUpClass()

    def setUp(self):
        self.smtp.clear()
        super().setUp()
