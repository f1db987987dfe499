"""Data protection's facts across one's organisations: late people's requests and
overdue processor reviews, for the roles that read them only."""

import datetime

from django.utils import timezone

from pharmagarde.core import portfolio
from pharmagarde.core.models import Role
from pharmagarde.privacy.models import PersonRequest, Processor
from pharmagarde.privacy.portfolio import summaries
from tests.base import BaseTestCase
from tests.core.test_portfolio import SummariesTestMixin


class PrivacyPortfolioTestCase(SummariesTestMixin, BaseTestCase):
    def request(self, number, *, days_ago, **fields):
        return PersonRequest.objects.create(
            organisation=self.org, number=number, requester_name="M. Durand", right="acces",
            received_on=timezone.localdate() - datetime.timedelta(days=days_ago), **fields)

    def test_it_counts_the_late_requests(self):
        today = timezone.localdate()
        self.request(1, days_ago=45)
        self.request(2, days_ago=45, answered_on=today)
        self.request(3, days_ago=45, extended=True)
        self.request(4, days_ago=5)
        self.request(5, days_ago=45, identity=PersonRequest.Identity.REQUESTED)
        requests, _processors = summaries(self.memberships(self.dora))[self.org.pk]
        self.assertEqual((requests.text, requests.level, requests.value),
                         ("1 demande en retard", portfolio.ALERT, 1))
        self.assertEqual(requests.url, self.org_url("privacy_requests") + "?etat=en-retard")

    def test_it_counts_the_overdue_reviews(self):
        today = timezone.localdate()
        Processor.objects.create(organisation=self.org, name="Éditeur",
                                 contract_signed_on=today - datetime.timedelta(days=400))
        Processor.objects.create(organisation=self.org, name="Hébergeur",
                                 contract_signed_on=today - datetime.timedelta(days=400),
                                 reviewed_on=today)
        Processor.objects.create(organisation=self.org, name="Sans contrat")
        _requests, processors = summaries(self.memberships(self.aude))[self.org.pk]
        self.assertEqual((processors.text, processors.level),
                         ("1 revue en retard", portfolio.WARNING))
        self.assertEqual(processors.url, self.org_url("privacy_processors"))

    def test_it_says_nothing_to_a_collaborateur(self):
        self.request(1, days_ago=45)
        self.assertEqual(summaries(self.memberships(self.colin)), {})

    def test_it_reads_two_queries_for_any_number_of_organisations(self):
        self.assertSummariesCost(summaries, 2, role=Role.DPO)
