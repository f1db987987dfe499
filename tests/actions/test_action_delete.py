from django.core.files.base import ContentFile

from pharmagarde.actions.models import Action, ActionEvidence
from pharmagarde.core.models import AuditEntry
from tests.actions.base import PDF, PlanTestCase


class ActionDeleteTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("action_delete", self.action.id)

    def test_it_deletes_with_its_evidence_files_and_audits(self):
        evidence = ActionEvidence.objects.create(
            organisation=self.org, action=self.action, file=ContentFile(PDF, name="p.pdf"),
            original_name="p.pdf", size=len(PDF), content_type="application/pdf")
        storage, name = evidence.file.storage, evidence.file.name
        self.client.force_login(self.colin)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url)
        self.assertRedirects(response, self.org_url("action_list"))
        self.assertFalse(Action.objects.filter(pk=self.action.pk).exists())
        self.assertFalse(storage.exists(name))
        self.assertTrue(AuditEntry.objects.filter(action="action.deleted",
                                                  object_id=str(self.action.pk)).exists())

    def test_it_refuses_get(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.url).status_code, 405)
        self.assertTrue(Action.objects.filter(pk=self.action.pk).exists())

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.assertTrue(Action.objects.filter(pk=self.action.pk).exists())

    def test_it_hides_another_organisation_action(self):
        self.client.force_login(self.owner)
        url = self.org_url("action_delete", self.other_action.id)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(Action.objects.filter(pk=self.other_action.pk).exists())

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.post(self.url).status_code, 302)
