"""Sending profiles: saving one (the password encrypted, never shown back, kept when left
empty), the providers' presets, testing through a real SMTP server (success, unreachable,
TLS refused, each outcome kept and said in French), and who may do what."""

from pharmagarde.awareness.models import SendingProfile
from pharmagarde.core import crypto
from pharmagarde.core.models import AuditEntry
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin, body_text

from .base import make_profile

SECRET = "Mot-De-Passe-Tres-Secret-9"


def form_data(**fields):
    data = {"name": "Messagerie", "host": "smtp.office365.com", "port": "587",
            "security": "starttls", "username": "envoi@alpha.example", "password": SECRET,
            "from_address": "envoi@alpha.example", "rate_per_minute": "20", "revision": ""}
    data.update(fields)
    return data


class ProfileFormTests(BaseTestCase):
    def test_it_saves_a_profile_with_its_password_encrypted(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_profile_new"), form_data())
        profile = SendingProfile.objects.get(organisation=self.org)
        self.assertRedirects(response, self.org_url("awareness_profile_edit", profile.pk))
        self.assertNotIn(SECRET, profile.password)
        self.assertFalse(SendingProfile.objects.filter(password__contains=SECRET).exists())
        self.assertEqual(crypto.decrypt(profile.password, purpose="awareness.smtp"), SECRET)
        entry = AuditEntry.objects.get(action="awareness.profile_saved")
        self.assertNotIn(SECRET, str(entry.details))

    def test_the_password_is_never_shown_and_kept_when_left_empty(self):
        self.client.force_login(self.rita)
        self.client.post(self.org_url("awareness_profile_new"), form_data())
        profile = SendingProfile.objects.get(organisation=self.org)
        response = self.client.get(self.org_url("awareness_profile_edit", profile.pk))
        self.assertNotContains(response, SECRET)
        self.assertNotContains(response, profile.password)
        self.assertShows(response, "Laissez vide pour garder le mot de passe actuel.")
        self.client.post(self.org_url("awareness_profile_edit", profile.pk),
                         form_data(password="", name="Autre nom", revision=profile.revision))
        profile.refresh_from_db()
        self.assertEqual(profile.name, "Autre nom")
        self.assertEqual(crypto.decrypt(profile.password, purpose="awareness.smtp"), SECRET)

    def test_a_change_of_server_clears_the_last_test(self):
        profile = SendingProfile.objects.create(
            organisation=self.org, name="P", host="a.example", from_address="e@alpha.example",
            test_ok=True, test_message="ok")
        self.client.force_login(self.alice)
        self.client.post(self.org_url("awareness_profile_edit", profile.pk),
                         form_data(host="b.example", revision=profile.revision))
        profile.refresh_from_db()
        self.assertEqual(profile.host, "b.example")
        self.assertIsNone(profile.test_ok)

    def test_a_stale_revision_is_a_conflict(self):
        profile = SendingProfile.objects.create(
            organisation=self.org, name="P", host="a.example", from_address="e@alpha.example",
            revision=3)
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_profile_edit", profile.pk),
                                    form_data(host="b.example", revision=2))
        self.assertShows(response, "a modifié ce profil entre-temps.")
        profile.refresh_from_db()
        self.assertEqual(profile.host, "a.example")

    def test_a_preset_fills_the_server(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("awareness_profile_new") + "?fournisseur=ovhcloud")
        self.assertShows(response, 'value="ssl0.ovh.net"')
        self.assertShows(response, "À vérifier auprès de votre fournisseur")

    def test_bad_input_is_refused_next_to_the_field(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_profile_new"),
                                    form_data(port="70000", from_address="pas-une-adresse"))
        self.assertShows(response, "Un port va de 1 à 65535")
        self.assertShows(response, "par exemple campagnes@pharmacie.fr")
        response = self.client.post(self.org_url("awareness_profile_new"),
                                    form_data(security="aucune"))
        self.assertShows(response, "le mot de passe passerait en clair")
        self.assertFalse(SendingProfile.objects.exists())


