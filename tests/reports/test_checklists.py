"""The regimes' requirements (reports/regimes/*.yaml), validated with file:line:field
errors, and the state of each requirement in a pack's checklist."""

import datetime
import shutil
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from pharmagarde.core.packs import REGIMES, Checklist, Evidence, PackRequest, Section
from pharmagarde.reports import checklists
from pharmagarde.reports.checklists import (
    MET,
    PARTIAL,
    UNKNOWN,
    UNMET,
    RegimeError,
    Requirement,
    checklist_section,
    requirement_state,
)

TODAY = datetime.date(2026, 6, 15)
PACK = PackRequest(organisation=None, regime="care", today=TODAY)

GOOD = """regime: care
requirements:
  - id: test-restauration
    text: Un test de restauration a été fait.
    reference: CaRE D2 — test de restauration
    answered_by: [continuity.restore_tests]
"""


def section(key, *evidence, references=()):
    return Section(key=key, title=key.title(), order=1, evidence=list(evidence),
                   references=references)


def months_ago(months):
    return TODAY - datetime.timedelta(days=months * 30 + 5)


FRESH = Evidence("Dernier test", months_ago(1))
STALE = Evidence("Dernier test", months_ago(13))
MISSING = Evidence("Dernier test", None)
REQUIREMENT = Requirement(key="r", text="Un test de restauration.", reference="CaRE D2",
                          answered_by=("continuity.restore_tests", "CaRE D2 — test"))


class RegimeFilesTestCase(SimpleTestCase):
    def test_every_regime_has_its_file_and_every_file_validates(self):
        found = checklists.catalogue()
        self.assertEqual(set(found), {r.key for r in REGIMES})
        for key, regime in found.items():
            with self.subTest(key):
                ids = [item.key for item in regime.requirements]
                self.assertEqual(len(ids), len(set(ids)))
                self.assertGreaterEqual(len(ids), 5)
                self.assertTrue(all(item.reference for item in regime.requirements))

    def test_the_regimes_cite_what_the_issue_names(self):
        references = {key: {item.reference for item in regime.requirements}
                      for key, regime in checklists.catalogue().items()}
        for letter in "abcdefghij":
            self.assertIn(f"NIS 2, art. 21(2)({letter})", references["nis2"])
        self.assertLessEqual({"NIS 2, art. 20", "NIS 2, art. 23"}, references["nis2"])
        self.assertLessEqual({"ISO 15189:2022 § 7.6.4", "ISO 15189:2022 § 7.6.5",
                              "ISO 15189:2022 § 7.8"}, references["cofrac"])
        self.assertIn("CaRE D2 — test de restauration", references["care"])
        self.assertLessEqual({"RGPD, art. 30", "RGPD, art. 33(5)", "RGPD, art. 28(3)"},
                             references["cnil"])

    def test_the_management_approval_is_answered_by_the_sign_off(self):
        approval = next(item for item in checklists.requirements_for("nis2").requirements
                        if item.reference == "NIS 2, art. 20")
        self.assertEqual(approval.answered_by, ("reports.signoff", "NIS 2, art. 20"))

    def test_a_good_file_parses(self):
        parsed = checklists.parse(GOOD, "care.yaml")
        self.assertEqual(parsed.regime, "care")
        self.assertEqual(parsed.requirements[0].answered_by, ("continuity.restore_tests",))

    def test_a_missing_field_names_the_file_the_line_and_the_field(self):
        text = GOOD.replace("    reference: CaRE D2 — test de restauration\n", "")
        with self.assertRaisesRegex(RegimeError, r"care\.yaml:3 — requirements\.0 : "
                                                 r"'reference' is a required property"):
            checklists.parse(text, "care.yaml")

    def test_a_wrong_value_names_its_own_line_and_field(self):
        text = GOOD.replace("answered_by: [continuity.restore_tests]", "answered_by: []")
        with self.assertRaisesRegex(RegimeError, r"care\.yaml:6 — requirements\.0\."
                                                 r"answered_by :"):
            checklists.parse(text, "care.yaml")
        with self.assertRaisesRegex(RegimeError, r"care\.yaml:1 — regime :"):
            checklists.parse(GOOD.replace("regime: care", "regime: hds"), "care.yaml")
        with self.assertRaisesRegex(RegimeError, r"care\.yaml:3 — requirements\.0 : "
                                                 r"Additional properties"):
            checklists.parse(GOOD + "    extra: oui\n", "care.yaml")

    def test_a_requirement_given_twice_is_refused_with_its_line(self):
        text = GOOD + GOOD.split("requirements:\n")[1]
        with self.assertRaisesRegex(RegimeError, r"care\.yaml:7 — requirements\.1\.id : "
                                                 r"l'exigence « test-restauration »"):
            checklists.parse(text, "care.yaml")

    def test_unreadable_yaml_names_the_file_and_line(self):
        with self.assertRaisesRegex(RegimeError, r"care\.yaml:\d+ — YAML illisible"):
            checklists.parse(GOOD + "  - id: [\n", "care.yaml")

    def test_a_file_must_be_named_after_its_regime_and_every_regime_needs_one(self):
        directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, directory)
        (directory / "cnil.yaml").write_text(GOOD, encoding="utf-8")
        with self.assertRaisesRegex(RegimeError, r"cnil\.yaml:1 — regime : « care »"):
            checklists.catalogue.__wrapped__(directory)
        (directory / "cnil.yaml").unlink()
        (directory / "care.yaml").write_text(GOOD, encoding="utf-8")
        with self.assertRaisesRegex(RegimeError, r"il manque le fichier de : general, cnil"):
            checklists.catalogue.__wrapped__(directory)


