from urllib.parse import parse_qs, urlsplit

import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings
from django.urls import resolve, reverse

from pharmagarde.accounts import oidc
from pharmagarde.core.models import AuditEntry
from tests.accounts.oidc_provider import OIDCProvider, new_rsa_key
from tests.accounts.test_signup import SignupTestCase
from tests.base import BaseTestCase

LOGIN_URL = reverse("openid_connect_login", kwargs={"provider_id": "psc"})


class OIDCTestCase(BaseTestCase):
    @classmethod
    def setUpClass(cls):
        cls.provider = OIDCProvider().start()
        cls.addClassCleanup(cls.provider.stop)
        super().setUpClass()

    def setUp(self):
        cache.clear()  # allauth's rate limits and the ID tokens already seen live there
        self.provider.signing_key = self.provider.key
        self.provider.include_id_token = True
        self.provider.userinfo_claims = None
        self.provider.claims.update(email="colin@alpha.example", email_verified=True,
                                    sub="psc-0001")
        override = override_settings(SOCIALACCOUNT_PROVIDERS=self.provider.app_settings())
        override.enable()
        self.addCleanup(override.disable)

    def sign_in_with_provider(self, next_url=None):
        """The whole round trip: our login page, the provider, our callback."""
        data = {"next": next_url} if next_url else {}
        response = self.client.post(LOGIN_URL, data)
        self.assertEqual(response.status_code, 302)
        authorize_url = response["Location"]
        self.assertTrue(authorize_url.startswith(self.provider.url + "/authorize?"))
        # The browser's visit to the provider, which signs the user in and sends them back.
        back = requests.get(authorize_url, allow_redirects=False, timeout=5)
        callback = urlsplit(back.headers["Location"])
        return self.client.get(f"{callback.path}?{callback.query}")

    def signed_in_user(self):
        user_id = self.client.session.get("_auth_user_id")
        return get_user_model().objects.get(pk=user_id) if user_id else None


