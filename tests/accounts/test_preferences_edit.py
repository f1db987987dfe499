"""The mail preferences on the account page (digest, language)."""

from django.urls import reverse

from pharmagarde.core.models import AuditEntry, UserPreferences
from tests.base import BaseTestCase


class PreferencesEditTestCase(BaseTestCase):
    url = reverse("preferences_edit")

    def setUp(self):
        self.client.force_login(self.colin)

    def test_the_account_page_shows_the_preferences(self):
        response = self.client.get(reverse("account_settings"))
        self.assertContains(response, "Courriels et rappels")
        self.assertContains(response, "Recevoir le résumé hebdomadaire")
        self.assertContains(response, f'action="{self.url}"')
        self.assertContains(response, 'id="id_digest" checked')

    def test_it_saves_the_choices_and_audits_them(self):
        response = self.client.post(self.url, {"language": "en"})  # digest unticked
        self.assertRedirects(response, reverse("account_settings"),
                             fetch_redirect_response=False)
        preferences = UserPreferences.objects.get(user=self.colin)
        self.assertEqual((preferences.language, preferences.digest), ("en", False))
        entry = AuditEntry.objects.get(action="account.preferences_changed")
        self.assertEqual(entry.actor, self.colin)
        self.assertEqual(entry.details, {"avant": {"langue": "fr", "résumé": True},
                                         "après": {"langue": "en", "résumé": False}})
        # The pages follow the language chosen.
        self.assertEqual(response.cookies["django_language"].value, "en")
        self.assertContains(self.client.get(reverse("account_settings")), 'lang="en"')

    def test_it_writes_nothing_when_nothing_changes(self):
        self.client.post(self.url, {"language": "fr", "digest": "on"})
        self.assertFalse(AuditEntry.objects.filter(action="account.preferences_changed").exists())

    def test_it_rejects_an_unknown_language_next_to_the_field(self):
        response = self.client.post(self.url, {"language": "klingon", "digest": "on"})
        self.assertContains(response, "errorlist", status_code=200)
        self.assertFalse(UserPreferences.objects.exists())

    def test_get_is_refused(self):
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_it_redirects_anonymous(self):
        self.client.logout()
        response = self.client.post(self.url, {"language": "en"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/comptes/login/"))
        self.assertFalse(UserPreferences.objects.exists())

    def test_it_is_the_users_own(self):
        self.client.post(self.url, {"language": "en"})
        self.client.force_login(self.alice)
        self.client.post(self.url, {"language": "fr", "digest": "on"})
        self.assertEqual(UserPreferences.objects.get(user=self.colin).language, "en")

