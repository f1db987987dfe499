"""The footer's language switcher: Django's, which also sets the language of the
signed-in user's mail."""

from django.urls import reverse

from pharmagarde.core.models import UserPreferences
from tests.base import BaseTestCase


class LanguageSwitcherTestCase(BaseTestCase):
    url = reverse("set_language")

    def test_it_sets_the_language_of_the_users_mail(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, {"language": "en", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(response.cookies["django_language"].value, "en")
        self.assertEqual(UserPreferences.objects.get(user=self.colin).language, "en")

    def test_it_stores_nothing_for_an_anonymous_visitor(self):
        response = self.client.post(self.url, {"language": "en", "next": "/"})
        self.assertEqual(response.cookies["django_language"].value, "en")
        self.assertFalse(UserPreferences.objects.exists())

    def test_it_ignores_an_unknown_language(self):
        self.client.force_login(self.colin)
        self.client.post(self.url, {"language": "xx", "next": "/"})
        self.assertFalse(UserPreferences.objects.exists())
