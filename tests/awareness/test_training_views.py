"""The training pages: the dashboard and its export, assigning, « Mes formations », a
module page (lesson, quiz, result, retry) and the certificate, for every role."""

import datetime
import io
import shutil
import subprocess
import unittest

from django.utils import timezone
from django.utils.html import escape

from pharmagarde.awareness import modules
from pharmagarde.awareness.models import Assignment, StaffGroup
from pharmagarde.core.models import AuditEntry, Person
from tests.awareness.base import make_people
from tests.awareness.test_training_services import answers
from tests.base import BaseTestCase


def quiz_post(module, *, right=True):
    return {key: sorted(value) for key, value in answers(module, right=right).items()}


def pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content,
                          capture_output=True, check=True).stdout.decode()


class DashboardTests(BaseTestCase):
    def test_it_shows_due_late_done_and_hours(self):
        today = timezone.localdate()
        Assignment.objects.create(organisation=self.org, person=self.person, module="cps",
                                  due_on=today - datetime.timedelta(days=1))
        Assignment.objects.create(organisation=self.org, person=self.person,
                                  module="hameconnage", completed_at=timezone.now(),
                                  score=90)
        self.client.force_login(self.dora)
        response = self.client.get(self.org_url("awareness_training"))
        self.assertShows(response, "Paul Préparateur")
        self.assertShows(response, "90 %")
        hours = modules.module("hameconnage").hours
        self.assertShows(response, f"{hours:.2f}".replace(".", ","))
        self.assertShows(response, "1 / 1")
        self.assertNotContains(response, "Basile")  # another organisation's staff
        late = self.client.get(self.org_url("awareness_training") + "?etat=a-jour")
        self.assertNotContains(late, "Paul Préparateur")

    def test_the_number_of_queries_does_not_grow(self):
        self.client.force_login(self.alice)

        def make_row(i):
            [person] = make_people(self.org, 1, start=i)
            Assignment.objects.create(organisation=self.org, person=person, module="cps",
                                      due_on=timezone.localdate())
            Assignment.objects.create(organisation=self.org, person=person, module="wifi-mobiles",
                                      completed_at=timezone.now(), score=80)

        self.assertQueriesConstant(self.org_url("awareness_training"), make_row)

    def test_personal_links_are_shown_to_managers_only(self):
        assignment = Assignment.objects.create(organisation=self.org, person=self.person,
                                               module="cps")
        self.client.force_login(self.rita)
        self.assertContains(self.client.get(self.org_url("awareness_training")),
                            assignment.token)
        self.client.force_login(self.aude)
        self.assertNotContains(self.client.get(self.org_url("awareness_training")),
                               assignment.token)

    def test_the_excel_export(self):
        from openpyxl import load_workbook

        Assignment.objects.create(organisation=self.org, person=self.person, module="cps",
                                  completed_at=timezone.now(), score=100)
        self.client.force_login(self.aude)
        response = self.client.get(self.org_url("awareness_training_xlsx"))
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.values)
        self.assertEqual(rows[1][:6], ("Préparateur", "Paul", None, 0, 0, 1))
        self.assertTrue(AuditEntry.objects.filter(action="awareness.training_exported"))

    def test_access(self):
        url = self.org_url("awareness_training")
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.get(self.org_url("awareness_training_xlsx")).status_code,
                         403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        self.assertRedirects(self.client.get(url), f"/comptes/login/?next={url}",
                             fetch_redirect_response=False)