class OIDCSignInTestCase(OIDCTestCase):
    def test_it_signs_in_the_user_whose_verified_email_matches(self):
        response = self.sign_in_with_provider()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.signed_in_user(), self.colin)
        self.assertTrue(SocialAccount.objects.filter(user=self.colin, uid="psc-0001").exists())
        self.assertTrue(AuditEntry.objects.filter(action="auth.login", actor=self.colin).exists())

    def test_it_signs_in_again_by_the_linked_account(self):
        self.sign_in_with_provider()
        self.client.logout()
        self.provider.claims["email"] = "autre-adresse@exemple.fr"
        self.sign_in_with_provider()
        self.assertEqual(self.signed_in_user(), self.colin)

    def test_it_uses_pkce(self):
        self.sign_in_with_provider()
        authorize = next(p for path, p in self.provider.requests if path == "/authorize")
        token = [p for path, p in self.provider.requests if path == "/token"][-1]
        self.assertEqual(authorize["code_challenge_method"], "S256")
        self.assertIn("code_verifier", token)

    def test_it_follows_next(self):
        response = self.sign_in_with_provider(next_url="/comptes/mon-compte/")
        self.assertEqual(response["Location"], "/comptes/mon-compte/")

    def test_it_refuses_a_bad_id_token_signature(self):
        self.provider.signing_key = new_rsa_key()
        response = self.sign_in_with_provider()
        self.assertIsNone(self.signed_in_user())
        self.assertContains(response, "La connexion par le service externe a échoué",
                            status_code=401)

    def test_it_refuses_a_token_response_without_id_token(self):
        self.provider.include_id_token = False
        response = self.sign_in_with_provider()
        self.assertIsNone(self.signed_in_user())
        self.assertContains(response, "a échoué", status_code=401)

    def test_it_refuses_a_userinfo_response_about_someone_else(self):
        # The signed ID token is a newcomer's; userinfo speaks of Colin, whose e-mail is
        # verified. Its values must not be used (OpenID Connect Core §5.3.2): allauth alone
        # would sign the newcomer into Colin's account and link it to them.
        self.provider.claims.update(email="intrus@exemple.fr", sub="psc-0100")
        self.provider.userinfo_claims = {"sub": "psc-0001", "email": "colin@alpha.example",
                                         "email_verified": True}
        response = self.sign_in_with_provider()
        self.assertContains(response, "a échoué", status_code=401)
        self.assertIsNone(self.signed_in_user())
        self.assertFalse(SocialAccount.objects.exists())
        self.assertFalse(get_user_model().objects.filter(email="intrus@exemple.fr").exists())

    def test_it_refuses_a_userinfo_response_without_sub(self):
        self.provider.userinfo_claims = {"email": "colin@alpha.example", "email_verified": True}
        response = self.sign_in_with_provider()
        self.assertContains(response, "a échoué", status_code=401)
        self.assertIsNone(self.signed_in_user())
        self.assertFalse(SocialAccount.objects.exists())

    def test_it_takes_the_identity_from_the_id_token_without_userinfo(self):
        override = override_settings(
            SOCIALACCOUNT_PROVIDERS=self.provider.app_settings(fetch_userinfo=False))
        override.enable()
        self.addCleanup(override.disable)
        self.provider.userinfo_claims = {"sub": "psc-0099", "email": "autre@exemple.fr"}
        self.provider.requests.clear()
        self.sign_in_with_provider()
        self.assertEqual(self.signed_in_user(), self.colin)
        self.assertTrue(SocialAccount.objects.filter(user=self.colin, uid="psc-0001").exists())
        self.assertNotIn("/userinfo", [path for path, _ in self.provider.requests])

    def test_it_never_hands_an_account_over_on_an_unverified_email(self):
        # An e-mail the provider has not verified proves nothing: anyone may have typed it.
        self.provider.claims["email_verified"] = False
        response = self.sign_in_with_provider()
        self.assert_not_handed_over(response)

    def test_it_never_hands_an_account_over_when_the_email_is_not_said_verified(self):
        del self.provider.claims["email_verified"]
        response = self.sign_in_with_provider()
        self.assert_not_handed_over(response)

    @override_settings(PHARMAGARDE_OPEN_SIGNUP=False)
    def test_it_never_hands_an_account_over_on_an_unverified_email_when_sign_up_is_closed(self):
        self.provider.claims["email_verified"] = False
        response = self.sign_in_with_provider()
        self.assertContains(response, "Inscriptions sur invitation")
        self.assertIsNone(self.signed_in_user())
        self.assertFalse(SocialAccount.objects.exists())

    def assert_not_handed_over(self, response):
        """Neither signed in nor linked. allauth takes the sign-up path instead, and, the
        address being taken, only says that a message went out (to the account's owner)."""
        self.assertRedirects(response, reverse("account_email_verification_sent"),
                             fetch_redirect_response=False)
        self.assertContains(self.client.get(response["Location"]), "Vérifiez votre adresse")
        self.assertIsNone(self.signed_in_user())
        self.assertFalse(SocialAccount.objects.exists())
        self.colin.refresh_from_db()
        self.assertTrue(self.colin.has_usable_password())

    def test_it_answers_a_forged_callback_without_error(self):
        callback = reverse("openid_connect_callback", kwargs={"provider_id": "psc"})
        for query in ({}, {"code": "x", "state": "y"}, {"error": "access_denied"}):
            response = self.client.get(callback, query)
            self.assertContains(response, "Connexion impossible", status_code=401)
            self.assertIsNone(self.signed_in_user())

    def test_it_answers_404_for_an_unknown_provider(self):
        url = reverse("openid_connect_callback", kwargs={"provider_id": "inconnu"})
        self.assertEqual(self.client.get(url, {"code": "x", "state": "y"}).status_code, 404)

    def test_our_callback_takes_the_place_of_allauths(self):
        callback = reverse("openid_connect_callback", kwargs={"provider_id": "psc"})
        self.assertIs(resolve(callback).func, oidc.callback)

    def test_the_sign_in_page_offers_the_provider(self):
        response = self.client.get(reverse("account_login"))
        self.assertContains(response, "Se connecter avec Pro Santé Connect (test)")
        self.assertContains(response, LOGIN_URL)

    def test_the_confirmation_page_is_in_french(self):
        response = self.client.get(LOGIN_URL)
        self.assertContains(response, "Pro Santé Connect (test)")
        self.assertContains(response, "Continuer")


