"""allauth's pages inside our layout, in French, with our CSS classes and no inline code."""

import re

from django.core.cache import cache
from django.urls import reverse

from tests.base import PASSWORD, BaseTestCase

SIGNED_IN_PAGES = ["account_change_password", "account_email", "mfa_index",
                   "mfa_activate_totp", "mfa_add_webauthn", "mfa_generate_recovery_codes",
                   "usersessions_list", "account_reauthenticate", "socialaccount_connections"]
ANONYMOUS_PAGES = ["account_login", "account_signup", "account_reset_password"]
# Inline <script> is only allowed as a JSON data block, which a browser never runs.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
INLINE_HANDLER = re.compile(r"\son[a-z]+=|\sstyle=")


class AllauthPagesTestCase(BaseTestCase):
    def setUp(self):
        cache.clear()

    def sign_in(self):
        self.client.post(reverse("account_login"),
                         {"login": "colin@alpha.example", "password": PASSWORD})
        self.client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    def assertOurPage(self, response, name):
        self.assertEqual(response.status_code, 200, name)
        html = response.content.decode()
        self.assertIn('<html lang="fr">', html, name)
        self.assertIn('class="skip-link"', html, name)
        self.assertIn('<main id="contenu"', html, name)
        self.assertIsNone(INLINE_SCRIPT.search(html), name)
        self.assertIsNone(INLINE_HANDLER.search(html), name)
        self.assertIn("script-src 'self'", response["Content-Security-Policy"], name)

    def test_the_signed_in_pages_use_our_layout(self):
        self.sign_in()
        for name in SIGNED_IN_PAGES:
            self.assertOurPage(self.client.get(reverse(name)), name)

    def test_the_entrance_pages_use_our_layout(self):
        for name in ANONYMOUS_PAGES:
            self.assertOurPage(self.client.get(reverse(name)), name)

    def test_forms_use_our_classes_and_labels(self):
        response = self.client.get(reverse("account_login"))
        self.assertContains(response, 'class="card form"')
        self.assertContains(response, '<div class="field">')
        self.assertContains(response, '<label for="id_login">Adresse e-mail')
        self.assertContains(response, 'autocomplete="email"')
        self.assertContains(response, 'autocomplete="current-password"')
        self.assertContains(response, '<button type="submit" class="button">')

    def test_errors_sit_next_to_their_field(self):
        response = self.client.post(reverse("account_reset_password"), {"email": "pas-une-adresse"})
        html = response.content.decode()
        field = html[html.find('<div class="field field--error">'):]
        self.assertLess(field.find('class="errorlist'), field.find('<input'))
        self.assertIn('aria-invalid="true"', field[:field.find("</div>") + 400])

    def test_a_refused_sign_in_shows_an_alert_in_french(self):
        response = self.client.post(reverse("account_login"),
                                    {"login": "colin@alpha.example", "password": "faux"})
        self.assertContains(response, 'class="message message--error" role="alert"')
        self.assertContains(response, "incorrect")

    def test_the_security_key_form_speaks_plain_french(self):
        self.sign_in()
        response = self.client.get(reverse("mfa_add_webauthn"))
        self.assertContains(response, "Nom de la clé")
        self.assertContains(response, "sans mot de passe")
        self.assertContains(response, 'type="application/json"')
        self.assertContains(response, "/static/mfa/js/webauthn.js")

    def test_mfa_panels_are_cards_with_buttons(self):
        self.sign_in()
        response = self.client.get(reverse("mfa_index"))
        self.assertContains(response, '<section class="card">')
        self.assertContains(response, f'<a href="{reverse("mfa_activate_totp")}" class="button')

    def test_the_totp_page_shows_its_qr_code_as_an_image(self):
        self.sign_in()
        response = self.client.get(reverse("mfa_activate_totp"))
        self.assertContains(response, '<img src="data:image/svg+xml')
        self.assertContains(response, 'autocomplete="one-time-code"')
