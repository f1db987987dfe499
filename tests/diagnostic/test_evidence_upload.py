import shutil
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from pharmagarde.core.models import AuditEntry
from pharmagarde.diagnostic.models import Answer, Assessment, Evidence
from tests.base import BaseTestCase
from tests.diagnostic.test_assessment_referential import AnsweringMixin
from tests.sample_files import EXECUTABLE_STUB, docx, real_pdf


class EvidenceUploadTestCase(AnsweringMixin, BaseTestCase):
    def setUp(self):
        self.media = tempfile.mkdtemp(prefix="pharmagarde-evidence-")
        self.addCleanup(shutil.rmtree, self.media, ignore_errors=True)
        self.enterContext(override_settings(MEDIA_ROOT=self.media))
        self.assessment = self.make_assessment(mdp=["oui"])
        self.answer_row = Answer.objects.get(question_id="mdp")
        self.url = self.org_url("evidence_upload", self.assessment.pk, "mdp")
        self.client.force_login(self.colin)

    def upload(self, name="charte.pdf", content=None, htmx=False, **extra):
        data = {"file": SimpleUploadedFile(name, real_pdf() if content is None else content)}
        headers = {"HX-Request": "true"} if htmx else {}
        return self.client.post(self.url, data, headers=headers, **extra)

    def stored_files(self):
        return [p for p in Path(self.media).rglob("*") if p.is_file()]

    def assertRefused(self, response, message):
        self.assertContains(response, message, status_code=422)
        self.assertNotIn("<html", response.content.decode())
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_it_attaches_a_real_pdf_under_a_random_name(self):
        response = self.upload("Charte informatique 2026.pdf")
        self.assertRedirects(response, self.theme_url(self.assessment, "acces") + "#q-mdp",
                             fetch_redirect_response=False)
        evidence = Evidence.objects.get()
        self.assertEqual((evidence.answer, evidence.original_name, evidence.content_type,
                          evidence.uploaded_by),
                         (self.answer_row, "Charte informatique 2026.pdf", "application/pdf",
                          self.colin))
        self.assertEqual(evidence.size, len(real_pdf()))
        self.assertNotIn("Charte", evidence.file.name)
        self.assertRegex(evidence.file.name, r"^evidence/\d+/\d+/[0-9a-f]{32}\.pdf$")
        self.assertEqual(Path(evidence.file.path).read_bytes(), real_pdf())
        self.assertTrue(AuditEntry.objects.filter(action="assessment.evidence_added").exists())
        page = self.client.get(response["Location"])
        self.assertShows(page, "« Charte informatique 2026.pdf » est jointe à la réponse.")

    def test_it_answers_htmx_with_the_evidence_block_only(self):
        response = self.upload(htmx=True)
        self.assertEqual(response.status_code, 200)
        body = response.content.decode()
        self.assertNotIn("<html", body)
        self.assertTrue(body.strip().startswith('<div class="evidence" id="preuves-mdp"'))
        self.assertIn("charte.pdf", body)
        self.assertIn("est jointe à la réponse", body)

    def test_it_refuses_a_renamed_executable(self):
        response = self.upload("facture.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64,
                               htmx=True)
        self.assertRefused(response, "ne correspond pas à un fichier PDF valide")

    def test_it_refuses_an_executable_disguised_as_a_document(self):
        response = self.upload("procedure.docx", EXECUTABLE_STUB + docx(), htmx=True)
        self.assertRefused(response, "Le fichier DOCX contient des données ajoutées autour "
                                     "du document, comme un programme déguisé en document.")

    def test_it_refuses_an_executable(self):
        self.assertRefused(self.upload("outil.exe", b"MZ\x90\x00", htmx=True),
                           "Ce type de fichier n&#x27;est pas accepté")

    @override_settings(MAX_UPLOAD_BYTES=1024)
    def test_it_refuses_an_oversized_file_while_it_streams_in(self):
        response = self.upload("scan.pdf", b"%PDF-1.4\n" + b"0" * 200_000, htmx=True)
        self.assertRefused(response, "Le fichier dépasse la taille maximale de 1 Ko")

    def test_it_shows_the_error_next_to_the_field_without_javascript(self):
        response = self.upload("facture.pdf", b"MZ\x90\x00")
        self.assertContains(response, "<html")
        self.assertContains(response, 'id="fichier-erreur-mdp" role="alert"')
        self.assertContains(response, 'aria-invalid="true"')
        self.assertFalse(Evidence.objects.exists())

    def test_it_asks_for_a_file_when_there_is_none(self):
        response = self.client.post(self.url, {}, headers={"HX-Request": "true"})
        self.assertRefused(response, "Choisissez un fichier à joindre.")

    def test_it_refuses_a_tampered_multipart_body_without_a_500(self):
        for content_type, body in [
            ("multipart/form-data", b"--x\r\nnot really\r\n"),  # no boundary
            ("multipart/form-data; boundary=zzz", b"\x00\xff garbage without any part"),
            ("multipart/form-data; boundary=zzz",
             b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
             b"Content-Type: application/pdf\r\n\r\n%PDF-1.4 cut short"),
        ]:
            response = self.client.generic("POST", self.url, body, content_type=content_type,
                                           headers={"HX-Request": "true"})
            self.assertEqual(response.status_code, 422, body)
            self.assertIn("fichier", response.content.decode())
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_it_refuses_an_eleventh_file(self):
        for i in range(10):
            Evidence.objects.create(organisation=self.org, answer=self.answer_row,
                                    file=f"evidence/{i}.pdf", original_name=f"{i}.pdf",
                                    size=10, content_type="application/pdf")
        response = self.upload(htmx=True)
        self.assertContains(response, "Il y a déjà 10 fichiers joints, le maximum. Retirez-en "
                                      "un avant d&#x27;en joindre un autre.", status_code=422)
        self.assertEqual(Evidence.objects.count(), 10)
        self.assertEqual(self.stored_files(), [])

    @override_settings(MAX_EVIDENCE_FILES=1)
    def test_it_follows_the_setting_shared_with_actions(self):
        self.assertEqual(self.upload(htmx=True).status_code, 200)
        response = self.upload("autre.pdf", htmx=True)
        self.assertContains(response, "Il y a déjà 1 fichier joint, le maximum. Retirez-le",
                            status_code=422)
        self.assertEqual(Evidence.objects.count(), 1)
        self.assertEqual(len(self.stored_files()), 1)

    def test_it_asks_for_an_answer_first(self):
        url = self.org_url("evidence_upload", self.assessment.pk, "wifi")
        response = self.client.post(url, {"file": SimpleUploadedFile("a.pdf", real_pdf())},
                                    headers={"HX-Request": "true"})
        self.assertContains(response, "Répondez d&#x27;abord à la question", status_code=422)

    def test_it_refuses_a_completed_assessment(self):
        self.assessment.status = Assessment.Status.COMPLETED
        self.assessment.save()
        self.assertRefused(self.upload(htmx=True), "Ce diagnostic est terminé")

    def test_it_answers_404_for_an_unknown_question(self):
        url = self.org_url("evidence_upload", self.assessment.pk, "inconnue")
        response = self.client.post(url, {"file": SimpleUploadedFile("a.pdf", real_pdf())})
        self.assertEqual(response.status_code, 404)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.upload().status_code, 403)
        self.assertFalse(Evidence.objects.exists())

    def test_it_hides_another_organisation_assessment(self):
        theirs = self.make_assessment(org=self.other_org, user=self.oscar, mdp=["oui"])
        url = self.org_url("evidence_upload", theirs.pk, "mdp")
        response = self.client.post(url, {"file": SimpleUploadedFile("a.pdf", real_pdf())})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Evidence.objects.exists())

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.upload().status_code, 404)

    def test_it_redirects_anonymous(self):
        self.client.logout()
        self.assertEqual(self.upload().status_code, 302)
        self.assertEqual(self.stored_files(), [])
