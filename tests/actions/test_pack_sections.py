"""The plan's part of the audit packs: counts, overdue actions, those done this year, the
open actions as a table (their titles kept as typed: the renderers escape), and the plan's
last update as the evidence."""

import datetime

from django.utils import timezone

from pharmagarde.actions import pack_sections
from pharmagarde.actions.models import Action
from pharmagarde.core.packs import FRESH, MISSING, Facts, PackRequest, Paragraph, Table
from tests.base import BaseTestCase
from tests.reports.test_content_helpers import query_count


def today():
    # Taken per use, never at import: a suite that runs past midnight (Paris) would
    # otherwise compare today's records with yesterday's date.
    return timezone.localdate()


def section_of(organisation, regime="general"):
    found = pack_sections.sections(PackRequest(organisation=organisation, regime=regime,
                                               today=today()))
    return found[0] if found else None


class PlanSectionTestCase(BaseTestCase):
    def action(self, i=0, **fields):
        values = {"organisation": self.org, "title": f"Action {i}", "priority": 100 + i}
        values.update(fields)
        return Action.objects.create(**values)

    def test_an_empty_plan_says_so_and_its_evidence_is_missing(self):
        section = section_of(self.org)
        self.assertIsInstance(section.blocks[0], Paragraph)
        self.assertIn("Le plan d'action est vide", section.blocks[0].text)
        self.assertEqual(section.evidence[0].freshness(today()), MISSING)

    def test_counts_overdue_done_this_year_and_the_open_actions_in_priority_order(self):
        self.action(1, title="<script>alert(1)</script>", owner=self.person,
                    due_date=today() - datetime.timedelta(days=3), criticality="critique")
        self.action(0, title="Première", status=Action.Status.IN_PROGRESS)
        self.action(2, status=Action.Status.DONE, closed_at=timezone.now())
        self.action(3, status=Action.Status.DONE,
                    closed_at=timezone.now() - datetime.timedelta(days=400))
        self.action(4, status=Action.Status.DROPPED)
        self.action(5, organisation=self.other_org, title="Action de Bravo")
        section = section_of(self.org)
        facts = dict(next(b for b in section.blocks if isinstance(b, Facts)).items)
        self.assertEqual(facts["Actions à faire"], "1")
        self.assertEqual(facts["Actions en cours"], "1")
        self.assertEqual(facts["Actions terminées"], "2")
        self.assertEqual(facts["Actions en retard"], "1")
        self.assertEqual(facts["Terminées ces douze derniers mois"], "1")
        self.assertEqual(facts["Ouvertes de criticité critique"], "1")
        table = next(b for b in section.blocks if isinstance(b, Table))
        self.assertEqual([row[0] for row in table.rows],
                         ["Première", "<script>alert(1)</script>"])
        title, criticality, owner, due, late, origin = table.rows[1]
        self.assertEqual((criticality, owner, late, origin),
                         ("critique", "Paul Préparateur", "en retard", "Ajout manuel"))
        self.assertEqual(due, today() - datetime.timedelta(days=3))
        self.assertEqual(section.evidence[0].freshness(today()), FRESH)

    def test_three_queries_for_five_actions_as_for_fifty(self):
        def count():
            return query_count(lambda: section_of(self.org))

        for i in range(5):
            self.action(i, owner=self.person)
        few = count()
        for i in range(5, 50):
            self.action(i, owner=self.person)
        self.assertEqual(count(), few)
        self.assertLessEqual(few, 3)

    def test_only_the_regimes_that_ask_for_it(self):
        self.assertIsNone(section_of(self.org, regime="care"))
        self.assertIsNotNone(section_of(self.org, regime="nis2"))
