"""The inventory's facts across one's organisations: open findings by severity."""

from django.utils import timezone

from pharmagarde.core import portfolio
from pharmagarde.inventory.models import Finding
from pharmagarde.inventory.portfolio import summaries
from tests.base import BaseTestCase
from tests.core.test_portfolio import SummariesTestMixin


class InventoryPortfolioTestCase(SummariesTestMixin, BaseTestCase):
    def finding(self, organisation, severity, subject, status=Finding.Status.OPEN):
        now = timezone.now()
        Finding.objects.create(organisation=organisation, rule="regle", subject=subject,
                               severity=severity, status=status, first_seen=now,
                               last_seen=now)

    def test_it_counts_open_findings_by_severity(self):
        self.finding(self.org, 1, "a")
        self.finding(self.org, 3, "b")
        self.finding(self.org, 3, "c")
        self.finding(self.org, 2, "d", status=Finding.Status.ACCEPTED)
        self.finding(self.other_org, 1, "e")
        [fact] = summaries(self.memberships(self.colin))[self.org.pk]
        self.assertEqual((fact.text, fact.level, fact.value),
                         ("1 critique · 2 moyens", portfolio.ALERT, 3))
        self.assertEqual(fact.url, self.org_url("inventory_findings"))

    def test_it_warns_without_a_critical_one_and_is_ok_without_any(self):
        [fact] = summaries(self.memberships(self.alice))[self.org.pk]
        self.assertEqual((fact.text, fact.level), ("Aucun constat ouvert", portfolio.OK))
        self.finding(self.org, 2, "a")
        [fact] = summaries(self.memberships(self.alice))[self.org.pk]
        self.assertEqual((fact.text, fact.level), ("1 élevé", portfolio.WARNING))

    def test_it_reads_one_query_for_any_number_of_organisations(self):
        self.assertSummariesCost(summaries, 1)
