"""The personal training link of staff without an account: /formation/<token>/."""

import shutil
import unittest

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from pharmagarde.awareness import modules
from pharmagarde.awareness.models import Assignment
from pharmagarde.core.models import AuditEntry
from tests.awareness.test_training_views import pdf_text, quiz_post
from tests.base import BaseTestCase


class LearnerTests(BaseTestCase):
    def setUp(self):
        self.module = modules.module("hameconnage")
        self.assignment = Assignment.objects.create(organisation=self.org, person=self.person,
                                                    module="hameconnage")
        self.url = reverse("awareness_learner", args=[self.assignment.token])

    def test_the_lesson_and_the_quiz_without_an_account(self):
        response = self.client.get(self.url)
        self.assertShows(response, "Bonjour Paul")
        self.assertShows(response, "Pharmacie Alpha")
        self.assertContains(response, escape(self.module.questions[0].text))
        self.assertIn("no-store", response["Cache-Control"])

    def test_csrf_works_for_an_anonymous_visitor(self):
        client = Client(enforce_csrf_checks=True)
        self.assertEqual(client.post(self.url, quiz_post(self.module)).status_code, 403)
        client.get(self.url)
        token = client.cookies["csrftoken"].value
        response = client.post(self.url, {**quiz_post(self.module),
                                          "csrfmiddlewaretoken": token})
        self.assertShows(response, "Module réussi")
        self.assignment.refresh_from_db()
        self.assertEqual(self.assignment.score, 100)
        self.assertIsNotNone(self.assignment.completed_at)
        entry = AuditEntry.objects.get(action="awareness.module_completed")
        self.assertEqual(entry.actor_label, "lien personnel de formation")
        self.assertNotIn("Paul", entry.object_label + str(entry.details))

    def test_a_fail_then_a_retry(self):
        response = self.client.post(self.url, quiz_post(self.module, right=False))
        self.assertShows(response, "Pas encore réussi")
        self.assertNotContains(response, "attestation.pdf")
        response = self.client.post(self.url, quiz_post(self.module))
        self.assertContains(response, reverse("awareness_learner_certificate",
                                              args=[self.assignment.token]))
        self.assignment.refresh_from_db()
        self.assertEqual(self.assignment.attempts, 2)

    def test_an_unknown_token_is_404(self):
        for url in (reverse("awareness_learner", args=["inconnu"]),
                    reverse("awareness_learner_certificate", args=["inconnu"])):
            self.assertEqual(self.client.get(url).status_code, 404)
            self.assertEqual(self.client.post(url, {}).status_code, 404 if "pdf" not in url
                             else 405)

    def test_another_organisations_token_shows_only_its_own_organisation(self):
        theirs = Assignment.objects.create(organisation=self.other_org,
                                           person=self.other_person, module="cps")
        response = self.client.get(reverse("awareness_learner", args=[theirs.token]))
        self.assertShows(response, "Pharmacie Bravo")
        self.assertNotContains(response, "Pharmacie Alpha")
        self.assertNotContains(response, "Paul")
        # Nor through the organisation's pages: the id belongs to Bravo.
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.org_url("awareness_certificate", theirs.pk))
                         .status_code, 404)

    def test_bad_input_is_explained(self):
        response = self.client.post(self.url, {"indices": ["zz"]})
        self.assertShows(response, "Répondez à cette question.")
        self.assignment.refresh_from_db()
        self.assertEqual(self.assignment.attempts, 0)


@unittest.skipUnless(shutil.which("pdftotext"), "pdftotext (poppler-utils) is not installed")
class LearnerCertificateTests(BaseTestCase):
    def test_the_certificate_once_passed_only(self):
        assignment = Assignment.objects.create(organisation=self.org, person=self.person,
                                               module="cps")
        url = reverse("awareness_learner_certificate", args=[assignment.token])
        self.assertEqual(self.client.get(url).status_code, 404)
        Assignment.objects.filter(pk=assignment.pk).update(completed_at=timezone.now(),
                                                           score=83)
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = " ".join(pdf_text(response.content).split())
        self.assertIn("Paul Préparateur", text)
        self.assertIn("83 %", text)
        self.assertIn("Pharmacie Alpha", text)
        entry = AuditEntry.objects.get(action="awareness.certificate_downloaded")
        self.assertEqual(entry.actor_label, "lien personnel de formation")
