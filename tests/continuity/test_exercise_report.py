"""The after-action report of an exercise (page and PDF: timeline, decisions, observations,
debrief, findings) and the page on caring for the team, with the links that lead to it."""

import datetime
import shutil
import subprocess
import unittest

from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from pharmagarde.continuity import exercise_services as services
from pharmagarde.continuity.views.exercises import _report_context
from pharmagarde.core.models import AuditEntry
from pharmagarde.incidents.models import Incident
from tests.base import BaseTestCase
from tests.incidents.test_exports import assert_pdf

T0 = timezone.make_aware(datetime.datetime(2026, 11, 3, 14, 0))


def minutes(n):
    return T0 + datetime.timedelta(minutes=n)


class ExerciseReportTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.exercise = services.exercise_create(
            acting_user=cls.alice, organisation=cls.org, scenario="vol-portable",
            title="Exercice du vol de portable", participants="Alice, décide\nRita, observe")
        services.exercise_start(acting_user=cls.alice, exercise=cls.exercise, now=T0)
        for inject_id, minute in [("annonce", 0), ("contenu", 8), ("prestataire", 16)]:
            services.inject_release(acting_user=cls.alice, exercise=cls.exercise,
                                    inject_id=inject_id, now=minutes(minute))
        services.event_note(acting_user=cls.alice, exercise=cls.exercise, kind="decision",
                            text="Opposition à la carte CPS tout de suite.", now=minutes(3))
        services.event_note(acting_user=cls.rita, exercise=cls.exercise, kind="observation",
                            text="Le numéro de série est introuvable.", now=minutes(26))
        services.exercise_finish(
            acting_user=cls.alice, exercise=cls.exercise,
            debrief={"chiffrement": "Non, aucun portable n'est chiffré."},
            findings="Chiffrer les deux portables\nNoter les numéros de série à l'inventaire",
            revision=None, now=minutes(44))

    def setUp(self):
        self.client.force_login(self.alice)

    def url(self, name):
        return self.org_url(name, self.exercise.pk)

    EXPECTED = [
        "Opposition à la carte CPS tout de suite.",
        "Le numéro de série est introuvable.",
        "Non, aucun portable n",
        "Chiffrer les deux portables",
        "Noter les numéros de série à l",
        "Le prestataire informatique",  # a stimulus released
        "Alice, décide",
    ]

    def test_the_report_page_has_the_timeline_decisions_observations_debrief_findings(self):
        response = self.client.get(self.url("continuity_exercise_report"))
        for text in self.EXPECTED:
            self.assertShows(response, text)
        self.assertShows(response, "3 / 5")  # stimuli released of the scenario's
        self.assertShows(response, "44 minutes")
        self.assertContains(response, self.url("continuity_exercise_report_pdf"))
        self.assertContains(response, self.org_url("continuity_care"))

    def test_the_pdf_template_has_them_with_their_minute(self):
        request = RequestFactory().get("/")
        request.user, request.organisation = self.alice, self.org
        html = render_to_string("continuity/pdf/exercise_report.html",
                                _report_context(request, self.exercise), request=request)
        html = html.replace("&#x27;", "'").replace("\u00a0", " ").replace("\u202f", " ")
        for text in self.EXPECTED:
            self.assertIn(text, html)
        # The minute of each line of the timeline, from the start.
        self.assertIn("<td>14:16</td><td>16</td><td>Stimulus</td>", html)
        self.assertIn("<td>14:26</td><td>26</td><td>Observation</td>", html)
        self.assertIn("Rapport d'exercice de crise : Exercice du vol de portable", html)

    def test_the_pdf_is_a_pdf_of_the_organisation_and_its_download_is_audited(self):
        response = self.client.get(self.url("continuity_exercise_report_pdf"))
        assert_pdf(self, response, f"rapport-exercice-{self.exercise.pk}-")
        self.assertEqual(AuditEntry.objects.filter(action="continuity.report_downloaded",
                                                   object_id=str(self.exercise.pk)).count(), 1)

    @unittest.skipUnless(shutil.which("pdftotext"), "pdftotext (poppler-utils) is not installed")
    def test_the_pdf_text_has_the_events_and_findings(self):
        response = self.client.get(self.url("continuity_exercise_report_pdf"))
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content,
                              capture_output=True, check=True).stdout.decode()
        text = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
        for expected in self.EXPECTED:
            self.assertIn(expected, text)
        self.assertIn("Pharmacie Alpha", text)

    def test_every_member_may_read_it_outsiders_not(self):
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.url("continuity_exercise_report")).status_code,
                         200)
        self.assertTrue(self.client.get(self.url("continuity_exercise_report_pdf"))
                        .content.startswith(b"%PDF-"))
        self.client.force_login(self.oscar)
        for name in ("continuity_exercise_report", "continuity_exercise_report_pdf"):
            self.assertEqual(self.client.get(self.url(name)).status_code, 404)
        self.client.logout()
        response = self.client.get(self.url("continuity_exercise_report_pdf"))
        self.assertTrue(response["Location"].startswith("/comptes/login/"))

    def test_the_pdf_is_only_read(self):
        self.assertEqual(self.client.post(self.url("continuity_exercise_report_pdf"))
                         .status_code, 405)


class CarePageTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.colin)

    def test_what_to_watch_simple_steps_and_where_to_find_help(self):
        response = self.client.get(self.org_url("continuity_care"))
        for text in ("La fatigue.", "La culpabilité de la personne qui a cliqué.",
                     "Les tensions et les conflits.", "Parler.", "Partager la charge.",
                     "Remercier.", "La médecine du travail", "Un psychologue",
                     'href="tel:3114"', "prévention du suicide", 'href="tel:116006"',
                     "aide aux victimes", "https://www.cybermalveillance.gouv.fr/"):
            with self.subTest(text):
                self.assertShows(response, text)

    def test_it_is_linked_from_the_continuity_home(self):
        response = self.client.get(self.org_url("continuity_home"))
        self.assertContains(response, self.org_url("continuity_care"))

    def test_it_is_linked_from_a_closed_incident_only(self):
        incident = Incident.objects.create(organisation=self.org, number=1, kind="rancongiciel",
                                           description="Postes chiffrés.", noticed_at=T0,
                                           declared_by=self.colin)
        self.client.force_login(self.alice)
        url = self.org_url("incident_detail", incident.pk)
        self.assertNotContains(self.client.get(url), self.org_url("continuity_care"))
        incident.status = Incident.Status.CLOSED
        incident.save()
        self.assertContains(self.client.get(url), self.org_url("continuity_care"))

    def test_outsiders_and_anonymous_visitors(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("continuity_care")).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.org_url("continuity_care")).status_code, 302)