class AssignViewTests(BaseTestCase):
    def url(self):
        return self.org_url("awareness_training_assign")

    def test_modules_times_people_groups_and_jobs(self):
        people = make_people(self.org, 4, job="Pharmacien adjoint")
        group = StaffGroup.objects.create(organisation=self.org, name="Comptoir")
        group.members.add(self.person)
        self.client.force_login(self.rita)
        due_on = timezone.localdate() + datetime.timedelta(days=10)
        response = self.client.post(self.url(), {
            "modules": ["cps", "hameconnage"], "people": [people[0].pk],
            "groups": [group.pk], "jobs": ["Pharmacien adjoint"],
            "due_on": due_on.isoformat()})
        self.assertRedirects(response, self.org_url("awareness_training"))
        self.assertEqual(Assignment.objects.filter(module="cps").count(), 5)
        self.assertEqual(Assignment.objects.filter(module="hameconnage", due_on=due_on)
                         .count(), 5)
        self.assertEqual(AuditEntry.objects.filter(action="awareness.module_assigned")
                         .count(), 2)

    def test_bad_input_is_explained_and_nothing_is_saved(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), {
            "modules": ["inconnu"], "people": [self.other_person.pk],
            "due_on": "2001-01-01"})
        self.assertShows(response, "Choisissez des modules de la liste.")
        self.assertShows(response, "Choisissez des personnes de la liste.")
        self.assertShows(response, "Cette date est passée")
        response = self.client.post(self.url(), {"modules": ["cps"], "due_on": "demain"})
        self.assertShows(response, "Choisissez au moins une personne, un groupe ou une "
                                   "fonction.")
        self.assertShows(response, "Indiquez une date, par exemple")
        self.assertFalse(Assignment.objects.exists())

    def test_access(self):
        self.client.force_login(self.alice)
        self.assertShows(self.client.get(self.url()), "Hameçonnage et faux appels")
        for user, status in ((self.colin, 403), (self.dora, 403), (self.aude, 403),
                             (self.oscar, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url()).status_code, status, user)
            self.assertEqual(self.client.post(self.url(), {}).status_code, status, user)


class MyTrainingTests(BaseTestCase):
    def setUp(self):
        self.me = Person.objects.create(organisation=self.org, first_name="Colin",
                                        last_name="Collab", user=self.colin)
        self.client.force_login(self.colin)

    def test_open_done_and_catalogue(self):
        Assignment.objects.create(organisation=self.org, person=self.me, module="cps",
                                  due_on=timezone.localdate() - datetime.timedelta(days=1))
        done = Assignment.objects.create(organisation=self.org, person=self.me,
                                         module="wifi-mobiles", completed_at=timezone.now(),
                                         score=100)
        Assignment.objects.create(organisation=self.org, person=self.person,
                                  module="rgpd-sante")  # someone else's
        response = self.client.get(self.org_url("awareness_my_training"))
        self.assertContains(response, escape(modules.module("cps").title))
        self.assertShows(response, "en retard")
        self.assertContains(response, self.org_url("awareness_certificate", done.pk))
        self.assertContains(response, escape(modules.module("rgpd-sante").title))
        self.assertContains(response, self.org_url("awareness_module_start", "rgpd-sante"))

    def test_starting_a_module_from_the_catalogue(self):
        response = self.client.post(self.org_url("awareness_module_start", "cps"))
        self.assertRedirects(response, self.org_url("awareness_module", "cps"))
        assignment = Assignment.objects.get(person=self.me)
        self.assertEqual(assignment.source, Assignment.Source.SELF)

    def test_the_auditor_reads_but_cannot_start(self):
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.org_url("awareness_my_training")).status_code,
                         200)
        self.assertEqual(self.client.post(self.org_url("awareness_module_start", "cps"))
                         .status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("awareness_my_training")).status_code,
                         404)


