"""The second factor cannot be guessed: wrong codes count like wrong passwords.

The attack (issue 6): with the password, one pending sign-in accepted 460 wrong TOTP codes at
30 a second, unaudited, then the right one. Each test below fails without
accounts/second_factor.py.
"""

import time
from datetime import timedelta

from allauth.account.internal.stagekit import LOGIN_SESSION_KEY
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.test import override_settings
from django.urls import reverse

from pharmagarde.accounts.models import LoginThrottle
from pharmagarde.accounts.throttle import account_key
from pharmagarde.core.models import AuditEntry
from tests.base import PASSWORD, BaseTestCase, make_user
from tests.smtp import SMTPTestMixin, body_text

ADDRESS = "10.0.0.1"


def totp_code(user, offset=0):
    counter = int(time.time()) // 30 + offset
    return format_hotp_value(hotp_value(user.totp_secret, counter))


def wrong_code(user):
    """A six-digit code that is none of the codes valid around now."""
    valid = {totp_code(user, offset) for offset in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 7919)) if c not in valid)


class SecondFactorTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()

    def password(self, email="rita@alpha.example", password=PASSWORD, address=ADDRESS):
        return self.client.post(reverse("account_login"), {"login": email, "password": password},
                                REMOTE_ADDR=address)

    def code(self, code, address=ADDRESS):
        return self.client.post(reverse("mfa_authenticate"), {"code": code}, REMOTE_ADDR=address)

    def assertPending(self):
        self.assertIn(LOGIN_SESSION_KEY, self.client.session)
        self.assertNotIn("_auth_user_id", self.client.session)

    def assertSignedIn(self):
        self.assertIn("_auth_user_id", self.client.session)

    def assertNotSignedIn(self):
        self.assertNotIn("_auth_user_id", self.client.session)


class GuessingAtSignInTestCase(SecondFactorTestCase):
    def test_it_drops_the_pending_sign_in_after_three_wrong_codes(self):
        response = self.password()
        self.assertRedirects(response, reverse("mfa_authenticate"), fetch_redirect_response=False)
        for _ in range(settings.MFA_FAILURES_BEFORE_RESTART - 1):
            self.assertEqual(self.code(wrong_code(self.rita)).status_code, 200)
            self.assertPending()
        response = self.code(wrong_code(self.rita))
        self.assertRedirects(response, reverse("account_login"), fetch_redirect_response=False)
        self.assertNotIn(LOGIN_SESSION_KEY, self.client.session)
        page = self.client.get(reverse("account_login"))
        self.assertContains(page, "Trop de codes erronés")
        # The right code no longer helps: the password must be typed again.
        self.code(totp_code(self.rita))
        self.assertNotSignedIn()

    def test_it_audits_every_wrong_code(self):
        self.password()
        self.code(wrong_code(self.rita))
        entry = AuditEntry.objects.get(action="auth.mfa_failed")
        self.assertEqual(entry.actor, self.rita)
        self.assertEqual(entry.ip_address, ADDRESS)
        self.assertEqual(entry.details, {"méthode": "code", "réauthentification": False})

    def test_it_counts_wrong_codes_against_the_account_and_the_address(self):
        self.password()
        self.code(wrong_code(self.rita))
        self.code(wrong_code(self.rita))
        self.assertEqual(LoginThrottle.objects.get(key=account_key(user=self.rita)).failures, 2)
        self.assertEqual(LoginThrottle.objects.get(key=ADDRESS).failures, 2)

    def test_the_right_code_after_a_few_wrong_ones_still_signs_in(self):
        self.password()
        self.code(wrong_code(self.rita))
        self.code(totp_code(self.rita))
        self.assertSignedIn()
        self.assertFalse(LoginThrottle.objects.filter(kind="account").exists())

    def test_the_guessing_loop_stops_after_the_configured_number_of_tries(self):
        """The attacker has the password and loops: password, codes until dropped, again."""
        tried = 0
        for _ in range(50):
            self.client.cookies.clear()
            if self.password().status_code != 302:
                break  # the password itself now waits
            while tried < 500:
                response = self.code(wrong_code(self.rita))
                if b"patientez" in response.content:
                    break
                tried += 1
                if response.status_code == 302:
                    break
        self.assertEqual(tried, settings.LOGIN_FAILURES_BEFORE_DELAY)
        self.assertEqual(AuditEntry.objects.filter(action="auth.mfa_failed").count(), tried)
        # Even the right password and code are refused while the delay runs.
        self.client.cookies.clear()
        response = self.password()
        self.assertContains(response, "patientez 1 minute")
        self.assertNotSignedIn()

    def test_a_delay_started_by_passwords_also_holds_the_code(self):
        for _ in range(settings.LOGIN_FAILURES_BEFORE_DELAY - 1):
            self.password(password="Mauvais-Mot-De-Passe-1")
        self.password()
        self.code(wrong_code(self.rita))  # the fifth failure starts the delay
        response = self.code(totp_code(self.rita))
        self.assertContains(response, "patientez")
        self.assertNotSignedIn()

    def test_a_wrong_recovery_code_counts_too(self):
        RecoveryCodes.activate(self.rita)
        self.password()
        self.code("abcd1234")
        entry = AuditEntry.objects.get(action="auth.mfa_failed")
        self.assertEqual(entry.actor, self.rita)

    def test_a_security_key_answer_that_does_not_verify_counts_too(self):
        self.password()
        response = self.client.post(reverse("mfa_authenticate"),
                                    {"credential": '{"id": "forged", "type": "public-key"}'},
                                    REMOTE_ADDR=ADDRESS)
        self.assertEqual(response.status_code, 200)
        entry = AuditEntry.objects.get(action="auth.mfa_failed")
        self.assertEqual(entry.details["méthode"], "webauthn")
        self.assertEqual(LoginThrottle.objects.get(key=account_key(user=self.rita)).failures, 1)


