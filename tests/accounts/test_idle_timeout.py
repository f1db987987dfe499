import time

from django.test import override_settings
from django.urls import reverse

from pharmagarde.accounts.idle import SESSION_KEY
from tests.base import PASSWORD, BaseTestCase


class IdleTimeoutTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.colin)
        self.url = reverse("account_settings")

    def set_last_activity(self, seconds_ago):
        session = self.client.session
        session[SESSION_KEY] = int(time.time()) - seconds_ago
        session.save()

    def test_it_keeps_an_active_session(self):
        self.set_last_activity(1700)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_signs_out_after_thirty_minutes_without_activity(self):
        self.set_last_activity(1801)
        response = self.client.get(self.url)
        self.assertRedirects(response, reverse("account_login") + "?next=" + self.url,
                             fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_explains_why_in_french_on_the_sign_in_page(self):
        self.set_last_activity(4000)
        response = self.client.get(self.url, follow=True)
        self.assertContains(response, "Vous avez été déconnecté(e) après 30 minutes sans "
                                      "activité")

    def test_it_sends_htmx_to_the_sign_in_page(self):
        self.set_last_activity(4000)
        response = self.client.get(self.url, headers={"HX-Request": "true"})
        self.assertTrue(response["HX-Redirect"].startswith(reverse("account_login")))

    def test_it_refreshes_the_timestamp_at_most_once_a_minute(self):
        self.set_last_activity(30)
        before = self.client.session[SESSION_KEY]
        self.client.get(self.url)
        self.assertEqual(self.client.session[SESSION_KEY], before)
        self.set_last_activity(90)
        self.client.get(self.url)
        self.assertGreaterEqual(self.client.session[SESSION_KEY], int(time.time()) - 2)

    def test_it_starts_the_clock_for_a_session_without_a_timestamp(self):
        self.client.get(self.url)
        self.assertIn(SESSION_KEY, self.client.session)

    @override_settings(SESSION_IDLE_TIMEOUT=60)
    def test_it_follows_the_setting(self):
        self.set_last_activity(61)
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_it_leaves_anonymous_visitors_alone(self):
        self.client.logout()
        self.assertEqual(self.client.get(reverse("account_login")).status_code, 200)

    def test_it_starts_the_clock_at_sign_in(self):
        self.client.logout()
        self.client.post(reverse("account_login"),
                         {"login": "colin@alpha.example", "password": PASSWORD})
        self.assertIn(SESSION_KEY, self.client.session)
