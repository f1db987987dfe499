from django.core.cache import cache
from django.urls import reverse

from pharmagarde.core.models import AuditEntry
from tests.base import PASSWORD, BaseTestCase
from tests.smtp import SMTPTestMixin

NEW_PASSWORD = "Nouvelle-Phrase-Secrete-77"


class PasswordAuditTestCase(SMTPTestMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.client.post(reverse("account_login"),
                         {"login": "colin@alpha.example", "password": PASSWORD})

    def change(self, old=PASSWORD, new=NEW_PASSWORD):
        return self.client.post(reverse("account_change_password"),
                                {"oldpassword": old, "password1": new, "password2": new})

    def test_it_records_a_password_change(self):
        response = self.change()
        self.assertEqual(response.status_code, 302)
        entry = AuditEntry.objects.get(action="auth.password_changed")
        self.assertEqual(entry.actor, self.colin)
        self.assertEqual(entry.ip_address, "127.0.0.1")

    def test_it_mails_the_user_about_the_change(self):
        with self.captureOnCommitCallbacks(execute=True):  # the mail leaves after commit
            self.change()
        self.assertEqual(self.smtp.messages[0]["To"], "colin@alpha.example")

    def test_it_records_nothing_for_a_refused_change(self):
        response = self.change(old="pas-le-bon")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(AuditEntry.objects.filter(action="auth.password_changed").exists())

    def test_it_applies_the_password_policy_to_a_change(self):
        response = self.change(new="colin@alpha.example1A!")
        self.assertContains(response, "trop facile à deviner")

    def test_it_keeps_the_password_out_of_the_audit_log(self):
        self.change()
        for entry in AuditEntry.objects.all():
            self.assertNotIn(NEW_PASSWORD, entry.hashed_content())
            self.assertNotIn(PASSWORD, entry.hashed_content())

    def test_it_records_a_password_set(self):
        self.colin.set_unusable_password()
        self.colin.save()
        self.client.force_login(self.colin)
        self.client.post(reverse("account_set_password"),
                         {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        self.assertTrue(AuditEntry.objects.filter(action="auth.password_set",
                                                  actor=self.colin).exists())
