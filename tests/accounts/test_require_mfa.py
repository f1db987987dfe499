import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core.cache import cache
from django.urls import reverse

from pharmagarde.core.models import Membership, Role
from tests.base import PASSWORD, BaseTestCase, make_user


class RequireMFATestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.newcomer = make_user("nadia@alpha.example")
        cls.newcomer_membership = Membership.objects.create(
            organisation=cls.org, user=cls.newcomer, role=Role.RESPONSABLE)

    def setUp(self):
        cache.clear()
        self.dashboard = self.org_url("dashboard")

    def sign_in(self, user):
        # Through allauth's own forms: allauth asks for the password again before any
        # change to the second factors, and that page must stay reachable too.
        response = self.client.post(reverse("account_login"),
                                    {"login": user.email, "password": PASSWORD})
        self.assertEqual(response.status_code, 302)
        response = self.client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        self.assertEqual(response.status_code, 302)

    def assertSentToSetup(self, response):
        self.assertRedirects(response, reverse("mfa_required"), fetch_redirect_response=False)

    def test_it_sends_a_responsable_without_mfa_to_the_setup_page(self):
        self.client.force_login(self.newcomer)
        self.assertSentToSetup(self.client.get(self.dashboard))
        self.assertSentToSetup(self.client.get(reverse("home")))
        self.assertSentToSetup(self.client.get(reverse("account_settings")))

    def test_it_sends_a_referent_without_mfa_too(self):
        self.newcomer_membership.role = Role.REFERENT
        self.newcomer_membership.save()
        self.client.force_login(self.newcomer)
        self.assertSentToSetup(self.client.get(self.dashboard))

    def test_it_lets_a_collaborateur_without_mfa_in(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.dashboard).status_code, 200)

    def test_it_sends_every_member_when_the_organisation_requires_it(self):
        self.org.require_mfa_for_all = True
        self.org.save()
        for user in (self.colin, self.dora, self.aude):
            self.client.force_login(user)
            self.assertSentToSetup(self.client.get(self.dashboard))

    def test_it_lets_users_with_mfa_in(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.dashboard).status_code, 200)

    def test_it_counts_a_security_key(self):
        Authenticator.objects.create(user=self.newcomer, type=Authenticator.Type.WEBAUTHN,
                                     data={"name": "Clé USB", "credential": {}})
        self.client.force_login(self.newcomer)
        self.assertEqual(self.client.get(self.dashboard).status_code, 200)

    def test_it_does_not_count_recovery_codes_alone(self):
        Authenticator.objects.create(user=self.newcomer,
                                     type=Authenticator.Type.RECOVERY_CODES, data={})
        self.client.force_login(self.newcomer)
        self.assertSentToSetup(self.client.get(self.dashboard))

    def test_it_tells_htmx_to_change_page(self):
        self.client.force_login(self.newcomer)
        response = self.client.get(self.dashboard, headers={"HX-Request": "true"})
        self.assertEqual(response["HX-Redirect"], reverse("mfa_required"))

    def test_it_leaves_the_setup_pages_logout_and_language_open(self):
        self.sign_in(self.newcomer)
        for name in ("mfa_required", "mfa_index", "mfa_activate_totp", "mfa_add_webauthn"):
            self.assertEqual(self.client.get(reverse(name)).status_code, 200, name)
        self.assertNotEqual(self.client.get("/static/pharmagarde/app.css").status_code, 302)
        response = self.client.post(reverse("set_language"), {"language": "fr", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.client.post(reverse("account_logout"))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_stops_redirecting_once_totp_is_activated(self):
        self.sign_in(self.newcomer)
        self.assertSentToSetup(self.client.get(self.dashboard))
        self.client.get(reverse("mfa_activate_totp"))
        secret = self.client.session[SECRET_SESSION_KEY]
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        response = self.client.post(reverse("mfa_activate_totp"), {"code": code})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Authenticator.objects.filter(user=self.newcomer,
                                                     type="totp").exists())
        self.assertEqual(self.client.get(self.dashboard).status_code, 200)

    def test_it_leaves_anonymous_visitors_to_the_sign_in_rules(self):
        response = self.client.get(self.dashboard)
        self.assertTrue(response["Location"].startswith(reverse("account_login")))
