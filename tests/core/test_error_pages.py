from django.template.loader import render_to_string
from django.test import Client, override_settings

from tests.base import BaseTestCase


class ErrorPagesTestCase(BaseTestCase):
    def test_it_explains_a_404_in_french(self):
        self.client.force_login(self.colin)
        response = self.client.get("/o/inconnue/")
        self.assertContains(response, "Page introuvable", status_code=404)

    def test_it_explains_a_403_in_french(self):
        self.client.force_login(self.readonly)
        response = self.client.post(self.org_url("person_new"))
        self.assertContains(response, "Action non autorisée", status_code=403)

    def test_it_explains_a_csrf_failure_in_french(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.colin)
        response = client.post(self.org_url("person_new"), {"first_name": "A"})
        self.assertContains(response, "Formulaire expiré", status_code=403)

    @override_settings(DEBUG=False)
    def test_it_explains_an_unreadable_upload_in_french(self):
        client = Client()
        client.force_login(self.colin)
        # No boundary: the body cannot be split into fields (an interrupted upload).
        response = client.generic("POST", self.org_url("person_new"), b"--x\r\nbroken",
                                  content_type="multipart/form-data")
        self.assertContains(response, "Demande illisible", status_code=400)

    def test_it_renders_the_500_page_without_context(self):
        html = render_to_string("500.html")
        self.assertIn("Une erreur est survenue", html)
