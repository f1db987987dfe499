"""The password trainer: an explanation in French, and the password kept nowhere."""

import io
import logging

from django.contrib.sessions.models import Session
from django.core.management import call_command

from pharmagarde.awareness.views.trainer import duration_words, evaluate
from pharmagarde.core.models import AuditEntry
from tests.base import BaseTestCase

SECRET = "Marie1985azerty"


class CaptureAll(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record) + " " + repr(record.__dict__))


class TrainerPageTests(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("awareness_password_trainer")
        self.client.force_login(self.colin)

    def post(self, password):
        handler = CaptureAll()
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            with self.assertLogs("django.request", level="DEBUG") as request_logs:
                logging.getLogger("django.request").debug("capture")
                response = self.client.post(self.url, {"password": password})
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        return response, handler.lines + request_logs.output

    def test_it_explains_why_and_keeps_nothing(self):
        audit_before = AuditEntry.objects.count()
        response, logs = self.post(SECRET)
        self.assertShows(response, "Le temps pour le trouver")
        self.assertShows(response, "Une année récente")
        self.assertShows(response, "Un prénom ou un nom de famille")
        self.assertShows(response, "La règle de la CNIL")
        body = response.content.decode()
        self.assertNotIn(SECRET, body)
        self.assertNotIn("Marie1985", body)
        self.assertIn('name="password"', body)
        self.assertNotIn('value="Marie', body)
        self.assertIn('autocomplete="off"', body)
        self.assertIn("no-store", response["Cache-Control"])
        self.assertFalse([line for line in logs if SECRET in line])
        self.assertEqual(AuditEntry.objects.count(), audit_before)
        for session in Session.objects.all():
            self.assertNotIn(SECRET, str(session.get_decoded()))
        dump = io.StringIO()
        call_command("dumpdata", stdout=dump)
        self.assertNotIn(SECRET, dump.getvalue())
        self.assertNotIn("messages", response.cookies)

    def test_a_strong_passphrase(self):
        response, _logs = self.post("cheval agrafe lointain pivoine tuba")
        self.assertShows(response, "Longueur suffisante")
        self.assertShows(response, "Solide")

    def test_bad_input(self):
        response, _logs = self.post("")
        self.assertShows(response, "Tapez un mot de passe à tester.")
        response, logs = self.post("x" * 80)
        self.assertShows(response, "Au plus 72 caractères")
        self.assertNotIn("x" * 80, response.content.decode())

    def test_access(self):
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.post(self.url, {"password": "x"}).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)


class EvaluateTests(BaseTestCase):
    def test_patterns_in_french(self):
        verdict = evaluate("P@ssw0rd")
        self.assertEqual(verdict.score, 0)
        self.assertTrue(any("remplacements attendus" in p for p in verdict.patterns))
        self.assertFalse(verdict.cnil_ok)
        self.assertTrue(all(not any(word in line for word in ("the ", "is ", "easy"))
                            for line in verdict.advice))
        self.assertIn("une date", evaluate("12/03/1985").patterns)
        self.assertTrue(any("répétition" in p for p in evaluate("aaaaaaaa").patterns))
        self.assertTrue(any("clavier" in p for p in evaluate("zxcvbnm,.").patterns))
        self.assertTrue(any("pharmacie" in p or "structure" in p
                            for p in evaluate("pharmacie").patterns))

    def test_cnil_rule(self):
        self.assertTrue(evaluate("Ab3!efgh-ijk").cnil_ok)  # 12, four kinds
        self.assertFalse(evaluate("abcdefghijk3").cnil_ok)
        self.assertTrue(evaluate("quatorze lettr").cnil_ok)  # a 14-character phrase

    def test_durations_in_words(self):
        self.assertEqual(duration_words(0.2), "moins d'une seconde")
        self.assertEqual(duration_words(7200), "2 heures")
        self.assertEqual(duration_words(86400 * 365 * 3), "3 ans")
        self.assertEqual(duration_words(10 ** 12), "des siècles")
