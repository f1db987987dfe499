"""Behind the reverse proxy, every rate limit sees the client's address, not the proxy's.

The attack (issue 6): with BEHIND_PROXY=true, 31 sign-in posts from 31 different clients
brought allauth's per-address limit (30 a minute) down on everyone, the real user included,
because allauth saw only the proxy's address. One rule now decides the client address
everywhere (pharmagarde.core.audit.client_ip), and allauth asks our adapter for it.
"""

from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from pharmagarde.core.models import AuditEntry
from tests.base import PASSWORD, BaseTestCase

PROXY = "10.0.0.254"


@override_settings(BEHIND_PROXY=True)
class ProxyTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()

    def post_login(self, client_address, email="colin@alpha.example", password="x" * 12):
        return self.client.post(
            reverse("account_login"), {"login": email, "password": password},
            REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.77, {client_address}",
        )

    def test_many_clients_do_not_exhaust_one_limit_for_all(self):
        for number in range(31):
            response = self.post_login(f"198.51.100.{number + 1}",
                                       email=f"essai{number}@exemple.fr")
            self.assertNotEqual(response.status_code, 429, number)
        response = self.post_login("192.0.2.10", password=PASSWORD)
        self.assertEqual(response.status_code, 302)
        self.assertIn("_auth_user_id", self.client.session)

    def test_one_client_still_meets_the_limit(self):
        for number in range(30):
            self.post_login("198.51.100.9", email=f"essai{number}@exemple.fr")
        self.assertEqual(self.post_login("198.51.100.9").status_code, 429)
        self.assertEqual(self.post_login("192.0.2.10", password=PASSWORD).status_code, 302)

    def test_the_audit_log_and_allauth_agree_on_the_address(self):
        self.post_login("198.51.100.200")
        entry = AuditEntry.objects.get(action="auth.login_failed")
        self.assertEqual(entry.ip_address, "198.51.100.200")
