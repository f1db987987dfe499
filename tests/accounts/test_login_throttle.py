import re
from datetime import timedelta

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from pharmagarde.accounts.models import LoginThrottle
from pharmagarde.accounts.throttle import account_key, delay_seconds, format_duration
from pharmagarde.core.models import AuditEntry
from tests.base import PASSWORD, BaseTestCase
from tests.smtp import SMTPTestMixin, body_text

NEW_PASSWORD = "Nouvelle-Phrase-Secrete-77"


class ThrottleTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()  # allauth's own rate limits (30 sign-ins a minute) live in the cache

    def login(self, email="colin@alpha.example", password=PASSWORD, address="10.0.0.1"):
        return self.client.post(reverse("account_login"), {"login": email, "password": password},
                                REMOTE_ADDR=address)

    def fail_sign_in(self, times, email="colin@alpha.example", address="10.0.0.1"):
        for _ in range(times):
            response = self.login(email, "Mauvais-Mot-De-Passe-1", address)
            self.assertEqual(response.status_code, 200)
        return response

    def travel(self, seconds):
        """Move every recorded failure `seconds` into the past."""
        for throttle in LoginThrottle.objects.all():
            throttle.first_failure_at -= timedelta(seconds=seconds)
            throttle.last_failure_at -= timedelta(seconds=seconds)
            if throttle.locked_at:
                throttle.locked_at -= timedelta(seconds=seconds)
            throttle.save()

    def assertSignedIn(self, response):
        self.assertEqual(response.status_code, 302)
        self.assertIn("_auth_user_id", self.client.session)


class LoginDelayTestCase(ThrottleTestCase):
    def test_it_lets_four_failures_go_without_delay(self):
        self.fail_sign_in(4)
        self.assertSignedIn(self.login())

    def test_it_refuses_even_the_right_password_after_five_failures(self):
        self.fail_sign_in(5)
        response = self.login()
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertContains(response, "Trop de tentatives de connexion sans succès")
        self.assertContains(response, "patientez 1 minute avant de réessayer")

    def test_it_accepts_the_right_password_once_the_delay_has_passed(self):
        self.fail_sign_in(5)
        self.travel(61)
        self.assertSignedIn(self.login())

    def test_it_doubles_the_delay_with_each_further_failure(self):
        self.fail_sign_in(5)
        self.travel(61)
        self.fail_sign_in(1)
        self.assertContains(self.login(), "patientez 2 minutes")
        self.assertEqual([delay_seconds(n) for n in (4, 5, 6, 7)], [0, 60, 120, 240])
        self.assertEqual(delay_seconds(24), 3600)  # capped at an hour

    def test_it_does_not_count_refused_attempts(self):
        self.fail_sign_in(5)
        self.fail_sign_in(3)  # refused while waiting: not counted
        self.assertEqual(LoginThrottle.objects.get(key=account_key(user=self.colin)).failures, 5)

    def test_it_forgets_the_account_failures_after_a_success(self):
        self.fail_sign_in(4)
        self.login()
        self.assertFalse(LoginThrottle.objects.filter(kind="account").exists())

    def test_it_throttles_unknown_addresses_the_same_way(self):
        # Same answer whether the account exists or not: nothing to learn from it.
        response = self.fail_sign_in(6, email="personne@nulle-part.example")
        self.assertContains(response, "patientez 1 minute")

    def test_it_throttles_per_client_address(self):
        for number in range(5):
            self.fail_sign_in(1, email=f"essai{number}@exemple.fr", address="10.9.9.9")
        self.assertContains(self.login(address="10.9.9.9"), "patientez 1 minute")
        self.assertSignedIn(self.login(address="10.1.1.1"))

    def test_it_throttles_per_account_whatever_the_address(self):
        for number in range(5):
            self.fail_sign_in(1, address=f"10.0.0.{number + 10}")
        self.assertContains(self.login(address="10.2.2.2"), "patientez 1 minute")

    def test_it_records_failures_in_the_audit_log(self):
        self.fail_sign_in(1)
        self.assertTrue(AuditEntry.objects.filter(action="auth.login_failed").exists())


