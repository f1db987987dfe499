"""The reporting mailbox read by the worker, against a real IMAP server (tests/imap_server.py)
holding real messages: a campaign message forwarded as an attachment, as a .eml file,
inline (links rewritten by a link-protection service too), redirected as it was; unrelated
and malformed messages (skipped and left unread); a token of another organisation's
campaign (ignored); the errors a référent can fix, in plain French; the scheduler's rhythm."""

import datetime
import socket
from email.message import EmailMessage
from urllib.parse import quote

from django.utils import timezone

from pharmagarde.awareness import imap, sending
from pharmagarde.awareness.models import Event, Recipient, ReportMailbox
from pharmagarde.core import crypto
from tests.base import BaseTestCase
from tests.imap_server import IMAPServer

from .base import CONTENT, make_campaign


def campaign_message(recipient) -> EmailMessage:
    """The message the recipient received, as sending.py builds it."""
    return sending.message_for(recipient.campaign, recipient, "Pharmacie Alpha",
                               "campagnes@alpha.example")


def forward(body: str = "Bonjour, ce message me semble louche.", *, html: str = "",
            attach=None, eml: bytes | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = "paul@alpha.example"
    message["To"] = "signalement@alpha.example"
    message["Subject"] = "TR: Votre facture"
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    if attach is not None:
        message.add_attachment(attach)  # message/rfc822
    if eml is not None:
        message.add_attachment(eml, maintype="application", subtype="octet-stream",
                               filename="Votre facture.eml")
    return message.as_bytes()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class IMAPTestCase(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.imap = IMAPServer(username="signalement", password="Bon-Mot-De-Passe",
                              folders=("INBOX", "Signalements")).start()
        cls.addClassCleanup(cls.imap.stop)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = make_campaign(cls.org, None, content=CONTENT, status="envoi")
        now = timezone.now()
        cls.recipients = Recipient.objects.bulk_create([
            Recipient(organisation=cls.org, campaign=cls.campaign, email=f"p{i}@alpha.example",
                      first_name=f"Prénom{i}", send_at=now, delivery="envoye", sent_at=now)
            for i in range(6)])
        other = make_campaign(cls.other_org, None, content=CONTENT, status="envoi")
        cls.foreign = Recipient.objects.create(organisation=cls.other_org, campaign=other,
                                               email="b@bravo.example", send_at=now)

    def setUp(self):
        self.imap.clear()
        self.mailbox = ReportMailbox.objects.create(
            organisation=self.org, host=self.imap.host, port=self.imap.port, tls=False,
            username="signalement",
            password=crypto.encrypt("Bon-Mot-De-Passe", purpose="awareness.imap"))

    def reported(self):
        return set(Recipient.objects.filter(reported_at__isnull=False)
                   .values_list("pk", flat=True))

    def test_it_counts_every_way_of_forwarding_a_campaign_message(self):
        r0, r1, r2, r3, r4 = self.recipients[:5]
        attached = self.imap.add(forward(attach=campaign_message(r0)))
        as_eml = self.imap.add(forward(eml=campaign_message(r1).as_bytes()))
        text = campaign_message(r2).get_body(("plain",)).get_content()
        inline = self.imap.add(forward("---- Message transféré ----\n> " + text.replace(
            "\n", "\n> ")))
        link = sending.links(r3.token)["lien"]
        rewritten = self.imap.add(forward(html=(
            '<p>Regardez : <a href="https://eur01.safelinks.protection.outlook.com/?url='
            f'{quote(link, safe="")}&amp;data=05">le lien</a></p>')))
        redirected = self.imap.add(campaign_message(r4).as_bytes())
        now = timezone.now()

        self.assertEqual(imap.poll(self.mailbox, now=now), 5)

        self.assertEqual(self.reported(), {r0.pk, r1.pk, r2.pk, r3.pk, r4.pk})
        self.assertEqual(Recipient.objects.get(pk=r0.pk).reported_at, now)
        events = Event.objects.filter(kind=Event.Kind.REPORTED)
        self.assertEqual(sorted(events.values_list("recipient_id", flat=True)),
                         sorted([r0.pk, r1.pk, r2.pk, r3.pk, r4.pk]))
        self.assertEqual({e.campaign_id for e in events}, {self.campaign.pk})
        for uid in (attached, as_eml, inline, rewritten, redirected):
            self.assertEqual(self.imap.flags(uid), {"\\Seen"}, uid)
        self.mailbox.refresh_from_db()
        self.assertEqual((self.mailbox.polled_at, self.mailbox.last_error), (now, ""))

    def test_a_second_report_of_the_same_message_changes_nothing(self):
        recipient = self.recipients[0]
        self.imap.add(forward(attach=campaign_message(recipient)))
        first = timezone.now()
        self.assertEqual(imap.poll(self.mailbox, now=first), 1)
        again = self.imap.add(forward(attach=campaign_message(recipient)))
        self.assertEqual(imap.poll(self.mailbox, now=first + datetime.timedelta(hours=1)), 0)
        self.assertEqual(Recipient.objects.get(pk=recipient.pk).reported_at, first)
        self.assertEqual(Event.objects.filter(kind=Event.Kind.REPORTED).count(), 1)
        self.assertEqual(self.imap.flags(again), {"\\Seen"})

    def test_unrelated_malformed_and_foreign_messages_are_skipped_and_left_unread(self):
        unrelated = self.imap.add(forward("Un vrai message suspect : "
                                          "https://banque-exemple.example/p/connexion/"))
        unknown_token = self.imap.add(forward("https://pharmagarde.example/p/"
                                              + "A" * 43 + "/"))
        foreign = self.imap.add(forward(attach=campaign_message(self.foreign)))
        malformed = [
            self.imap.add(b"\xff\xfe\x00 pas un message\n\n\x00\x01"),
            self.imap.add(b"Content-Type: multipart/mixed\nSubject: sans limite\n\n--x\n"),
            self.imap.add(b"Content-Type: text/plain; charset=x-inconnu\n"
                          b"Content-Transfer-Encoding: base64\n\n%%% pas du base64 \xe9\n"),
            self.imap.add(b""),
        ]
        good = self.imap.add(forward(attach=campaign_message(self.recipients[5])))

        self.assertEqual(imap.poll(self.mailbox), 1)

        self.assertEqual(self.reported(), {self.recipients[5].pk})
        self.assertEqual(self.imap.flags(good), {"\\Seen"})
        for uid in (unrelated, unknown_token, foreign, *malformed):
            self.assertEqual(self.imap.flags(uid), set(), uid)
        self.mailbox.refresh_from_db()
        self.assertEqual(self.mailbox.last_error, "")

    def test_a_later_poll_reads_only_recent_messages(self):
        now = timezone.now()
        old = self.imap.add(forward(attach=campaign_message(self.recipients[0])),
                            received=now - datetime.timedelta(days=10))
        recent = self.imap.add(forward(attach=campaign_message(self.recipients[1])))
        self.mailbox.polled_at = now - datetime.timedelta(hours=1)
        self.assertEqual(imap.poll(self.mailbox, now=now), 1)
        self.assertEqual(self.imap.flags(recent), {"\\Seen"})
        self.assertEqual(self.imap.flags(old), set())
        # The first poll of a mailbox reads every unread message.
        self.mailbox.polled_at = None
        self.assertEqual(imap.poll(self.mailbox, now=now), 1)

    def test_another_folder(self):
        uid = self.imap.add(forward(attach=campaign_message(self.recipients[0])),
                            folder="Signalements")
        self.mailbox.folder = "Signalements"
        self.assertEqual(imap.poll(self.mailbox), 1)
        self.assertEqual(self.imap.flags(uid, folder="Signalements"), {"\\Seen"})

    def assertPollFails(self, text, **fields):
        for name, value in fields.items():
            setattr(self.mailbox, name, value)
        self.mailbox.save()
        self.imap.add(forward(attach=campaign_message(self.recipients[0])))
        self.assertEqual(imap.poll(self.mailbox), 0)
        self.mailbox.refresh_from_db()
        self.assertIn(text, self.mailbox.last_error)
        self.assertIsNotNone(self.mailbox.polled_at)
        self.assertEqual(self.reported(), set())
        ok, message = imap.mailbox_test(self.mailbox)
        self.assertFalse(ok)
        self.assertIn(text, message)

    def test_a_wrong_password(self):
        self.assertPollFails("refusé l'identifiant ou le mot de passe",
                             password=crypto.encrypt("faux", purpose="awareness.imap"))

    def test_a_password_encrypted_with_another_key(self):
        self.assertPollFails("ne peut plus être lu",
                             password=crypto.encrypt("x", purpose="awareness.smtp"))

    def test_an_unknown_folder(self):
        self.assertPollFails("Le dossier « Archives » est introuvable", folder="Archives")

    def test_a_server_that_does_not_answer(self):
        self.assertPollFails("Impossible de joindre le serveur 127.0.0.1 sur le port",
                             port=free_port())

    def test_tls_asked_of_a_server_without_it(self):
        self.assertPollFails("La connexion chiffrée avec 127.0.0.1 a échoué", tls=True)

    def test_the_test_changes_nothing(self):
        uid = self.imap.add(forward(attach=campaign_message(self.recipients[0])))
        ok, message = imap.mailbox_test(self.mailbox)
        self.assertTrue(ok)
        self.assertEqual(message, "Connexion réussie : le dossier « INBOX » contient 1 "
                                  "message(s) non lu(s).")
        self.assertEqual(self.imap.flags(uid), set())
        self.assertEqual(self.reported(), set())

    def test_poll_all_reads_each_enabled_mailbox_once_per_five_minutes(self):
        self.imap.add(forward(attach=campaign_message(self.recipients[0])))
        ReportMailbox.objects.create(organisation=self.other_org, host=self.imap.host,
                                     port=self.imap.port, tls=False, username="signalement",
                                     enabled=False)
        now = timezone.now()
        self.assertEqual(imap.poll_all(now), 1)
        self.assertEqual(self.imap.logins, 1)
        self.assertEqual(imap.poll_all(now + datetime.timedelta(minutes=2)), 0)
        self.assertEqual(self.imap.logins, 1)
        self.imap.add(forward(attach=campaign_message(self.recipients[1])))
        self.assertEqual(imap.poll_all(now + datetime.timedelta(minutes=5)), 1)
        self.assertEqual(self.imap.logins, 2)
        self.assertEqual(ReportMailbox.objects.get(organisation=self.other_org).polled_at,
                         None)

    def test_tokens_in_headers_and_nested_messages(self):
        token = self.recipients[0].token
        raw = (f"Subject: x\nX-Original-Link: https://site.example/p/{token}/o.gif\n\n"
               "corps\n").encode()
        self.assertEqual(imap.tokens_in(raw), {token})
        self.assertEqual(imap.tokens_in(forward(attach=campaign_message(self.recipients[1]))),
                         {self.recipients[1].token})
