"""One-click unsubscribe from the weekly digest: a signed link, no sign-in, RFC 8058's
POST; a GET changes nothing; an altered link gets a French 400 page."""

from datetime import date, datetime

from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pharmagarde.core import scheduler
from pharmagarde.core.models import AuditEntry, Reminder, UserPreferences
from pharmagarde.core.reminders import unsubscribe_token
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin, body_text


class DigestUnsubscribeTestCase(BaseTestCase):
    def url(self, token=None):
        return reverse("digest_unsubscribe", args=[token or unsubscribe_token(self.colin)])

    def digest_on(self):
        return not UserPreferences.objects.filter(user=self.colin, digest=False).exists()

    def test_a_get_asks_for_confirmation_and_changes_nothing(self):
        response = self.client.get(self.url())
        self.assertContains(response, "Ne plus recevoir le résumé hebdomadaire")
        self.assertContains(response, '<form method="post"')
        self.assertTrue(self.digest_on())
        self.assertFalse(AuditEntry.objects.filter(action="account.digest_unsubscribed").exists())

    def test_a_post_turns_the_digest_off_without_signing_in(self):
        response = self.client.post(self.url())
        self.assertContains(response, "Résumé hebdomadaire désactivé")
        self.assertFalse(self.digest_on())
        entry = AuditEntry.objects.get(action="account.digest_unsubscribed")
        self.assertEqual(entry.actor, self.colin)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_mail_clients_one_click_post_works_without_a_csrf_token(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post(self.url(), "List-Unsubscribe=One-Click",
                               content_type="application/x-www-form-urlencoded")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.digest_on())

    def test_twice_is_harmless(self):
        self.client.post(self.url())
        self.assertEqual(self.client.post(self.url()).status_code, 200)
        self.assertEqual(AuditEntry.objects.filter(action="account.digest_unsubscribed").count(), 1)

    def test_an_altered_link_gets_a_french_400_page(self):
        token = unsubscribe_token(self.colin)
        _user_id, signature = token.split(":", 1)
        for forged in [f"{self.alice.pk}:{signature}", token[:-2] + "xx", "inconnu-0"]:
            for method in ("get", "post"):
                response = getattr(self.client, method)(self.url(forged))
                self.assertContains(response, "Lien de désabonnement invalide", status_code=400)
        self.assertTrue(self.digest_on())
        self.assertFalse(UserPreferences.objects.filter(digest=False).exists())

    def test_a_value_signed_for_something_else_is_refused(self):
        token = signing.dumps(self.colin.pk)  # same key, another salt
        self.assertEqual(self.client.post(self.url(token)).status_code, 400)

    def test_a_disabled_account_is_refused(self):
        self.colin.is_active = False
        self.colin.save()
        self.assertEqual(self.client.get(self.url()).status_code, 400)

    def test_the_page_is_in_the_users_language(self):
        UserPreferences.objects.create(user=self.colin, language="en")
        self.assertContains(self.client.get(self.url()), '<html lang="en">')

    def test_a_signed_in_user_without_the_second_factor_may_still_use_it(self):
        self.client.force_login(self.rita)  # référent, MFA required and set up
        self.rita.authenticator_set.all().delete()
        response = self.client.post(reverse("digest_unsubscribe",
                                            args=[unsubscribe_token(self.rita)]))
        self.assertContains(response, "Résumé hebdomadaire désactivé")

    def test_other_methods_are_refused(self):
        self.assertEqual(self.client.put(self.url()).status_code, 405)


class UnsubscribeFromTheDigestTestCase(SMTPTestMixin, BaseTestCase):
    """End to end: the link in the digest received by SMTP turns the next ones off."""

    def tick(self, day, hour=7):
        with self.captureOnCommitCallbacks(execute=True):
            scheduler.tick(timezone.make_aware(datetime(day.year, day.month, day.day, hour, 5)))

    def pending(self, key):
        Reminder.objects.create(key=key, occurrence="2026-03-04", user=self.colin,
                                organisation=self.org, subject=f"Rappel {key}",
                                link="/o/alpha/")

    def test_the_digests_link_stops_the_next_digests(self):
        self.pending("a")
        self.tick(date(2026, 3, 9))
        [digest] = self.smtp.messages
        link = digest["List-Unsubscribe"].strip().strip("<>")
        self.assertIn(link, body_text(digest))
        path = link.removeprefix("http://127.0.0.1:8000")
        self.assertContains(self.client.post(path), "Résumé hebdomadaire désactivé")
        self.pending("b")
        self.tick(date(2026, 3, 16))
        self.assertEqual(len(self.smtp.messages), 1)
        self.assertEqual(Reminder.objects.get(key="b").state, Reminder.State.DROPPED)