class ModulePageTests(BaseTestCase):
    def setUp(self):
        self.me = Person.objects.create(organisation=self.org, first_name="Colin",
                                        last_name="Collab", user=self.colin)
        self.module = modules.module("hameconnage")
        self.url = self.org_url("awareness_module", "hameconnage")
        self.client.force_login(self.colin)

    def test_lesson_quiz_fail_retry_pass(self):
        response = self.client.get(self.url)
        self.assertContains(response, escape(self.module.questions[0].text))
        self.assertContains(response, escape(self.module.objectives[0]))

        response = self.client.post(self.url, quiz_post(self.module, right=False))
        self.assertShows(response, "Pas encore réussi")
        self.assertShows(response, "Recommencer le quiz")
        for question in self.module.questions:
            self.assertContains(response, escape(question.explanation))
            for choice in question.choices:
                if choice.correct:
                    self.assertContains(response, escape(choice.explanation))
        assignment = Assignment.objects.get(person=self.me)
        self.assertEqual((assignment.attempts, assignment.source),
                         (1, Assignment.Source.SELF))

        response = self.client.post(self.url, quiz_post(self.module))
        self.assertShows(response, "Module réussi")
        self.assertContains(response, self.org_url("awareness_certificate", assignment.pk))
        assignment.refresh_from_db()
        self.assertEqual((assignment.attempts, assignment.score), (2, 100))
        self.assertIsNotNone(assignment.completed_at)

    def test_an_unanswered_question_is_explained_and_nothing_is_recorded(self):
        data = quiz_post(self.module)
        data.pop(self.module.questions[0].id)
        response = self.client.post(self.url, data)
        self.assertShows(response, "Répondez à cette question.")
        self.assertFalse(Assignment.objects.filter(attempts__gt=0).exists())

    def test_an_unknown_module_is_404(self):
        self.assertEqual(self.client.get(self.org_url("awareness_module", "inconnu"))
                         .status_code, 404)

    def test_a_member_without_a_record_is_graded_but_not_recorded(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url, quiz_post(self.module))
        self.assertShows(response, "votre résultat ne sera pas enregistré")
        self.assertShows(response, "Module réussi")
        self.assertFalse(Assignment.objects.exists())

    def test_access(self):
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.post(self.url, quiz_post(self.module)).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)


@unittest.skipUnless(shutil.which("pdftotext"), "pdftotext (poppler-utils) is not installed")
class CertificateTests(BaseTestCase):
    def setUp(self):
        self.me = Person.objects.create(organisation=self.org, first_name="Colin",
                                        last_name="Collab", user=self.colin,
                                        job="Préparateur")
        self.passed = Assignment.objects.create(
            organisation=self.org, person=self.me, module="hameconnage", score=88,
            attempts=1, completed_at=timezone.make_aware(datetime.datetime(2026, 2, 3, 10)))

    def test_the_certificate_says_who_what_when_score_hours_where(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.org_url("awareness_certificate", self.passed.pk))
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = " ".join(pdf_text(response.content).split())
        module = modules.module("hameconnage")
        for expected in ("Attestation de formation", "Colin Collab", module.title[:30],
                         "03/02/2026", "88 %", f"{module.hours:.2f}".replace(".", ","),
                         "Pharmacie Alpha"):
            self.assertIn(expected, text)
        entry = AuditEntry.objects.get(action="awareness.certificate_downloaded")
        self.assertEqual(entry.details, {"module": "hameconnage"})

    def test_who_may_download_it(self):
        url = self.org_url("awareness_certificate", self.passed.pk)
        for user, status in ((self.dora, 200), (self.aude, 200), (self.alice, 200),
                             (self.oscar, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, status, user)
        other = Person.objects.create(organisation=self.org, first_name="A", last_name="B")
        someone_else = Assignment.objects.create(organisation=self.org, person=other,
                                                 module="cps", completed_at=timezone.now(),
                                                 score=100)
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.org_url("awareness_certificate",
                                                      someone_else.pk)).status_code, 403)

    def test_not_passed_is_404(self):
        open_one = Assignment.objects.create(organisation=self.org, person=self.me,
                                             module="cps")
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.org_url("awareness_certificate", open_one.pk))
                         .status_code, 404)
        self.assertFalse(AuditEntry.objects.filter(action="awareness.certificate_downloaded"))


class ModulePageAfterPassTests(BaseTestCase):
    def test_a_passed_module_shows_its_result_and_certificate(self):
        me = Person.objects.create(organisation=self.org, first_name="Colin",
                                   last_name="Collab", user=self.colin)
        passed = Assignment.objects.create(organisation=self.org, person=me, module="cps",
                                           completed_at=timezone.now(), score=90, attempts=1)
        self.client.force_login(self.colin)
        response = self.client.get(self.org_url("awareness_module", "cps"))
        self.assertShows(response, "avec 90 %")
        self.assertContains(response, self.org_url("awareness_certificate", passed.pk))
        # Taking it again opens a new, free one; the passed one stays as it was.
        self.client.post(self.org_url("awareness_module", "cps"),
                         quiz_post(modules.module("cps"), right=False))
        passed.refresh_from_db()
        self.assertEqual((passed.score, passed.attempts), (90, 1))
        self.assertEqual(Assignment.objects.filter(person=me, completed_at=None).count(), 1)
