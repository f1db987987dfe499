import shutil
import tempfile

from django.core.files.base import ContentFile
from django.test import override_settings

from pharmagarde.diagnostic.models import Answer, Evidence
from tests.base import BaseTestCase
from tests.diagnostic.test_assessment_referential import AnsweringMixin
from tests.sample_files import real_pdf


class EvidenceDownloadTestCase(AnsweringMixin, BaseTestCase):
    def setUp(self):
        media = tempfile.mkdtemp(prefix="pharmagarde-evidence-")
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        self.evidence = self.make_evidence(self.make_assessment(mdp=["oui"]))
        self.url = self.org_url("evidence_download", self.evidence.pk)
        self.client.force_login(self.colin)

    def make_evidence(self, assessment, name="Charte signée (v2).pdf"):
        answer = Answer.objects.get(assessment=assessment, question_id="mdp")
        return Evidence.objects.create(
            organisation=assessment.organisation, answer=answer,
            file=ContentFile(real_pdf(), name="0123456789abcdef0123456789abcdef.pdf"),
            original_name=name, size=len(real_pdf()), content_type="application/pdf")

    def test_it_sends_the_file_as_an_attachment_with_its_original_name(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), real_pdf())
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        disposition = response["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment;"), disposition)
        self.assertIn("filename*=utf-8''Charte%20sign%C3%A9e%20%28v2%29.pdf", disposition)

    def test_it_lets_the_read_only_role_download(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_answers_404_when_the_file_is_gone(self):
        self.evidence.file.delete(save=False)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_refuses_post(self):
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_it_hides_another_organisation_evidence(self):
        theirs = self.make_evidence(self.make_assessment(org=self.other_org, user=self.oscar,
                                                         mdp=["oui"]))
        response = self.client.get(self.org_url("evidence_download", theirs.pk))
        self.assertEqual(response.status_code, 404)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)
