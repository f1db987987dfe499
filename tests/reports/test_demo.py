"""The reports demo: the officine's plan approved once and one « état de la sécurité »
pack built, with its three files; a second run adds nothing."""

from django.test import TestCase

from pharmagarde.core.models import Organisation
from pharmagarde.reports.models import Pack, SignOff
from tests.core.test_demo import OFFICINE, run_demo


class ReportsDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.officine = Organisation.objects.get(name=OFFICINE)

    def test_the_plan_is_approved_and_a_pack_is_ready(self):
        signoff = SignOff.objects.get(organisation=self.officine)
        self.assertTrue(signoff.plan_summary["total"] > 0)
        pack = Pack.objects.get(organisation=self.officine)
        self.assertEqual(pack.status, Pack.Status.DONE, pack.error)
        self.assertTrue(pack.pdf and pack.docx and pack.xlsx)
        self.assertGreater(pack.pages, 5)

    def test_a_second_run_adds_nothing(self):
        run_demo()
        self.assertEqual(SignOff.objects.filter(organisation=self.officine).count(), 1)
        self.assertEqual(Pack.objects.filter(organisation=self.officine).count(), 1)
