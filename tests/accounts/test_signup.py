import re
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from pharmagarde.core.models import Invitation, Role
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin, body_text

GOOD_PASSWORD = "Lampe-Orage-Biscotte-93"


class SignupTestCase(SMTPTestMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.url = reverse("account_signup")

    def invite(self, email="invitee@exemple.fr", **fields):
        token = secrets.token_urlsafe(32)
        defaults = {"expires_at": timezone.now() + timedelta(days=7)}
        defaults.update(fields)
        Invitation.objects.create(organisation=self.org, email=email, role=Role.COLLABORATEUR,
                                  token_hash=Invitation.hash_token(token), invited_by=self.alice,
                                  **defaults)
        return reverse("invitation_accept", args=[token])

    def sign_up(self, email="nouveau@exemple.fr", password=GOOD_PASSWORD, next_url=None):
        data = {"email": email, "password1": password, "password2": password}
        if next_url:
            data["next"] = next_url
        return self.client.post(self.url, data)

    def user_exists(self, email):
        return get_user_model().objects.filter(email=email).exists()


class OpenSignupTestCase(SignupTestCase):
    def test_it_shows_the_form_in_french_with_the_password_rules(self):
        response = self.client.get(self.url)
        self.assertContains(response, "<h1>Créer mon compte</h1>", html=True)
        self.assertContains(response, "12 caractères")
        self.assertContains(response, 'autocomplete="new-password"')
        self.assertContains(response, '<label for="id_email">')

    def test_it_explains_a_weak_password_next_to_the_field(self):
        response = self.sign_up(password="motdepasse")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "field--error")
        self.assertContains(response, "Il manque à ce mot de passe")
        self.assertFalse(self.user_exists("nouveau@exemple.fr"))

    def test_it_survives_garbage(self):
        response = self.client.post(self.url, {"email": "pas une adresse", "password1": "x" * 5000})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errorlist")

    def test_it_creates_the_account_and_verifies_the_email_by_smtp(self):
        with self.captureOnCommitCallbacks(execute=True):  # the mail leaves after commit
            response = self.sign_up()
        self.assertRedirects(response, reverse("account_email_verification_sent"),
                             fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)
        message = self.smtp.messages[0]
        self.assertEqual(message["To"], "nouveau@exemple.fr")
        self.assertTrue(message["Subject"].startswith("[Pharmagarde]"))
        link = re.search(r"https?://\S+/confirm-email/\S+/", body_text(message)).group(0)
        path = link.split("://", 1)[1].split("/", 1)[1]
        response = self.client.post("/" + path)
        self.assertEqual(response.status_code, 302)
        self.assertIn("_auth_user_id", self.client.session)

    def test_it_refuses_sign_in_before_the_email_is_verified(self):
        self.sign_up()
        self.client.post(reverse("account_login"),
                         {"login": "nouveau@exemple.fr", "password": GOOD_PASSWORD})
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_sign_in_page_offers_to_sign_up(self):
        self.assertContains(self.client.get(reverse("account_login")), self.url)


@override_settings(PHARMAGARDE_OPEN_SIGNUP=False)
class ClosedSignupTestCase(SignupTestCase):
    def test_it_explains_that_sign_up_needs_an_invitation(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Inscriptions sur invitation")
        self.assertContains(response, "il faut être invité")

    def test_it_refuses_a_sign_up_without_invitation(self):
        self.sign_up()
        self.assertFalse(self.user_exists("nouveau@exemple.fr"))

    def test_the_sign_in_page_does_not_offer_to_sign_up(self):
        self.assertNotContains(self.client.get(reverse("account_login")), "Créer mon compte")

    def test_it_opens_for_someone_who_followed_a_valid_invitation(self):
        invitation_url = self.invite()
        response = self.client.get(self.url, {"next": invitation_url})
        self.assertContains(response, "<h1>Créer mon compte</h1>", html=True)
        self.sign_up(email="invitee@exemple.fr", next_url=invitation_url)
        self.assertTrue(self.user_exists("invitee@exemple.fr"))

    def test_it_keeps_an_invitation_for_its_own_address(self):
        invitation_url = self.invite()
        response = self.sign_up(email="intrus@exemple.fr", next_url=invitation_url)
        self.assertContains(response, "utilisez l&#x27;adresse qui a reçu l&#x27;invitation")
        self.assertFalse(self.user_exists("intrus@exemple.fr"))

    def test_it_matches_the_invited_address_whatever_its_case(self):
        invitation_url = self.invite(email="Invitee@Exemple.FR")
        self.sign_up(email="invitee@exemple.fr", next_url=invitation_url)
        self.assertTrue(self.user_exists("invitee@exemple.fr"))

    def test_it_stays_closed_for_an_expired_or_forged_invitation(self):
        expired = self.invite(expires_at=timezone.now() - timedelta(days=1))
        for next_url in (expired, "/invitation/faux-jeton/", "https://ailleurs.example/",
                         "//ailleurs.example/invitation/x/", "/o/alpha/"):
            response = self.client.get(self.url, {"next": next_url})
            self.assertContains(response, "Inscriptions sur invitation", msg_prefix=next_url)

    def test_the_invitation_page_links_to_sign_up(self):
        invitation_url = self.invite()
        response = self.client.get(invitation_url)
        self.assertContains(response, self.url + "?next=")