class OIDCSignUpTestCase(OIDCTestCase):
    def test_it_creates_the_account_of_an_unknown_verified_email_when_sign_up_is_open(self):
        self.provider.claims.update(email="nouvelle@exemple.fr", sub="psc-0002")
        self.sign_in_with_provider()
        user = self.signed_in_user()
        self.assertEqual(user.email, "nouvelle@exemple.fr")
        self.assertEqual(user.first_name, "Colin")
        self.assertTrue(user.emailaddress_set.get().verified)

    @override_settings(PHARMAGARDE_OPEN_SIGNUP=False)
    def test_it_refuses_an_unknown_email_when_sign_up_is_closed(self):
        self.provider.claims.update(email="nouvelle@exemple.fr", sub="psc-0002")
        response = self.sign_in_with_provider()
        self.assertContains(response, "Inscriptions sur invitation")
        self.assertIsNone(self.signed_in_user())
        self.assertFalse(get_user_model().objects.filter(email="nouvelle@exemple.fr").exists())

    @override_settings(PHARMAGARDE_OPEN_SIGNUP=False)
    def test_it_lets_an_invited_person_sign_up_when_sign_up_is_closed(self):
        self.provider.claims.update(email="invitee@exemple.fr", sub="psc-0003")
        invitation_url = SignupTestCase.invite(self)
        self.sign_in_with_provider(next_url=invitation_url)
        self.assertEqual(self.signed_in_user().email, "invitee@exemple.fr")

    @override_settings(PHARMAGARDE_OPEN_SIGNUP=False)
    def test_it_keeps_an_invitation_for_its_own_address(self):
        # A forwarded or leaked invitation link must not open the service to another address.
        self.provider.claims.update(email="intrus@exemple.fr", sub="psc-0004")
        invitation_url = SignupTestCase.invite(self, email="invitee@exemple.fr")
        response = self.sign_in_with_provider(next_url=invitation_url)
        self.assertContains(response, "utilisez l&#x27;adresse qui a reçu l&#x27;invitation "
                                      "(invitee@exemple.fr)", status_code=403)
        self.assertIsNone(self.signed_in_user())
        self.assertFalse(get_user_model().objects.filter(email="intrus@exemple.fr").exists())
        self.assertFalse(SocialAccount.objects.exists())

    @override_settings(PHARMAGARDE_OPEN_SIGNUP=False)
    def test_it_matches_the_invited_address_whatever_its_case(self):
        self.provider.claims.update(email="Invitee@Exemple.FR", sub="psc-0005")
        invitation_url = SignupTestCase.invite(self, email="invitee@exemple.fr")
        self.sign_in_with_provider(next_url=invitation_url)
        self.assertEqual(self.signed_in_user().email.lower(), "invitee@exemple.fr")

    @override_settings(PHARMAGARDE_OPEN_SIGNUP=False)
    def test_it_keeps_the_invited_address_when_the_provider_gives_none(self):
        # No address from the provider: allauth asks for one, and the same rule applies.
        del self.provider.claims["email"]
        self.provider.claims.update(sub="psc-0006")
        invitation_url = SignupTestCase.invite(self, email="invitee@exemple.fr")
        response = self.sign_in_with_provider(next_url=invitation_url)
        self.assertRedirects(response, reverse("socialaccount_signup"),
                             fetch_redirect_response=False)
        response = self.client.post(reverse("socialaccount_signup"),
                                    {"email": "intrus@exemple.fr"})
        self.assertContains(response, "utilisez l&#x27;adresse qui a reçu l&#x27;invitation")
        self.assertFalse(get_user_model().objects.filter(email="intrus@exemple.fr").exists())
        self.client.post(reverse("socialaccount_signup"), {"email": "invitee@exemple.fr"})
        self.assertTrue(get_user_model().objects.filter(email="invitee@exemple.fr").exists())
        self.assertTrue(SocialAccount.objects.filter(uid="psc-0006").exists())

    def test_it_ignores_the_invited_address_when_sign_up_is_open(self):
        self.provider.claims.update(email="autre@exemple.fr", sub="psc-0007")
        invitation_url = SignupTestCase.invite(self, email="invitee@exemple.fr")
        self.sign_in_with_provider(next_url=invitation_url)
        self.assertEqual(self.signed_in_user().email, "autre@exemple.fr")

    @override_settings(SOCIALACCOUNT_PROVIDERS={})
    def test_the_sign_in_page_has_no_provider_when_none_is_configured(self):
        self.assertNotContains(self.client.get(reverse("account_login")), "/oidc/")


def test_the_provider_checks_pkce():
    provider = OIDCProvider()
    params = {"redirect_uri": "http://testserver/cb", "state": "s",
              "code_challenge": "abc", "code_challenge_method": "S256"}
    code = parse_qs(urlsplit(provider.authorize(params)).query)["code"][0]
    status, body = provider.exchange({"code": code, "redirect_uri": params["redirect_uri"],
                                      "code_verifier": "wrong"},
                                     "Basic cGhhcm1hZ2FyZGUtdGVzdHM6c2VjcmV0LWRlLXRlc3Q=")
    assert status == 400
