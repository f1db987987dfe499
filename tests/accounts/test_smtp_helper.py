from django.core.mail import send_mail
from django.test import SimpleTestCase, TestCase, override_settings

from tests.smtp import SMTPServer, SMTPTestMixin, body_text


class SMTPServerTestCase(SimpleTestCase):
    def test_it_receives_mail_sent_through_django_smtp_backend(self):
        with SMTPServer() as smtp, override_settings(**smtp.django_settings()):
            send_mail("Sujet éprouvé", "Bonjour Alice", "from@example.org",
                      ["alice@alpha.example"])
            messages = smtp.wait_for(1)
        self.assertEqual(messages[0]["Subject"], "Sujet éprouvé")
        self.assertEqual(messages[0]["To"], "alice@alpha.example")
        self.assertIn("Bonjour Alice", body_text(messages[0]))

    def test_it_listens_on_a_free_port(self):
        with SMTPServer() as first, SMTPServer() as second:
            self.assertNotEqual(first.port, second.port)
            self.assertNotEqual(first.port, 0)


class SMTPMixinTestCase(SMTPTestMixin, TestCase):
    def test_it_points_django_at_the_server(self):
        send_mail("Test", "Corps", None, ["colin@alpha.example"])
        self.assertEqual(len(self.smtp.messages), 1)
        self.assertEqual(self.smtp.envelopes[0].rcpt_tos, ["colin@alpha.example"])

    def test_it_starts_each_test_with_an_empty_mailbox(self):
        self.assertEqual(self.smtp.messages, [])
