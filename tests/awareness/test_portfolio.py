"""Awareness' facts across one's organisations: late training modules and the last
campaign launched, for the roles that read them only."""

import datetime

from django.utils import timezone

from pharmagarde.awareness.models import Assignment, Campaign
from pharmagarde.awareness.portfolio import summaries
from pharmagarde.core import portfolio
from pharmagarde.core.models import Person, Role
from tests.base import BaseTestCase
from tests.core.test_portfolio import SummariesTestMixin


class AwarenessPortfolioTestCase(SummariesTestMixin, BaseTestCase):
    def test_it_counts_the_late_modules_of_the_staff_still_there(self):
        today = timezone.localdate()
        gone = Person.objects.create(organisation=self.org, first_name="Ancien",
                                     last_name="Départ",
                                     departure_date=today - datetime.timedelta(days=3))
        for person, module, due, completed in [
                (self.person, "hameconnage", today - datetime.timedelta(days=1), None),
                (self.person, "cps", today - datetime.timedelta(days=1), timezone.now()),
                (self.person, "wifi-mobiles", today + datetime.timedelta(days=5), None),
                (gone, "hameconnage", today - datetime.timedelta(days=9), None)]:
            Assignment.objects.create(organisation=self.org, person=person, module=module,
                                      due_on=due, completed_at=completed)
        training, _campaign = summaries(self.memberships(self.rita))[self.org.pk]
        self.assertEqual((training.text, training.level, training.value),
                         ("1 module en retard", portfolio.WARNING, 1))
        self.assertEqual(training.url, self.org_url("awareness_training") + "?etat=en-retard")

    def test_it_gives_the_last_campaign_launched(self):
        now = timezone.now()
        Campaign.objects.create(organisation=self.org, number=1, name="Ancienne",
                                launched_at=now - datetime.timedelta(days=400))
        Campaign.objects.create(organisation=self.org, number=2, name="Récente",
                                launched_at=now - datetime.timedelta(days=10))
        Campaign.objects.create(organisation=self.org, number=3, name="Brouillon")
        _training, campaign = summaries(self.memberships(self.aude))[self.org.pk]
        day = timezone.localtime(now - datetime.timedelta(days=10)).strftime("%d/%m/%Y")
        self.assertEqual((campaign.text, campaign.level), (f"Le {day}", portfolio.OK))
        self.assertEqual(campaign.url, self.org_url("awareness_campaigns"))

    def test_it_warns_without_a_campaign(self):
        training, campaign = summaries(self.memberships(self.alice))[self.org.pk]
        self.assertEqual((training.text, training.level), ("Aucun module en retard",
                                                           portfolio.OK))
        self.assertEqual((campaign.text, campaign.level), ("Aucune campagne lancée",
                                                           portfolio.WARNING))

    def test_it_says_nothing_to_a_collaborateur(self):
        self.assertEqual(summaries(self.memberships(self.colin)), {})

    def test_it_reads_two_queries_for_any_number_of_organisations(self):
        self.assertSummariesCost(summaries, 2, role=Role.DPO)