class ReauthenticationTestCase(SecondFactorTestCase):
    def test_wrong_codes_when_confirming_identity_are_throttled_and_audited(self):
        self.client.force_login(self.rita)
        url = reverse("mfa_reauthenticate")
        for _ in range(settings.LOGIN_FAILURES_BEFORE_DELAY):
            response = self.client.post(url, {"code": wrong_code(self.rita)}, REMOTE_ADDR=ADDRESS)
            self.assertEqual(response.status_code, 200)
        response = self.client.post(url, {"code": totp_code(self.rita)}, REMOTE_ADDR=ADDRESS)
        self.assertContains(response, "patientez")
        entries = AuditEntry.objects.filter(action="auth.mfa_failed")
        self.assertEqual(entries.count(), settings.LOGIN_FAILURES_BEFORE_DELAY)
        self.assertTrue(entries.first().details["réauthentification"])


@override_settings(LOGIN_FAILURES_BEFORE_LOCK=6)
class LockOutNoticeTestCase(SMTPTestMixin, SecondFactorTestCase):
    def lock(self):
        for _ in range(settings.LOGIN_FAILURES_BEFORE_DELAY):
            self.password(email="colin@alpha.example", password="Mauvais-Mot-De-Passe-1")
        # Past the delay, still inside the 24-hour window.
        LoginThrottle.objects.update(last_failure_at=F("last_failure_at") - timedelta(hours=1))
        LoginThrottle.objects.filter(kind="address").delete()
        self.password(email="colin@alpha.example", password="Mauvais-Mot-De-Passe-1")

    def test_it_tells_the_owner_by_email_when_a_lock_out_starts(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.lock()
        self.assertEqual(len(self.smtp.messages), 1)
        message = self.smtp.messages[0]
        self.assertEqual(message["To"], "colin@alpha.example")
        self.assertIn("bloqué", message["Subject"])
        text = body_text(message)
        self.assertIn("6 tentatives", text)
        self.assertIn(reverse("account_reset_password"), text)

    def test_it_keys_the_counter_on_the_account_whichever_address_is_typed(self):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=self.colin, email="colin.perso@exemple.fr",
                                    verified=True)
        for email in ["colin@alpha.example", "COLIN.perso@exemple.fr", "colin.perso@exemple.fr"]:
            self.password(email=email, password="Mauvais-Mot-De-Passe-1",
                          address=f"10.1.0.{len(email)}")
        self.assertEqual(LoginThrottle.objects.filter(kind="account").count(), 1)
        self.assertEqual(LoginThrottle.objects.get(kind="account").failures, 3)

    def test_an_unknown_address_gets_its_own_counter_and_no_mail(self):
        make_user("autre@exemple.fr")
        with self.captureOnCommitCallbacks(execute=True):
            for _ in range(7):
                self.password(email="personne@nulle-part.example", password="x" * 12,
                              address=f"10.2.0.{_}")
        self.assertEqual(LoginThrottle.objects.get(kind="account").key,
                         "personne@nulle-part.example")
        self.assertEqual(self.smtp.messages, [])
