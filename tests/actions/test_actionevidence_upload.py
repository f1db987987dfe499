import shutil
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from pharmagarde.actions.models import ActionEvidence
from pharmagarde.core.models import AuditEntry
from tests.actions.base import PlanTestCase
from tests.sample_files import EXECUTABLE_STUB, docx, real_pdf

PDF = real_pdf()


class ActionEvidenceUploadTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("actionevidence_upload", self.action.id)
        self.media = tempfile.mkdtemp(prefix="pharmagarde-evidence-")
        self.addCleanup(shutil.rmtree, self.media, ignore_errors=True)
        self.enterContext(override_settings(MEDIA_ROOT=self.media))

    def upload(self, name, content):
        return self.client.post(self.url, {"file": SimpleUploadedFile(name, content)})

    def stored_files(self):
        return [p for p in Path(self.media).rglob("*") if p.is_file()]

    def attach_files(self, count):
        for i in range(count):
            ActionEvidence.objects.create(organisation=self.org, action=self.action,
                                          file=f"actions/{i}.pdf", original_name=f"{i}.pdf",
                                          size=10, content_type="application/pdf")

    def test_it_accepts_a_real_pdf_under_a_random_name_and_audits(self):
        self.client.force_login(self.colin)
        response = self.upload("../../Attestation Wi-Fi.pdf", PDF)
        self.assertRedirects(response, self.org_url("action_edit", self.action.id))
        evidence = ActionEvidence.objects.get(action=self.action)
        self.assertEqual(evidence.organisation, self.org)
        self.assertEqual(evidence.original_name, "Attestation Wi-Fi.pdf")
        self.assertEqual(evidence.content_type, "application/pdf")
        self.assertEqual(evidence.size, len(PDF))
        self.assertEqual(evidence.uploaded_by, self.colin)
        self.assertNotIn("Attestation", evidence.file.name)
        self.assertTrue(evidence.file.name.endswith(".pdf"))
        self.assertTrue(AuditEntry.objects.filter(action="action.evidence_added").exists())
        page = self.client.get(self.org_url("action_edit", self.action.id))
        self.assertContains(page, "Attestation Wi-Fi.pdf")

    def test_it_refuses_a_renamed_executable_next_to_the_field(self):
        self.client.force_login(self.colin)
        response = self.upload("facture.pdf", b"MZ\x90\x00\x03\x00\x00\x00")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "ne correspond pas à un fichier PDF")
        self.assertContains(response, 'aria-invalid="true"')
        self.assertFalse(ActionEvidence.objects.exists())

    def test_it_refuses_an_executable_disguised_as_a_document(self):
        self.client.force_login(self.colin)
        response = self.upload("procedure.docx", EXECUTABLE_STUB + docx())
        self.assertContains(response, "Le fichier DOCX contient des données ajoutées autour du "
                                      "document, comme un programme déguisé en document.")
        self.assertContains(response, 'aria-invalid="true"')
        self.assertFalse(ActionEvidence.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_it_refuses_an_eleventh_file_next_to_the_field(self):
        self.attach_files(10)
        self.client.force_login(self.colin)
        response = self.upload("attestation.pdf", PDF)
        self.assertContains(response, "Il y a déjà 10 fichiers joints, le maximum. Retirez-en "
                                      "un avant d&#x27;en joindre un autre.")
        self.assertContains(response, 'aria-invalid="true"')
        self.assertEqual(ActionEvidence.objects.count(), 10)
        self.assertFalse(AuditEntry.objects.filter(action="action.evidence_added").exists())
        self.assertEqual(self.stored_files(), [])

    @override_settings(MAX_EVIDENCE_FILES=1)
    def test_it_follows_the_setting(self):
        self.attach_files(1)
        self.client.force_login(self.colin)
        response = self.upload("attestation.pdf", PDF)
        self.assertContains(response, "Il y a déjà 1 fichier joint, le maximum. Retirez-le")
        self.assertEqual(ActionEvidence.objects.count(), 1)

    def test_it_refuses_an_executable(self):
        self.client.force_login(self.colin)
        response = self.upload("outil.exe", b"MZ\x90\x00")
        self.assertContains(response, "Ce type de fichier n&#x27;est pas accepté")
        self.assertFalse(ActionEvidence.objects.exists())

    @override_settings(MAX_UPLOAD_BYTES=1024)
    def test_it_refuses_an_oversized_file(self):
        self.client.force_login(self.colin)
        response = self.upload("gros.pdf", PDF + b"0" * 4096)
        self.assertContains(response, "dépasse la taille maximale")
        self.assertFalse(ActionEvidence.objects.exists())

    def test_it_asks_for_a_file(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, {})
        self.assertContains(response, "Choisissez un fichier à joindre.")

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.upload("a.pdf", PDF).status_code, 403)
        self.assertFalse(ActionEvidence.objects.exists())

    def test_it_hides_another_organisation_action(self):
        self.client.force_login(self.owner)
        url = self.org_url("actionevidence_upload", self.other_action.id)
        response = self.client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(ActionEvidence.objects.exists())

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.upload("a.pdf", PDF).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.upload("a.pdf", PDF).status_code, 302)
