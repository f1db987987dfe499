"""The plan's facts across one's organisations: overdue and open actions, in one query."""

import datetime

from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.actions.portfolio import summaries
from pharmagarde.core import portfolio
from pharmagarde.core.models import Role
from tests.base import BaseTestCase
from tests.core.test_portfolio import SummariesTestMixin


class ActionsPortfolioTestCase(SummariesTestMixin, BaseTestCase):
    def test_it_counts_overdue_and_open_actions(self):
        today = timezone.localdate()
        for due, status in [(today - datetime.timedelta(days=2), Action.Status.TODO),
                            (today - datetime.timedelta(days=9), Action.Status.IN_PROGRESS),
                            (today - datetime.timedelta(days=9), Action.Status.DONE),
                            (today + datetime.timedelta(days=9), Action.Status.TODO),
                            (None, Action.Status.TODO)]:
            Action.objects.create(organisation=self.org, title="Action", due_date=due,
                                  status=status)
        Action.objects.create(organisation=self.other_org, title="Ailleurs",
                              due_date=today - datetime.timedelta(days=2))
        overdue, still_open = summaries(self.memberships(self.colin))[self.org.pk]
        self.assertEqual((overdue.text, overdue.level, overdue.value),
                         ("2 actions en retard", portfolio.ALERT, 2))
        self.assertEqual(overdue.url, self.org_url("action_list") + "?overdue=on")
        self.assertEqual((still_open.text, still_open.value), ("4 actions à faire", 4))

    def test_it_says_when_nothing_is_late(self):
        overdue, _open = summaries(self.memberships(self.aude))[self.org.pk]
        self.assertEqual((overdue.text, overdue.level), ("Aucune action en retard",
                                                         portfolio.OK))

    def test_it_reads_one_query_for_any_number_of_organisations(self):
        self.assertSummariesCost(summaries, 1, role=Role.DPO)
