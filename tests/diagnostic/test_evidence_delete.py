import shutil
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.test import override_settings

from pharmagarde.core.models import AuditEntry
from pharmagarde.diagnostic.models import Answer, Assessment, Evidence
from tests.base import BaseTestCase
from tests.diagnostic.test_assessment_referential import AnsweringMixin


class EvidenceDeleteTestCase(AnsweringMixin, BaseTestCase):
    def setUp(self):
        media = tempfile.mkdtemp(prefix="pharmagarde-evidence-")
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        self.enterContext(override_settings(MEDIA_ROOT=media))
        self.assessment = self.make_assessment(mdp=["oui"])
        self.evidence = self.make_evidence(self.assessment)
        self.url = self.org_url("evidence_delete", self.evidence.pk)
        self.client.force_login(self.colin)

    def make_evidence(self, assessment):
        answer = Answer.objects.get(assessment=assessment, question_id="mdp")
        return Evidence.objects.create(
            organisation=assessment.organisation, answer=answer,
            file=ContentFile(b"%PDF-1.4 preuve", name="f.pdf"), original_name="charte.pdf",
            size=15, content_type="application/pdf")

    def test_it_removes_the_evidence_and_its_file(self):
        path = Path(self.evidence.file.path)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url)
        self.assertRedirects(response, self.theme_url(self.assessment, "acces") + "#q-mdp",
                             fetch_redirect_response=False)
        self.assertFalse(Evidence.objects.exists())
        self.assertFalse(path.exists())
        self.assertTrue(AuditEntry.objects.filter(action="assessment.evidence_removed")
                        .exists())
        self.assertContains(self.client.get(response["Location"]),
                            "« charte.pdf » est retirée de la réponse.")

    def test_it_answers_htmx_with_the_evidence_block_only(self):
        response = self.client.post(self.url, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("<html", response.content.decode())
        self.assertContains(response, "Aucun fichier joint.")

    def test_it_refuses_a_completed_assessment(self):
        self.assessment.status = Assessment.Status.COMPLETED
        self.assessment.save()
        response = self.client.post(self.url, headers={"HX-Request": "true"})
        self.assertContains(response, "Ce diagnostic est terminé", status_code=422)
        self.assertTrue(Evidence.objects.exists())

    def test_it_refuses_get(self):
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.post(self.url).status_code, 403)
        self.assertTrue(Evidence.objects.exists())

    def test_it_hides_another_organisation_evidence(self):
        theirs = self.make_evidence(self.make_assessment(org=self.other_org, user=self.oscar,
                                                         mdp=["oui"]))
        response = self.client.post(self.org_url("evidence_delete", theirs.pk))
        self.assertEqual(response.status_code, 404)
        self.assertTrue(Evidence.objects.filter(pk=theirs.pk).exists())

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.client.logout()
        self.assertEqual(self.client.post(self.url).status_code, 302)
        self.assertTrue(Evidence.objects.exists())
