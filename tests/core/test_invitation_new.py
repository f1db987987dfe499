from pharmagarde.core.models import AuditEntry, Invitation, Role
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin


class InvitationNewTestCase(SMTPTestMixin, BaseTestCase):
    def setUp(self):
        self.url = self.org_url("invitation_new")
        self.client.force_login(self.owner)

    def test_it_shows_the_form(self):
        self.assertContains(self.client.get(self.url), "Envoyer l'invitation")

    def test_it_mails_a_single_use_link(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"email": "Nina@Alpha.example",
                                                   "role": Role.COLLABORATEUR})
        self.assertRedirects(response, self.org_url("member_list"))
        invitation = Invitation.objects.get(organisation=self.org)
        self.assertEqual(invitation.email, "nina@alpha.example")
        message = self.smtp.messages[0]
        self.assertEqual(message["To"], "nina@alpha.example")
        self.assertIn("Pharmacie Alpha", message["Subject"])
        body = message.get_body(("plain",)).get_content()
        self.assertIn("/invitation/", body)
        token = body.split("/invitation/")[1].split("/")[0]
        # Only the hash of the token is stored.
        self.assertEqual(invitation.token_hash, Invitation.hash_token(token))
        self.assertNotIn(token, invitation.token_hash)
        self.assertTrue(AuditEntry.objects.filter(action="invitation.sent").exists())

    def test_it_rejects_a_bad_email_next_to_the_field(self):
        response = self.client.post(self.url, {"email": "pas-une-adresse",
                                               "role": Role.COLLABORATEUR})
        self.assertContains(response, "Saisissez une adresse de courriel valide", status_code=200)
        self.assertFalse(Invitation.objects.exists())

    def test_it_rejects_an_unknown_role(self):
        response = self.client.post(self.url, {"email": "nina@alpha.example", "role": "roi"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Invitation.objects.exists())

    def test_it_rejects_an_existing_member(self):
        response = self.client.post(self.url, {"email": "COLIN@alpha.example",
                                               "role": Role.DPO})
        self.assertContains(response, "déjà membre")
        self.assertFalse(Invitation.objects.exists())

    def test_it_rejects_an_over_long_address(self):
        response = self.client.post(self.url, {"email": "a" * 300 + "@x.fr",
                                               "role": Role.DPO})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Invitation.objects.exists())

    def test_it_replaces_a_pending_invitation(self):
        for _ in range(2):
            self.client.post(self.url, {"email": "nina@alpha.example", "role": Role.DPO})
        self.assertEqual(Invitation.objects.filter(email="nina@alpha.example").count(), 1)

    def test_it_is_for_responsables_only(self):
        self.client.force_login(self.rita)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        response = self.client.post(self.url, {"email": "n@x.fr", "role": Role.DPO})
        self.assertEqual(response.status_code, 403)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)
