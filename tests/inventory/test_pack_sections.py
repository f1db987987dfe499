"""The inventory's part of the audit packs: the assets counted, the open findings with the
systems past their end of support and the exposed services, the last update as evidence."""

import datetime

from django.utils import timezone

from pharmagarde.core.packs import FRESH, MISSING, Facts, Paragraph, Table
from pharmagarde.inventory import pack_sections
from pharmagarde.inventory.models import Device, Finding
from tests.base import BaseTestCase
from tests.reports.test_content_helpers import query_count, sections_by_key


def today():
    # Taken per use, never at import: a suite that runs past midnight (Paris) would
    # otherwise compare today's records with yesterday's date.
    return timezone.localdate()


def by_key(organisation, regime="general"):
    return sections_by_key(pack_sections.sections, organisation, regime, today())


class InventorySectionsTestCase(BaseTestCase):
    def finding(self, i, rule="systeme-fin-de-support", severity=1, **fields):
        now = timezone.now()
        values = {"organisation": self.org, "rule": rule, "subject": f"device:{i}",
                  "subject_label": f"Poste {i}", "detail": "Windows 7 : support terminé.",
                  "severity": severity, "first_seen": now - datetime.timedelta(days=30),
                  "last_seen": now}
        values.update(fields)
        return Finding.objects.create(**values)

    def test_an_empty_inventory_says_so_and_its_evidence_is_missing(self):
        found = by_key(self.org)
        self.assertIsInstance(found["inventory.assets"].blocks[0], Paragraph)
        self.assertEqual(found["inventory.assets"].evidence[0].freshness(today()), MISSING)
        self.assertEqual(found["inventory.findings"].blocks[1].rows, ())

    def test_the_assets_counted_and_the_open_findings(self):
        Device.objects.create(organisation=self.org, name="Comptoir 1")
        Device.objects.create(organisation=self.other_org, name="Poste de Bravo")
        self.finding(1)
        self.finding(2, rule="service-a-risque", severity=2,
                     subject_label="<script>alert(1)</script>")
        self.finding(3, status=Finding.Status.RESOLVED)
        found = by_key(self.org)
        assets = dict(found["inventory.assets"].blocks[0].items)
        self.assertEqual(assets["Appareils"], "1")
        self.assertEqual(found["inventory.assets"].evidence[0].freshness(today()), FRESH)
        section = found["inventory.findings"]
        facts = dict(next(b for b in section.blocks if isinstance(b, Facts)).items)
        self.assertEqual(facts["Constats ouverts"], "2")
        self.assertEqual(facts["Systèmes et logiciels en fin de support"], "1")
        self.assertEqual(facts["Appareils avec des services exposés à risque"], "1")
        table = next(b for b in section.blocks if isinstance(b, Table))
        self.assertEqual(table.rows[0][1:3], ("Critique", "Poste 1"))
        self.assertEqual(table.rows[1][2], "<script>alert(1)</script>")
        self.assertEqual(table.rows[0][4], today() - datetime.timedelta(days=30))
        self.assertEqual(section.evidence[0].freshness(today()), FRESH)

    def test_the_queries_do_not_grow_with_the_findings(self):
        def count():
            return query_count(lambda: by_key(self.org))

        for i in range(5):
            self.finding(i)
        few = count()
        for i in range(5, 50):
            self.finding(i)
        self.assertEqual(count(), few)

    def test_both_sections_share_one_reading_of_the_inventory(self):
        # Eight queries for the inventory (seven kinds of item and the change log), one
        # for the findings: the findings' evidence does not read the inventory again.
        self.assertEqual(query_count(lambda: by_key(self.org)), 9)
        self.assertEqual(query_count(lambda: by_key(self.org, "care")), 0)

    def test_only_the_regimes_that_ask_for_it(self):
        self.assertEqual(list(by_key(self.org, "dqo")), ["inventory.findings"])
        self.assertEqual(by_key(self.org, "care"), {})