class RequirementStateTestCase(SimpleTestCase):
    def state(self, *sections):
        return requirement_state(REQUIREMENT, list(sections), PACK)[0]

    def test_met_when_every_matching_evidence_is_fresh(self):
        self.assertEqual(self.state(section("continuity.restore_tests", FRESH, FRESH)), MET)

    def test_partial_when_some_is_stale_or_some_missing_beside_fresh(self):
        self.assertEqual(self.state(section("continuity.restore_tests", FRESH, STALE)),
                         PARTIAL)
        self.assertEqual(self.state(section("continuity.restore_tests", STALE)), PARTIAL)
        self.assertEqual(self.state(section("continuity.restore_tests", FRESH, MISSING)),
                         PARTIAL)

    def test_unmet_when_the_matching_evidence_is_missing(self):
        self.assertEqual(self.state(section("continuity.restore_tests", MISSING)), UNMET)

    def test_unmet_when_the_sections_own_figures_say_it_failed_however_fresh(self):
        failed = Evidence("Dernier test", months_ago(1), failed="la restauration a échoué")
        self.assertEqual(self.state(section("continuity.restore_tests", failed)), UNMET)
        self.assertEqual(self.state(section("continuity.restore_tests", FRESH, failed)), UNMET)
        where = requirement_state(REQUIREMENT, [section("continuity.restore_tests", failed)],
                                  PACK)[1]
        self.assertIn("non conforme : la restauration a échoué", where)

    def test_unknown_when_no_section_answers_it(self):
        state, where = requirement_state(
            REQUIREMENT, [section("continuity.plan", FRESH)], PACK)
        self.assertEqual(state, UNKNOWN)
        self.assertEqual(where, "Aucune preuve enregistrée dans Pharmagarde")
        self.assertEqual(self.state(section("continuity.restore_tests")), UNKNOWN)

    def test_a_section_answers_by_its_key_or_by_a_reference_it_declares(self):
        self.assertEqual(self.state(section("other.key", STALE, references=("CaRE D2 — test",))),
                         PARTIAL)
        self.assertEqual(self.state(section("other.key", STALE, references=("CaRE D1",))),
                         UNKNOWN)

    def test_a_requirement_may_rest_on_one_piece_of_evidence_of_a_section(self):
        requirement = Requirement(key="r", text="Une copie hors ligne.", reference="CaRE D2",
                                  answered_by=("continuity.backups#hors-ligne",))
        offline = Evidence("Copie hors ligne", months_ago(1), key="hors-ligne")
        backups = section("continuity.backups", offline, MISSING)
        state, where = requirement_state(requirement, [backups], PACK)
        self.assertEqual(state, MET)
        self.assertNotIn("aucune date", where)
        other = section("continuity.plan", Evidence("x", months_ago(1), key="hors-ligne"))
        self.assertEqual(requirement_state(requirement, [other], PACK)[0], UNKNOWN)

    def test_evidence_named_twice_counts_once(self):
        requirement = Requirement(key="r", text="Un test.", reference="CaRE D2",
                                  answered_by=("continuity.restore_tests", "CaRE D2 — test"))
        both = section("continuity.restore_tests", STALE, references=("CaRE D2 — test",))
        _state, where = requirement_state(requirement, [both], PACK)
        self.assertEqual(where.count("Dernier test"), 1)

    def test_only_the_matching_sections_count(self):
        self.assertEqual(self.state(section("continuity.restore_tests", FRESH),
                                    section("continuity.plan", MISSING)), MET)

    def test_twelve_months_is_still_fresh_thirteen_is_stale(self):
        eleven = Evidence("Dernier test", months_ago(11))
        self.assertEqual(self.state(section("continuity.restore_tests", eleven)), MET)
        self.assertEqual(self.state(section("continuity.restore_tests", STALE)), PARTIAL)

    def test_where_names_the_section_the_evidence_its_date_and_freshness(self):
        day = datetime.date(2025, 5, 1)
        _state, where = requirement_state(
            REQUIREMENT, [section("continuity.restore_tests", Evidence("Dernier test", day))],
            PACK)
        self.assertEqual(where, "Continuity.Restore_Tests — Dernier test : 01/05/2025 "
                                "(ancienne)")