class ProfileTestTests(SMTPTestMixin, BaseTestCase):
    def test_it_sends_a_message_to_oneself_and_records_success(self):
        profile = make_profile(self.org, self.smtp)
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_profile_test", profile.pk),
                                    follow=True)
        self.assertShows(response, "Message de test envoyé à alice@alpha.example.")
        message = self.smtp.wait_for(1)[0]
        self.assertEqual(message["To"], "alice@alpha.example")
        self.assertIn(self.smtp.host, body_text(message))
        profile.refresh_from_db()
        self.assertTrue(profile.test_ok)
        self.assertIsNotNone(profile.tested_at)
        self.assertTrue(AuditEntry.objects.filter(action="awareness.profile_tested").exists())

    def test_an_unreachable_server_is_said_plainly(self):
        profile = make_profile(self.org, self.smtp)
        SendingProfile.objects.filter(pk=profile.pk).update(port=1)
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_profile_test", profile.pk),
                                    follow=True)
        self.assertShows(response, "Serveur injoignable")
        profile.refresh_from_db()
        self.assertIs(profile.test_ok, False)
        self.assertIn("injoignable", profile.test_message)

    def test_a_refused_tls_is_said_plainly(self):
        profile = make_profile(self.org, self.smtp)
        SendingProfile.objects.filter(pk=profile.pk).update(
            security=SendingProfile.Security.STARTTLS)
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_profile_test", profile.pk),
                                    follow=True)
        self.assertShows(response, "La connexion chiffrée a été refusée")
        self.assertEqual(self.smtp.messages, [])

    def test_a_server_without_login_is_said_plainly(self):
        profile = make_profile(self.org, self.smtp)
        SendingProfile.objects.filter(pk=profile.pk).update(
            username="envoi", password=crypto.encrypt(SECRET, purpose="awareness.smtp"))
        self.client.force_login(self.alice)
        response = self.client.post(self.org_url("awareness_profile_test", profile.pk),
                                    follow=True)
        self.assertShows(response, "laissez l&#x27;identifiant vide")

    def test_get_is_refused(self):
        profile = make_profile(self.org, self.smtp)
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("awareness_profile_test", profile.pk))
        self.assertEqual(response.status_code, 405)


class ProfileAccessTests(BaseTestCase):
    def setUp(self):
        self.profile = SendingProfile.objects.create(
            organisation=self.org, name="Relais", host="relais.example",
            from_address="e@alpha.example")

    def urls(self):
        return [self.org_url("awareness_profiles"), self.org_url("awareness_profile_new"),
                self.org_url("awareness_profile_edit", self.profile.pk)]

    def test_the_anonymous_visitor_goes_to_sign_in(self):
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 302, url)

    def test_the_outsider_gets_404(self):
        self.client.force_login(self.oscar)
        for url in [*self.urls(), self.org_url("awareness_profile_test", self.profile.pk)]:
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_another_organisations_profile_is_404(self):
        other = SendingProfile.objects.create(organisation=self.other_org, name="B",
                                              host="b.example", from_address="b@b.example")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.org_url("awareness_profile_edit", other.pk))
                         .status_code, 404)

    def test_the_collaborator_gets_403(self):
        self.client.force_login(self.colin)
        for url in self.urls():
            self.assertEqual(self.client.get(url).status_code, 403, url)

    def test_the_auditor_and_the_dpo_read_but_do_not_write(self):
        for user in (self.aude, self.dora):
            self.client.force_login(user)
            response = self.client.get(self.org_url("awareness_profiles"))
            self.assertShows(response, "Relais")
            self.assertNotContains(response, self.org_url("awareness_profile_new"))
            self.assertEqual(self.client.get(self.org_url("awareness_profile_new"))
                             .status_code, 403)
            self.assertEqual(self.client.post(self.org_url("awareness_profile_test",
                                                           self.profile.pk)).status_code, 403)
            self.assertEqual(self.client.post(self.org_url("awareness_profile_new"),
                                              form_data()).status_code, 403)
        self.assertEqual(SendingProfile.objects.count(), 1)

    def test_the_list_costs_the_same_for_many_profiles(self):
        self.client.force_login(self.alice)
        self.assertQueriesConstant(self.org_url("awareness_profiles"), lambda i: (
            SendingProfile.objects.create(organisation=self.org, name=f"P{i}",
                                          host="h.example", from_address="e@alpha.example")))
