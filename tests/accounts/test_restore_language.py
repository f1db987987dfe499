"""The language a user chose comes back when they sign in, on any computer."""

from django.conf import settings
from django.urls import reverse

from pharmagarde.core.models import UserPreferences
from tests.base import PASSWORD, BaseTestCase

COOKIE = settings.LANGUAGE_COOKIE_NAME


class RestoreLanguageTestCase(BaseTestCase):
    def sign_in(self):
        return self.client.post(reverse("account_login"),
                                {"login": "colin@alpha.example", "password": PASSWORD})

    def test_a_saved_language_comes_back_at_sign_in(self):
        UserPreferences.objects.create(user=self.colin, language="en")
        response = self.sign_in()
        self.assertEqual(response.cookies[COOKIE].value, "en")
        page = self.client.get(reverse("account_settings"))
        self.assertContains(page, 'lang="en"')

    def test_no_saved_preference_leaves_the_browser_choice(self):
        self.client.cookies[COOKIE] = "en"
        response = self.sign_in()
        self.assertNotIn(COOKIE, response.cookies)
        self.assertContains(self.client.get(reverse("account_settings")), 'lang="en"')

    def test_nothing_is_set_when_the_browser_already_shows_it(self):
        UserPreferences.objects.create(user=self.colin, language="fr")
        self.client.cookies[COOKIE] = "fr"
        self.assertNotIn(COOKIE, self.sign_in().cookies)

    def test_a_failed_sign_in_sets_nothing(self):
        UserPreferences.objects.create(user=self.colin, language="en")
        response = self.client.post(reverse("account_login"),
                                    {"login": "colin@alpha.example", "password": "x" * 12})
        self.assertNotIn(COOKIE, response.cookies)
