"""The awareness of the demo officine: two finished campaigns whose results show (groups of
fewer than five hidden), a draft waiting for its tested profile, training with some done,
some due and some late, made once."""

from django.test import TestCase
from django.urls import reverse

from pharmagarde.awareness import results
from pharmagarde.awareness.models import Assignment, Campaign, Event, Recipient, StaffGroup
from pharmagarde.core.models import Membership, Organisation, Role
from tests.core.test_demo import OFFICINE, run_demo

MODELS = (Campaign, Recipient, Event, Assignment, StaffGroup)


class AwarenessDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.officine = Organisation.objects.get(name=OFFICINE)

    def test_two_finished_campaigns_and_a_draft(self):
        campaigns = Campaign.objects.filter(organisation=self.officine).order_by("number")
        self.assertEqual([c.status for c in campaigns], ["terminee", "terminee", "brouillon"])
        first, second = (results.campaign_results(c) for c in campaigns[:2])
        self.assertEqual((first.funnel.people, first.funnel.clicked), (8, 3))
        self.assertGreater(second.funnel.reported, first.funnel.reported)
        self.assertEqual(first.funnel.clicked_with_scanners, first.funnel.clicked + 1)

    def test_training_has_some_done_and_some_late(self):
        assignments = Assignment.objects.filter(organisation=self.officine)
        self.assertEqual(assignments.exclude(completed_at=None).count(), 3)
        self.assertTrue(assignments.filter(source="campagne").exists())

    def test_a_second_run_adds_nothing(self):
        before = [model.objects.count() for model in MODELS]
        run_demo()
        self.assertEqual([model.objects.count() for model in MODELS], before)

    def test_the_pages_of_the_demo_answer(self):
        user = Membership.objects.filter(organisation=self.officine,
                                         role=Role.RESPONSABLE).first().user
        self.client.force_login(user)
        slug = self.officine.slug
        campaign = Campaign.objects.get(organisation=self.officine, number=1)
        for name, args in [("awareness_home", ()), ("awareness_campaigns", ()),
                           ("awareness_campaign", (campaign.pk,)),
                           ("awareness_results", (campaign.pk,)),
                           ("awareness_results_overview", ()), ("awareness_training", ()),
                           ("awareness_templates", ()), ("awareness_groups", ())]:
            response = self.client.get(reverse(name, args=[slug, *args]))
            self.assertEqual(response.status_code, 200, name)
