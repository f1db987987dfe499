from django.core.files.base import ContentFile

from pharmagarde.actions.models import ActionEvidence
from pharmagarde.core.models import AuditEntry
from tests.actions.base import PDF, PlanTestCase


class ActionEvidenceDeleteTestCase(PlanTestCase):
    def setUp(self):
        self.evidence = ActionEvidence.objects.create(
            organisation=self.org, action=self.action, file=ContentFile(PDF, name="d.pdf"),
            original_name="Attestation.pdf", size=len(PDF), content_type="application/pdf")
        self.url = self.org_url("actionevidence_delete", self.evidence.id)

    def test_it_removes_the_row_and_the_file_and_audits(self):
        storage, name = self.evidence.file.storage, self.evidence.file.name
        self.client.force_login(self.colin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url)
        self.assertRedirects(response, self.org_url("action_edit", self.action.id))
        self.assertFalse(ActionEvidence.objects.filter(pk=self.evidence.pk).exists())
        self.assertFalse(storage.exists(name))
        self.assertTrue(AuditEntry.objects.filter(action="action.evidence_removed").exists())

    def test_it_refuses_get(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.assertTrue(ActionEvidence.objects.filter(pk=self.evidence.pk).exists())

    def test_it_hides_another_organisation_evidence(self):
        other = ActionEvidence.objects.create(
            organisation=self.other_org, action=self.other_action,
            file=ContentFile(PDF, name="b.pdf"), original_name="b.pdf", size=len(PDF),
            content_type="application/pdf")
        self.client.force_login(self.owner)
        url = self.org_url("actionevidence_delete", other.id)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(ActionEvidence.objects.filter(pk=other.pk).exists())

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.post(self.url).status_code, 302)
