"""A request body in a charset other than UTF-8 gets the 400 page, never a server error.

The clients check CSRF tokens as a browser's requests are checked: the check reads the
body, and it was that second reading, in the error handlers, that turned Django's 400 into
a bare 500."""

from django.test import Client, override_settings
from django.urls import reverse

from pharmagarde.core.models import Person
from tests.base import BaseTestCase

UTF16_FORM = "application/x-www-form-urlencoded; charset=utf-16"


@override_settings(DEBUG=False)
class RequestCharsetTestCase(BaseTestCase):
    def client_on(self, url, user=None):
        """A client holding the CSRF cookie that a visit to `url` hands out, and its token."""
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if user:
            client.force_login(user)
        client.get(url)
        return client, client.cookies["csrftoken"].value

    def post(self, url, body, content_type, *, user=None, encoding="utf-8"):
        """`body`, its TOKEN replaced by the client's CSRF token, sent in `encoding`."""
        client, token = self.client_on(url, user)
        return client.generic("POST", url, body.replace("TOKEN", token).encode(encoding),
                              content_type=content_type)

    def test_it_refuses_a_utf16_form_on_the_sign_in_page(self):
        response = self.post(reverse("account_login"),
                             "csrfmiddlewaretoken=TOKEN&login=a@b.example&password=x",
                             UTF16_FORM, encoding="utf-16")
        self.assertContains(response, "Demande illisible", status_code=400)

    def test_it_refuses_a_utf16_form_on_an_organisation_page(self):
        response = self.post(self.org_url("person_new"),
                             "csrfmiddlewaretoken=TOKEN&first_name=A&last_name=B",
                             UTF16_FORM, user=self.colin, encoding="utf-16")
        self.assertContains(response, "Demande illisible", status_code=400)
        self.assertFalse(Person.objects.filter(first_name="A").exists())

    def test_it_refuses_a_utf16_multipart_body(self):
        body = ('--x\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
                'TOKEN\r\n--x\r\nContent-Disposition: form-data; name="first_name"\r\n\r\n'
                'A\r\n--x--\r\n')
        response = self.post(self.org_url("person_new"), body,
                             "multipart/form-data; boundary=x; charset=utf-16",
                             user=self.colin, encoding="utf-16")
        self.assertContains(response, "Demande illisible", status_code=400)

    def test_it_refuses_other_charsets_and_unknown_ones(self):
        for charset in ["utf-32", "utf-7", "cp037", "latin-1", "nonexistent"]:
            with self.subTest(charset=charset):
                response = self.post(reverse("account_login"), "csrfmiddlewaretoken=TOKEN",
                                     f"application/x-www-form-urlencoded; charset={charset}")
                self.assertContains(response, "Demande illisible", status_code=400)

    def test_it_reads_a_form_that_declares_utf8(self):
        response = self.post(self.org_url("person_new"),
                             "csrfmiddlewaretoken=TOKEN&first_name=Zo%C3%A9&last_name=B",
                             "application/x-www-form-urlencoded; charset=UTF-8", user=self.colin)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Person.objects.filter(first_name="Zoé").exists())