class ChecklistSectionTestCase(SimpleTestCase):
    def test_each_requirement_of_the_regime_with_its_state(self):
        offline = Evidence("Copie hors ligne", months_ago(2), key="hors-ligne")
        sections = [section("continuity.restore_tests", STALE),
                    section("continuity.backups", offline, MISSING)]
        built = checklist_section(PACK, sections)
        self.assertEqual(built.key, "reports.checklist")
        self.assertIn("Programme CaRE, domaine 2", built.title)
        checklist = next(block for block in built.blocks if isinstance(block, Checklist))
        by_reference = {item[1]: item for item in checklist.items}
        self.assertEqual(len(checklist.items),
                         len(checklists.requirements_for("care").requirements))
        self.assertEqual(by_reference["CaRE D2 — test de restauration"][2], PARTIAL)
        self.assertEqual(by_reference["CaRE D2 — règle 3-2-1"][2], MET)
        self.assertEqual(by_reference["CaRE — exercice de crise annuel"][2], UNKNOWN)
        summary = built.blocks[1].text
        self.assertIn("en partie : 1", summary)

    def test_a_regime_without_a_file_has_no_checklist(self):
        pack = PackRequest(organisation=None, regime="hds", today=TODAY)
        self.assertIsNone(checklist_section(pack, []))


class StateWordsTestCase(SimpleTestCase):
    def test_one_table_words_the_states_for_the_page_the_pdf_and_the_docx(self):
        from pharmagarde.reports import builder, word
        from pharmagarde.reports.templatetags import reports as tags

        self.assertEqual({key: str(label) for key, label in checklists.STATE_LABELS.items()},
                         {MET: "satisfaite", PARTIAL: "en partie", UNMET: "non satisfaite",
                          UNKNOWN: "à vérifier"})
        self.assertEqual(tags.checklist_state(UNKNOWN), "à vérifier")
        self.assertIs(word.STATE_LABELS, checklists.STATE_LABELS)
        self.assertFalse(hasattr(builder, "CHECKLIST_STATES"))
        # Imported, not looked for: a broken checklists module fails the pack loudly.
        self.assertIs(builder.checklist_section, checklist_section)
