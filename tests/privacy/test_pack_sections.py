"""Data protection's part of the audit packs: the register and its review, the processors
whose contract lacks clauses, the requests (late ones, without names), the DPIAs and the
notices, the staff's included."""

import datetime

from django.utils import timezone

from pharmagarde.core.packs import FAILED, FRESH, MISSING, STALE
from pharmagarde.privacy import pack_sections
from pharmagarde.privacy.contracts import applicable_clauses
from pharmagarde.privacy.models import (
    Dpia,
    PersonRequest,
    PrivacyProfile,
    Processing,
    Processor,
)
from tests.base import BaseTestCase
from tests.reports.test_content_helpers import facts_of, query_count, sections_by_key, table_of


def today():
    # Taken per use, never at import: a suite that runs past midnight (Paris) would
    # otherwise compare today's records with yesterday's date.
    return timezone.localdate()
DAY = datetime.timedelta(days=1)


def by_key(organisation, regime="cnil"):
    return sections_by_key(pack_sections.sections, organisation, regime, today())




class PrivacySectionsTestCase(BaseTestCase):
    def processing(self, number, **fields):
        values = {"organisation": self.org, "number": number, "name": f"Traitement {number}",
                  "purpose": "Délivrer les médicaments.", "people": "Patients",
                  "legal_basis": "obligation-legale"}
        values.update(fields)
        return Processing.objects.create(**values)

    def request(self, days_ago, **fields):
        values = {"organisation": self.org, "right": PersonRequest.Right.ACCESS,
                  "number": PersonRequest.objects.count() + 1,
                  "requester_name": "Madame Secret", "received_on": today() - days_ago * DAY}
        values.update(fields)
        return PersonRequest.objects.create(**values)

    def test_an_empty_organisation_says_what_is_missing(self):
        found = by_key(self.org)
        self.assertEqual(list(found), ["privacy.register", "privacy.processors",
                                       "privacy.requests", "privacy.dpia", "privacy.notices"])
        self.assertIn("Le registre des traitements est vide",
                      found["privacy.register"].blocks[0].text)
        self.assertEqual(found["privacy.register"].evidence[0].freshness(today()), MISSING)
        self.assertEqual(found["privacy.processors"].evidence[0].freshness(today()), MISSING)
        self.assertEqual(found["privacy.dpia"].evidence[0].freshness(today()), MISSING)
        self.assertEqual({e.freshness(today()) for e in found["privacy.notices"].evidence},
                         {MISSING})

    def test_the_register_and_its_review(self):
        PrivacyProfile.objects.create(organisation=self.org, controller="SELARL Alpha",
                                      contact="dpo@alpha.example",
                                      register_reviewed_at=timezone.now() - 400 * DAY)
        self.processing(1, name="<script>alert(1)</script>", confirmed_at=timezone.now())
        self.processing(2, in_use=False)
        self.processing(3, organisation=self.other_org)
        section = by_key(self.org)["privacy.register"]
        facts = facts_of(section)
        self.assertEqual(facts["Traitements en usage ou à confirmer"], "1")
        self.assertEqual(facts["Relus et confirmés"], "1")
        self.assertEqual(facts["Déclarés non mis en œuvre"], "1")
        self.assertEqual(table_of(section).rows[0][1], "<script>alert(1)</script>")
        self.assertEqual(section.evidence[0].freshness(today()), STALE)
        notices = by_key(self.org)["privacy.notices"]
        patients, staff = notices.evidence
        self.assertEqual(patients.date, today() - 400 * DAY)
        self.assertEqual(staff.freshness(today()), MISSING)  # no processing names the staff
        self.assertIn("les traitements qui concernent ces personnes", staff.detail)

    def test_the_processors_whose_contract_lacks_clauses(self):
        Processor.objects.create(organisation=self.org, name="Éditeur du LGO",
                                 contract_signed_on=today() - 30 * DAY)
        Processor.objects.create(organisation=self.org, name="Hébergeur",
                                 contract_signed_on=today() - 400 * DAY, reviewed_on=today())
        section = by_key(self.org)["privacy.processors"]
        self.assertEqual(facts_of(section)["Contrats où manquent des clauses"], "2")
        rows = {row[0]: row for row in table_of(section).rows}
        self.assertNotEqual(rows["Éditeur du LGO"][4], "aucune")  # the clauses it lacks
        self.assertEqual(section.evidence[0].date, today() - 30 * DAY)
        # Recent, but the section's own figures say clauses are missing: not met.
        self.assertEqual(section.evidence[0].freshness(today()), FAILED)
        self.assertEqual(section.evidence[0].failed, "2 contrats où manquent des clauses")

    def test_processors_whose_contracts_hold_every_clause_are_fresh_or_missing(self):
        every = {clause.id: True for clause in applicable_clauses(health_data=True)}
        Processor.objects.create(organisation=self.org, name="Hébergeur", clauses=every,
                                 contract_signed_on=today() - 30 * DAY)
        section = by_key(self.org)["privacy.processors"]
        self.assertEqual(facts_of(section)["Contrats où manquent des clauses"], "0")
        self.assertEqual(section.evidence[0].freshness(today()), FRESH)
        Processor.objects.create(organisation=self.org, name="Sans contrat", clauses=every)
        section = by_key(self.org)["privacy.processors"]
        self.assertEqual(section.evidence[0].freshness(today()), MISSING)

    def test_the_requests_of_twelve_months_late_ones_and_no_names(self):
        self.request(45)
        self.request(20, answered_on=today() - 10 * DAY)
        self.request(400)
        section = by_key(self.org)["privacy.requests"]
        facts = facts_of(section)
        self.assertEqual(facts["Demandes reçues ces douze derniers mois"], "2")
        self.assertEqual(facts["Sans réponse, délai dépassé"], "1")
        text = repr(section.blocks)
        self.assertNotIn("Madame Secret", text)
        self.assertEqual(section.evidence[0].freshness(today()), FAILED)
        self.assertEqual(section.evidence[0].failed, "1 demande sans réponse après le délai")

    def test_requests_answered_late_are_not_met_and_on_time_ones_are(self):
        self.request(20, answered_on=today() - 10 * DAY)
        section = by_key(self.org)["privacy.requests"]
        self.assertEqual(section.evidence[0].freshness(today()), FRESH)
        self.request(100, answered_on=today() - 10 * DAY)
        section = by_key(self.org)["privacy.requests"]
        self.assertEqual(facts_of(section)["Répondues après le délai"], "1")
        self.assertEqual(section.evidence[0].freshness(today()), FAILED)
        self.assertEqual(section.evidence[0].failed, "1 demande répondue après le délai")

    def test_a_validated_dpia_and_one_not_required(self):
        Dpia.objects.create(organisation=self.org, title="AIPD dispensation",
                            status=Dpia.Status.VALIDATED, validated_on=today() - 100 * DAY)
        section = by_key(self.org)["privacy.dpia"]
        self.assertEqual(section.evidence[0].freshness(today()), FRESH)
        PrivacyProfile.objects.create(organisation=self.other_org,
                                      turnover_over_threshold=False)
        section = by_key(self.other_org)["privacy.dpia"]
        self.assertEqual(section.evidence[0].freshness(today()), FRESH)
        self.assertIn("non requise", section.evidence[0].detail)

    def test_the_validated_dpias_come_before_the_drafts_on_every_database(self):
        Dpia.objects.create(organisation=self.org, title="Brouillon")
        Dpia.objects.create(organisation=self.org, title="Ancienne",
                            status=Dpia.Status.VALIDATED, validated_on=today() - 300 * DAY)
        Dpia.objects.create(organisation=self.org, title="Récente",
                            status=Dpia.Status.VALIDATED, validated_on=today() - 10 * DAY)
        rows = table_of(by_key(self.org)["privacy.dpia"]).rows
        # PostgreSQL puts NULL first in a descending order, SQLite last.
        self.assertEqual([row[0] for row in rows], ["Récente", "Ancienne", "Brouillon"])

    def test_the_queries_do_not_grow_with_the_register(self):
        def count():
            return query_count(lambda: by_key(self.org))

        def make(i):
            self.processing(i + 1)
            Processor.objects.create(organisation=self.org, name=f"Prestataire {i}")
            self.request(i)

        for i in range(5):
            make(i)
        few = count()
        for i in range(5, 40):
            make(i)
        self.assertEqual(count(), few)

    def test_only_the_regimes_that_ask_for_it(self):
        self.assertEqual(list(by_key(self.org, "cofrac")), ["privacy.processors"])
        self.assertEqual(by_key(self.org, "care"), {})
