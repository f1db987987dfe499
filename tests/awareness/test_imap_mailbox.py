"""The reporting mailbox's page and its « Tester » button, against a real IMAP server: saved
with its password encrypted (never shown back, kept when left empty), audited; every role;
bad input answered next to the field with nothing saved; a concurrent edit."""

import html

from django.test import override_settings
from django.urls import include, path

from pharmagarde.awareness.models import ReportMailbox
from pharmagarde.awareness.views import mailbox
from pharmagarde.core import crypto
from pharmagarde.core.models import AuditEntry
from tests.base import BaseTestCase
from tests.imap_server import IMAPServer

# Until the lead adds mailbox.urlpatterns to awareness/urls.py: the project's URLs plus the
# page's, at the address it will have.
urlpatterns = [
    path("o/<slug:org_slug>/sensibilisation/", include(mailbox.urlpatterns)),
    path("", include("pharmagarde.urls")),
]

PASSWORD = "Bon-Mot-De-Passe"


@override_settings(ROOT_URLCONF=__name__)
class MailboxPageTestCase(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.imap = IMAPServer(username="signalement", password=PASSWORD).start()
        cls.addClassCleanup(cls.imap.stop)

    def setUp(self):
        self.imap.clear()
        self.url = self.org_url("awareness_mailbox")
        self.test_url = self.org_url("awareness_mailbox_test")

    def assertShows(self, response, text, status_code=200):
        """As BaseTestCase's, with the page's HTML entities read as text (l&#x27;adresse)."""
        self.assertEqual(response.status_code, status_code)
        page = html.unescape(response.content.decode())
        self.assertIn(text, page.replace("\u00a0", " ").replace("\u202f", " "))

    def values(self, **changes):
        values = {"host": self.imap.host, "port": str(self.imap.port), "username": "signalement",
                  "password": PASSWORD, "folder": "INBOX", "enabled": "on", "revision": ""}
        values.update(changes)
        return {name: value for name, value in values.items() if value is not None}

    def saved(self, **fields):
        return ReportMailbox.objects.create(
            organisation=self.org, host=self.imap.host, port=self.imap.port, tls=False,
            username="signalement",
            password=crypto.encrypt(PASSWORD, purpose="awareness.imap"), **fields)

    def test_it_saves_the_mailbox_with_its_password_encrypted(self):
        self.client.force_login(self.alice)
        self.assertShows(self.client.get(self.url), "Relever la boîte toutes les 5 minutes")
        page = self.client.post(self.url, self.values(), follow=True)
        self.assertEqual(page.redirect_chain, [(self.url, 302)])
        box = ReportMailbox.objects.get(organisation=self.org)
        self.assertEqual((box.host, box.port, box.tls, box.username, box.folder, box.enabled),
                         (self.imap.host, self.imap.port, False, "signalement", "INBOX", True))
        self.assertNotIn(PASSWORD, box.password)
        self.assertEqual(crypto.decrypt(box.password, purpose="awareness.imap"), PASSWORD)
        entry = AuditEntry.objects.get(action="awareness.mailbox_saved")
        self.assertIn("mot de passe", entry.details["champs"])
        self.assertNotIn(PASSWORD, str(entry.details))
        self.assertShows(page, "Boîte de signalement enregistrée")
        self.assertShows(page, "relevée toutes les 5 minutes")
        self.assertNotContains(page, PASSWORD)

    def test_an_empty_password_keeps_the_saved_one(self):
        box = self.saved()
        self.client.force_login(self.rita)
        response = self.client.post(self.url, self.values(password="", folder="Signalements",
                                                          revision=str(box.revision)))
        self.assertRedirects(response, self.url)
        box.refresh_from_db()
        self.assertEqual(box.folder, "Signalements")
        self.assertEqual(crypto.decrypt(box.password, purpose="awareness.imap"), PASSWORD)
        self.assertEqual(box.revision, 1)

    def test_bad_input_is_answered_next_to_the_field_and_nothing_is_saved(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url, self.values(host="", port="99999", password="",
                                                          folder=""))
        self.assertShows(response, "Indiquez l'adresse du serveur IMAP.", status_code=422)
        self.assertShows(response, "Un port va de 1 à 65535.", status_code=422)
        self.assertShows(response, "Indiquez le mot de passe de la boîte.", status_code=422)
        self.assertShows(response, "Indiquez le dossier, par exemple INBOX.", status_code=422)
        response = self.client.post(self.url, self.values(port="neuf"))
        self.assertShows(response, "Indiquez un nombre, par exemple 993.", status_code=422)
        self.assertFalse(ReportMailbox.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(action="awareness.mailbox_saved").exists())

    def test_a_concurrent_edit_is_a_conflict(self):
        box = self.saved()
        self.client.force_login(self.alice)
        ReportMailbox.objects.filter(pk=box.pk).update(revision=3, folder="Autre")
        response = self.client.post(self.url, self.values(revision="0"))
        self.assertShows(response, "Quelqu'un a modifié la boîte", status_code=409)
        box.refresh_from_db()
        self.assertEqual(box.folder, "Autre")

    def test_the_test_button_tells_what_it_found(self):
        self.saved()
        self.imap.add(b"Subject: un\n\nbonjour\n")
        self.client.force_login(self.alice)
        response = self.client.post(self.test_url, follow=True)
        self.assertShows(response, "Connexion réussie : le dossier « INBOX » contient 1 "
                                   "message(s) non lu(s).")
        self.assertEqual(self.imap.logins, 1)
        entry = AuditEntry.objects.get(action="awareness.mailbox_tested")
        self.assertEqual(entry.details, {"resultat": "réussi"})

    def test_the_test_button_explains_a_refusal(self):
        self.saved(folder="Archives")
        self.client.force_login(self.rita)
        response = self.client.post(self.test_url, follow=True)
        self.assertShows(response, "Le dossier « Archives » est introuvable dans la boîte.")
        ReportMailbox.objects.update(password=crypto.encrypt("faux", purpose="awareness.imap"))
        response = self.client.post(self.test_url, follow=True)
        self.assertShows(response, "Le serveur a refusé l'identifiant ou le mot de passe.")

    def test_the_test_without_a_mailbox(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.test_url, follow=True)
        self.assertShows(response, "Enregistrez d'abord la boîte, puis testez-la.")

    def test_the_test_is_a_post(self):
        self.saved()
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.test_url).status_code, 405)

    def test_readers_see_the_settings_and_last_error_without_the_form(self):
        self.saved(last_error="Le serveur a refusé l'identifiant ou le mot de passe.")
        for user in (self.dora, self.aude):
            self.client.force_login(user)
            response = self.client.get(self.url)
            self.assertShows(response, "signalement — 127.0.0.1")
            self.assertShows(response, "Le serveur a refusé l'identifiant ou le mot de passe.")
            self.assertNotContains(response, 'name="password"')
            self.assertNotContains(response, self.test_url)

    def test_readers_cannot_post(self):
        box = self.saved()
        for user in (self.dora, self.aude):
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.url, self.values(folder="X")).status_code,
                             403)
            self.assertEqual(self.client.post(self.test_url).status_code, 403)
        box.refresh_from_db()
        self.assertEqual(box.folder, "INBOX")
        self.assertEqual(self.imap.logins, 0)

    def test_the_collaborateur_is_refused(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.test_url).status_code, 403)

    def test_the_outsider_gets_404(self):
        self.saved()
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, self.values()).status_code, 404)
        self.assertEqual(self.client.post(self.test_url).status_code, 404)
        self.assertFalse(ReportMailbox.objects.filter(organisation=self.other_org).exists())

    def test_the_anonymous_visitor_goes_to_sign_in(self):
        for response in (self.client.get(self.url), self.client.post(self.test_url)):
            self.assertEqual(response.status_code, 302)
            self.assertIn("/comptes/", response["Location"])

    def test_another_organisations_mailbox_is_never_shown(self):
        ReportMailbox.objects.create(organisation=self.other_org, host="imap.bravo.example",
                                     username="bravo")
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(self.url), "bravo")
