"""Every app's pack sections together: each regime's pack for an empty organisation says
what is missing instead of failing, and every requirement of the regimes' files is
answered by a section that exists."""

import datetime

from pharmagarde.core import registry
from pharmagarde.core.packs import MISSING, REGIMES, Checklist, PackRequest
from pharmagarde.reports import checklists
from pharmagarde.reports.checklists import UNKNOWN, UNMET, checklist_section
from tests.base import BaseTestCase

TODAY = datetime.date(2026, 6, 15)
# The reports app's own section (the management's sign-off).
REPORTS_KEYS = {"reports.signoff"}


def pack_sections(organisation, regime):
    pack = PackRequest(organisation=organisation, regime=regime, today=TODAY)
    found = [section for hook in registry.hooks("pack_sections") for section in hook(pack)]
    return pack, found


class EmptyOrganisationTestCase(BaseTestCase):
    def test_every_regime_builds_and_says_what_is_missing(self):
        for regime in REGIMES:
            with self.subTest(regime.key):
                pack, found = pack_sections(self.other_org, regime.key)
                keys = [section.key for section in found]
                self.assertEqual(len(keys), len(set(keys)), "keys are unique in a pack")
                self.assertIn("core.identity", keys)
                freshness = [evidence.freshness(TODAY) for section in found
                             for evidence in section.evidence]
                self.assertIn(MISSING, freshness)
                for section in found:
                    self.assertTrue(section.blocks, section.key)
                checklist = checklist_section(pack, found)
                states = {item[2] for block in checklist.blocks
                          if isinstance(block, Checklist) for item in block.items}
                self.assertIn(UNMET, states)

    def test_the_general_pack_has_every_app(self):
        _pack, found = pack_sections(self.other_org, "general")
        apps = {section.key.split(".")[0] for section in found}
        self.assertLessEqual({"core", "diagnostic", "actions", "inventory", "incidents",
                              "continuity", "privacy", "awareness"}, apps)


class RequirementsAnsweredTestCase(BaseTestCase):
    def test_every_requirement_points_at_a_section_of_its_regime(self):
        for regime in REGIMES:
            with self.subTest(regime.key):
                pack, found = pack_sections(self.org, regime.key)
                answers = {section.key for section in found} | REPORTS_KEYS | {
                    reference for section in found for reference in section.references} | {
                    f"{section.key}#{evidence.key}" for section in found
                    for evidence in section.evidence if evidence.key}
                for requirement in checklists.requirements_for(regime.key).requirements:
                    unknown = [key for key in requirement.answered_by if key not in answers
                               and ("#" in key or ("." in key and " " not in key))]
                    self.assertEqual(unknown, [], f"{regime.key}: {requirement.key}")
                    self.assertTrue(set(requirement.answered_by) & answers,
                                    f"{regime.key}: {requirement.key}")
                checklist = checklist_section(pack, found)
                states = [item[2] for block in checklist.blocks
                          if isinstance(block, Checklist) for item in block.items]
                self.assertNotIn(UNKNOWN, states)
