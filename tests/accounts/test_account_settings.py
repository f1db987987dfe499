from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.test import override_settings
from django.urls import reverse

from tests.base import BaseTestCase

OIDC = {"openid_connect": {"APPS": [{"provider_id": "psc", "name": "Pro Santé Connect",
                                     "client_id": "pharmagarde", "secret": "s",
                                     "settings": {"server_url": "http://127.0.0.1:1"}}]}}


class AccountSettingsTestCase(BaseTestCase):
    def setUp(self):
        self.url = reverse("account_settings")

    def test_it_redirects_anonymous_to_login(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, reverse("account_login") + "?next=" + self.url,
                             fetch_redirect_response=False)

    def test_it_shows_the_email_and_its_state(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "colin@alpha.example")
        self.assertContains(response, "vérifiée")
        self.assertContains(response, reverse("account_email"))

    def test_it_links_to_the_password_change(self):
        self.client.force_login(self.colin)
        self.assertContains(self.client.get(self.url), reverse("account_change_password"))

    def test_it_offers_to_create_a_password_when_there_is_none(self):
        self.colin.set_unusable_password()
        self.colin.save()
        self.client.force_login(self.colin)
        self.assertContains(self.client.get(self.url), reverse("account_set_password"))

    def test_it_shows_mfa_not_yet_active(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "Pas encore activée")
        self.assertContains(response, reverse("mfa_activate_totp"))
        self.assertContains(response, reverse("mfa_add_webauthn"))

    def test_it_shows_the_active_second_factors(self):
        Authenticator.objects.create(user=self.alice, type=Authenticator.Type.WEBAUTHN,
                                     data={"name": "Clé"})
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "Activée")
        self.assertContains(response, "Application d'authentification")
        self.assertContains(response, "1 clé de sécurité")
        self.assertContains(response, "codes de secours")
        self.assertNotContains(response, reverse("mfa_activate_totp"))

    def test_it_links_to_the_open_sessions(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, reverse("usersessions_list"))
        self.assertContains(response, "Appareils connectés")

    def test_it_hides_connected_accounts_without_oidc(self):
        self.client.force_login(self.colin)
        self.assertNotContains(self.client.get(self.url), reverse("socialaccount_connections"))

    @override_settings(SOCIALACCOUNT_PROVIDERS=OIDC)
    def test_it_links_to_connected_accounts_with_oidc(self):
        SocialAccount.objects.create(user=self.colin, provider="psc", uid="123")
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, reverse("socialaccount_connections"))
        self.assertContains(response, "1 compte externe relié")

    def test_it_refuses_a_post_without_error(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.post(self.url).status_code, 405)
