"""Core's part of the audit packs: who the organisation is, and who has access, with the
members who must use two-factor authentication and do not."""

import datetime

from pharmagarde.core import pack_sections
from pharmagarde.core.models import Membership, Role
from pharmagarde.core.packs import FRESH, MISSING, REGIMES, Facts, Table
from tests.base import BaseTestCase, make_user
from tests.reports.test_content_helpers import query_count, sections_by_key

TODAY = datetime.date(2026, 6, 15)


def by_key(organisation, regime="general"):
    return sections_by_key(pack_sections.sections, organisation, regime, TODAY)


class CoreSectionsTestCase(BaseTestCase):
    def test_every_regime_has_the_identity_and_the_members(self):
        for regime in REGIMES:
            self.assertEqual(list(by_key(self.org, regime.key)), ["core.identity",
                                                                  "core.members"])

    def test_the_identity(self):
        self.org.address, self.org.postal_code, self.org.city = "1 rue Haute", "75001", "Paris"
        self.org.save()
        facts = dict(by_key(self.org)["core.identity"].blocks[0].items)
        self.assertEqual(facts["Nom"], "Pharmacie Alpha")
        self.assertEqual(facts["SIRET"], "73282932000074")
        self.assertEqual(facts["Numéro FINESS"], "non renseigné")
        self.assertEqual(facts["Adresse"], "1 rue Haute, 75001 Paris")
        self.assertEqual(facts["Personnes dans la liste du personnel"], "1")

    def test_the_members_with_their_second_factor(self):
        section = by_key(self.org)["core.members"]
        self.assertEqual(section.evidence[0].freshness(TODAY), FRESH)
        table = next(b for b in section.blocks if isinstance(b, Table))
        rows = {row[0]: row for row in table.rows}
        self.assertEqual(rows["alice@alpha.example"][2], "activée")
        self.assertEqual(rows["colin@alpha.example"][2], "non activée")
        self.assertNotIn("oscar@bravo.example", rows)
        # A référent without a second factor: the evidence is missing.
        Membership.objects.create(organisation=self.org, role=Role.REFERENT,
                                  user=make_user("rene@alpha.example"))
        section = by_key(self.org)["core.members"]
        facts = dict(next(b for b in section.blocks if isinstance(b, Facts)).items)
        self.assertEqual(facts["Parmi eux, sans double authentification active"], "1")
        self.assertEqual(section.evidence[0].freshness(TODAY), MISSING)
        self.assertIn("1 membre qui doit", section.blocks[0].text)

    def test_every_member_counts_when_the_organisation_requires_it_of_all(self):
        self.org.require_mfa_for_all = True
        self.org.save()
        section = by_key(self.org)["core.members"]
        facts = dict(next(b for b in section.blocks if isinstance(b, Facts)).items)
        self.assertEqual(facts["Parmi eux, sans double authentification active"], "3")

    def test_three_queries_whatever_the_number_of_members(self):
        def count():
            return query_count(lambda: by_key(self.org))

        few = count()
        for i in range(40):
            Membership.objects.create(organisation=self.org, role=Role.COLLABORATEUR,
                                      user=make_user(f"membre{i}@alpha.example"))
        self.assertEqual(count(), few)
        self.assertLessEqual(few, 3)
