"""Nothing sent to a signed-in user stays in the browser's cache: the back-office computer
of a pharmacy is shared."""

from django.core.files.base import ContentFile
from django.urls import reverse

from pharmagarde.actions.models import ActionEvidence
from tests.actions.base import PDF, PlanTestCase


class NoStoreTestCase(PlanTestCase):
    def assertNoStore(self, response):
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        self.assertLessEqual({"no-store", "private"}, directives, response.get("Cache-Control"))

    def test_it_keeps_pages_out_of_the_cache(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.org_url("dashboard"))
        self.assertEqual(response.status_code, 200)
        self.assertNoStore(response)

    def test_it_keeps_exports_out_of_the_cache(self):
        self.client.force_login(self.owner)
        for name in ["action_export_csv", "action_export_xlsx", "action_export_ics",
                     "audit_log_csv"]:
            with self.subTest(name=name):
                response = self.client.get(self.org_url(name))
                self.assertEqual(response.status_code, 200)
                self.assertNoStore(response)

    def test_it_keeps_evidence_files_out_of_the_cache(self):
        evidence = ActionEvidence.objects.create(
            organisation=self.org, action=self.action, file=ContentFile(PDF, name="x1.pdf"),
            original_name="Attestation.pdf", size=len(PDF), content_type="application/pdf")
        self.client.force_login(self.colin)
        response = self.client.get(self.org_url("actionevidence_download", evidence.id))
        self.assertEqual(response.status_code, 200)
        self.assertNoStore(response)

    def test_it_leaves_a_response_that_already_says_no_store_as_it_is(self):
        self.client.force_login(self.colin)
        # Signed in, the sign-in page redirects; allauth's never_cache header stays whole.
        response = self.client.get(reverse("account_login"))
        self.assertEqual(response["Cache-Control"],
                         "max-age=0, no-cache, no-store, must-revalidate, private")

    def test_the_sign_in_page_is_already_kept_out_of_the_cache(self):
        # Not our rule: allauth's views are never_cache.
        response = self.client.get(reverse("account_login"))
        self.assertNoStore(response)

    def test_it_lets_anonymous_pages_be_cached(self):
        # Static files do not even reach the rule: WhiteNoise answers them before sessions.
        self.assertNotIn("no-store", self.client.get(reverse("home")).get("Cache-Control", ""))