class LockOutTestCase(ThrottleTestCase):
    def lock(self, email="colin@alpha.example"):
        self.fail_sign_in(5, email=email)
        # 19 more failures, spaced out as the growing delays required (about 15 hours).
        LoginThrottle.objects.filter(key=account_key(email=email)).update(failures=24)
        self.travel(3601)
        LoginThrottle.objects.filter(kind="address").delete()
        return self.fail_sign_in(1, email=email)

    def test_it_locks_the_account_after_twenty_five_failures(self):
        self.lock()
        response = self.login()
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertContains(response, "Ce compte est bloqué")
        self.assertContains(response, "Mot de passe oublié")
        self.assertContains(response, "24 heures")

    def test_it_writes_an_audit_entry_when_locking(self):
        self.lock()
        entry = AuditEntry.objects.get(action="auth.locked")
        self.assertEqual(entry.actor, self.colin)
        self.assertEqual(entry.details["type"], "account")
        self.assertEqual(entry.details["échecs"], 25)

    def test_it_unlocks_when_the_window_has_passed(self):
        self.lock()
        self.travel(24 * 3600 + 1)
        self.assertSignedIn(self.login())

    def test_it_counts_again_from_zero_after_the_window(self):
        self.fail_sign_in(3)
        self.travel(24 * 3600 + 1)
        self.fail_sign_in(1)
        self.assertEqual(LoginThrottle.objects.get(key=account_key(user=self.colin)).failures, 1)

    def test_it_locks_an_address_with_its_own_message(self):
        self.fail_sign_in(5, email="x@exemple.fr", address="10.7.7.7")
        LoginThrottle.objects.filter(key="10.7.7.7").update(failures=24)
        self.travel(3601)
        LoginThrottle.objects.filter(kind="account").delete()
        self.fail_sign_in(1, email="y@exemple.fr", address="10.7.7.7")
        self.assertContains(self.login(address="10.7.7.7"), "depuis votre réseau")


class UnlockByPasswordResetTestCase(SMTPTestMixin, ThrottleTestCase):
    def test_it_unlocks_the_account_when_the_password_is_reset_by_email(self):
        LockOutTestCase.lock(self)
        with self.captureOnCommitCallbacks(execute=True):  # the mail leaves after commit
            self.client.post(reverse("account_reset_password"),
                             {"email": "colin@alpha.example"}, REMOTE_ADDR="10.3.3.3")
        link = re.search(r"https?://\S+/password/reset/key/\S+/", body_text(self.smtp.messages[0]))
        response = self.client.get(link.group(0), follow=True)
        self.client.post(response.redirect_chain[-1][0],
                         {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        self.assertFalse(LoginThrottle.objects.filter(kind="account").exists())
        self.assertTrue(AuditEntry.objects.filter(action="auth.password_reset",
                                                  actor=self.colin).exists())
        self.assertSignedIn(self.login(password=NEW_PASSWORD, address="10.4.4.4"))


class FormatDurationTestCase(TestCase):
    def test_it_speaks_plain_french(self):
        self.assertEqual(format_duration(1), "1 seconde")
        self.assertEqual(format_duration(45), "45 secondes")
        self.assertEqual(format_duration(61), "2 minutes")
        self.assertEqual(format_duration(3600), "1 heure")
        self.assertEqual(format_duration(3 * 3600 + 300), "3 heures et 5 minutes")


class PurgeTestCase(ThrottleTestCase):
    def test_it_forgets_keys_whose_window_is_over(self):
        self.fail_sign_in(2, email="ancien@exemple.fr", address="10.5.5.5")
        self.travel(24 * 3600 + 1)
        self.fail_sign_in(1)
        keys = set(LoginThrottle.objects.values_list("key", flat=True))
        self.assertEqual(keys, {f"user:{self.colin.pk}", "10.0.0.1"})
