"""The diagnostic's part of the audit packs: the latest completed assessment, its scores as
a table and a radar, the priority measures; nothing completed: the evidence is missing."""

import datetime

from django.utils import timezone

from pharmagarde.core.packs import FRESH, MISSING, STALE, Facts, Figure, PackRequest, Table
from pharmagarde.diagnostic import pack_sections
from pharmagarde.diagnostic.models import Answer, Assessment
from pharmagarde.diagnostic.referential import get_referential, latest_version
from tests.base import BaseTestCase

TODAY = datetime.date(2026, 6, 15)


def pack(organisation, regime="general", today=TODAY):
    return PackRequest(organisation=organisation, regime=regime, today=today)


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


class DiagnosticSectionTestCase(BaseTestCase):
    def complete(self, day, *, worst=True):
        version = latest_version()
        assessment = Assessment.objects.create(
            organisation=self.org, referential_version=version, organisation_kind="officine",
            size_band=self.org.size_band, status=Assessment.Status.COMPLETED,
            completed_at=at(day))
        themes = get_referential(version).themes_for("officine", self.org.size_band)
        for theme in themes:
            for question in theme.questions:
                if question.show_if_question or not question.scored:
                    continue
                choices = sorted(question.choices, key=lambda c: c.score)
                choice = choices[0] if worst else choices[-1]
                Answer.objects.create(organisation=self.org, assessment=assessment,
                                      question_id=question.id, choice_ids=[choice.id])
        return assessment

    def section(self, organisation=None, **kwargs):
        found = pack_sections.sections(pack(organisation or self.org, **kwargs))
        self.assertEqual([s.key for s in found], ["diagnostic.assessment"])
        return found[0]

    def test_without_a_completed_assessment_the_evidence_is_missing(self):
        Assessment.objects.create(organisation=self.org, referential_version=latest_version(),
                                  organisation_kind="officine", size_band="1-9")
        section = self.section()
        self.assertEqual(section.evidence[0].freshness(TODAY), MISSING)
        self.assertIn("Aucun diagnostic n'a été terminé", section.blocks[0].text)

    def test_the_latest_completed_with_its_scores_radar_and_six_priorities(self):
        self.complete(datetime.date(2025, 1, 10), worst=False)
        self.complete(datetime.date(2026, 3, 2))
        section = self.section()
        self.assertEqual(section.evidence[0].date, datetime.date(2026, 3, 2))
        self.assertEqual(section.evidence[0].freshness(TODAY), FRESH)
        facts = dict(next(b for b in section.blocks if isinstance(b, Facts)).items)
        self.assertEqual(facts["Terminé le"], "02/03/2026")
        self.assertEqual(facts["Score global"], "0 / 100")
        tables = [b for b in section.blocks if isinstance(b, Table)]
        self.assertEqual({row[1] for row in tables[0].rows} - {None}, {0})
        self.assertEqual(len(tables[1].rows), 6)
        figure = next(b for b in section.blocks if isinstance(b, Figure))
        self.assertTrue(figure.svg.startswith("<svg"))
        self.assertIn("sur 100", figure.caption)
        self.assertIn("NIS 2, art. 21(2)(f)", section.references)

    def test_an_assessment_older_than_twelve_months_is_stale(self):
        self.complete(datetime.date(2025, 5, 1))
        self.assertEqual(self.section().evidence[0].freshness(TODAY), STALE)

    def test_another_organisations_assessment_is_not_used(self):
        self.complete(datetime.date(2026, 3, 2))
        section = self.section(self.other_org)
        self.assertEqual(section.evidence[0].freshness(TODAY), MISSING)

    def test_two_queries_whatever_the_number_of_answers(self):
        self.complete(datetime.date(2026, 3, 2))
        with self.assertNumQueries(2):
            self.section()

    def test_only_the_regimes_that_ask_for_it(self):
        self.assertEqual(pack_sections.sections(pack(self.org, regime="care")), [])
