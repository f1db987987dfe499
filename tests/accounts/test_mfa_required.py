from allauth.mfa.models import Authenticator
from django.urls import reverse

from pharmagarde.core.models import Membership, Role
from tests.base import BaseTestCase, make_organisation, make_user


class MFARequiredPageTestCase(BaseTestCase):
    def setUp(self):
        self.url = reverse("mfa_required")
        self.newcomer = make_user("nadia@alpha.example")
        Membership.objects.create(organisation=self.org, user=self.newcomer,
                                  role=Role.REFERENT)

    def test_it_redirects_anonymous_to_login(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, reverse("account_login") + "?next=" + self.url,
                             fetch_redirect_response=False)

    def test_it_explains_why_in_plain_french(self):
        self.client.force_login(self.newcomer)
        response = self.client.get(self.url)
        self.assertContains(response, "Pourquoi ?")
        self.assertContains(response, "vous êtes « Référent cybersécurité » de Pharmacie Alpha")
        self.assertContains(response, "un voleur qui connaît votre mot de passe")

    def test_it_names_an_organisation_that_requires_it_of_everyone(self):
        strict = make_organisation("Pharmacie Stricte", "stricte", require_mfa_for_all=True)
        Membership.objects.create(organisation=strict, user=self.colin,
                                  role=Role.COLLABORATEUR)
        self.client.force_login(self.colin)
        self.assertContains(self.client.get(self.url),
                            "Pharmacie Stricte l&#x27;exige de tous ses membres")

    def test_it_leads_to_both_kinds_of_second_factor(self):
        self.client.force_login(self.newcomer)
        response = self.client.get(self.url)
        self.assertContains(response, reverse("mfa_activate_totp"))
        self.assertContains(response, reverse("mfa_add_webauthn"))
        self.assertContains(response, reverse("mfa_index"))

    def test_it_says_when_it_is_done(self):
        Authenticator.objects.create(user=self.newcomer, type=Authenticator.Type.TOTP,
                                     data={"secret": "x"})
        self.client.force_login(self.newcomer)
        self.assertContains(self.client.get(self.url), "C'est fait")

    def test_it_refuses_a_post_without_error(self):
        self.client.force_login(self.newcomer)
        self.assertEqual(self.client.post(self.url, {"x": "y"}).status_code, 405)

    def test_it_has_no_inline_script(self):
        self.client.force_login(self.newcomer)
        response = self.client.get(self.url)
        self.assertNotContains(response, "<script>")
        self.assertNotContains(response, "style=")
