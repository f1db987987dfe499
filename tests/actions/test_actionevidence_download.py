from django.core.files.base import ContentFile

from pharmagarde.actions.models import ActionEvidence
from tests.actions.base import PDF, PlanTestCase


class ActionEvidenceDownloadTestCase(PlanTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.evidence = ActionEvidence.objects.create(
            organisation=cls.org, action=cls.action, file=ContentFile(PDF, name="x1.pdf"),
            original_name="Attestation.pdf", size=len(PDF), content_type="application/pdf")
        cls.other_evidence = ActionEvidence.objects.create(
            organisation=cls.other_org, action=cls.other_action,
            file=ContentFile(PDF, name="x2.pdf"), original_name="bravo.pdf", size=len(PDF),
            content_type="application/pdf")

    def setUp(self):
        self.url = self.org_url("actionevidence_download", self.evidence.id)

    def test_it_sends_the_file_as_an_attachment(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn('attachment; filename="Attestation.pdf"',
                      response["Content-Disposition"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")

    def test_the_read_only_role_may_download(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_answers_404_when_the_file_is_gone(self):
        gone = ActionEvidence.objects.create(
            organisation=self.org, action=self.action, file=ContentFile(PDF, name="g.pdf"),
            original_name="g.pdf", size=len(PDF), content_type="application/pdf")
        gone.file.storage.delete(gone.file.name)
        self.client.force_login(self.colin)
        url = self.org_url("actionevidence_download", gone.id)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_hides_another_organisation_evidence(self):
        self.client.force_login(self.owner)
        url = self.org_url("actionevidence_download", self.other_evidence.id)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
