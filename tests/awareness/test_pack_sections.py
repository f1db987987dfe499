"""Awareness's part of the audit packs: training of twelve months (share of the staff
trained, late assignments) and the phishing campaigns as anonymous rates, no group of fewer
than five people shown, the named mode's information of the staff."""

import datetime

from django.utils import timezone

from pharmagarde.awareness import pack_sections
from pharmagarde.awareness.models import Assignment, Campaign, Recipient
from pharmagarde.core.packs import FRESH, MISSING, STALE
from tests.awareness.base import make_people
from tests.base import BaseTestCase
from tests.reports.test_content_helpers import facts_of, query_count, sections_by_key, table_of


def today():
    # Taken per use, never at import: a suite that runs past midnight (Paris) would
    # otherwise compare today's records with yesterday's date.
    return timezone.localdate()
DAY = datetime.timedelta(days=1)


def by_key(organisation, regime="general"):
    return sections_by_key(pack_sections.sections, organisation, regime, today())




class TrainingSectionTestCase(BaseTestCase):
    def assign(self, person, module="hameconnage", **fields):
        return Assignment.objects.create(organisation=self.org, person=person, module=module,
                                         **fields)

    def test_no_training_its_evidence_is_missing(self):
        section = by_key(self.org)["awareness.training"]
        self.assertEqual(section.evidence[0].freshness(today()), MISSING)
        self.assertEqual(facts_of(section)["Part de l'équipe formée ces douze derniers mois"],
                         "0 %")

    def test_the_share_of_the_staff_trained_the_late_ones_and_the_last_training(self):
        people = make_people(self.org, 3)  # with Paul: four people
        self.assign(self.person, completed_at=timezone.now() - 10 * DAY, score=90)
        self.assign(people[0], completed_at=timezone.now() - 400 * DAY)
        self.assign(people[1], due_on=today() - 3 * DAY)
        self.assign(people[2], module="mots-de-passe", due_on=today() + 3 * DAY)
        section = by_key(self.org)["awareness.training"]
        facts = facts_of(section)
        self.assertEqual(facts["Personnes dans l'équipe"], "4")
        self.assertEqual(facts["Modules terminés ces douze derniers mois"], "1")
        self.assertEqual(facts["Part de l'équipe formée ces douze derniers mois"], "25 %")
        self.assertEqual(facts["Formations en retard"], "1")
        self.assertEqual(section.evidence[0].freshness(today()), FRESH)
        rows = {row[0]: row for row in table_of(section).rows}
        self.assertEqual(sum(row[2] for row in rows.values()), 2)

    def test_a_training_older_than_twelve_months_is_stale(self):
        self.assign(self.person, completed_at=timezone.now() - 400 * DAY)
        self.assertEqual(by_key(self.org)["awareness.training"].evidence[0]
                         .freshness(today()), STALE)


class PhishingSectionTestCase(BaseTestCase):
    def campaign(self, number, people, clicked=0, **fields):
        launched = fields.pop("launched_at", timezone.now() - 20 * DAY)
        campaign = Campaign.objects.create(organisation=self.org, number=number,
                                           name=fields.pop("name", f"Campagne {number}"),
                                           launched_at=launched, **fields)
        Recipient.objects.bulk_create([
            Recipient(organisation=self.org, campaign=campaign, email=person.email,
                      first_name=person.first_name, last_name=person.last_name,
                      send_at=launched, sent_at=launched,
                      result=Recipient.Result.CLICKED if i < clicked else
                      Recipient.Result.NONE)
            for i, person in enumerate(people)])
        return campaign

    def test_no_campaign_its_evidence_is_missing(self):
        section = by_key(self.org)["awareness.phishing"]
        self.assertEqual(section.evidence[0].freshness(today()), MISSING)
        self.assertEqual(table_of(section).rows, ())

    def test_anonymous_rates_and_a_campaign_of_fewer_than_five_people_hidden(self):
        people = make_people(self.org, 10)
        self.campaign(1, people, clicked=2, name="<script>alert(1)</script>")
        self.campaign(2, people[:3], clicked=1)
        # Fewer than five in the second campaign: hidden, and so is the first (the total
        # minus the first would give the second).
        rows = {row[0]: row for row in table_of(by_key(self.org)["awareness.phishing"]).rows}
        self.assertTrue(all(str(rows[name][2]).startswith("masqué") for name in rows))
        self.assertIn("<script>alert(1)</script>", rows)
        self.campaign(3, people[3:], clicked=0)
        section = by_key(self.org)["awareness.phishing"]
        rows = {row[0]: row for row in table_of(section).rows}
        # sent, opened (a click counts as opened), clicked
        self.assertEqual(rows["<script>alert(1)</script>"][2:5], (10, 20.0, 20.0))
        self.assertTrue(str(rows["Campagne 2"][2]).startswith("masqué"))
        # The second hidden alone would be the total minus the others: the smallest shown
        # one is hidden with it.
        self.assertTrue(str(rows["Campagne 3"][2]).startswith("masqué"))
        self.assertEqual(facts_of(section)["Messages envoyés"], "20")
        self.assertNotIn("Nom0", repr(section.blocks))
        self.assertEqual(section.evidence[0].freshness(today()), FRESH)

    def test_a_named_campaign_without_the_staffs_information_is_missing_evidence(self):
        people = make_people(self.org, 6)
        self.campaign(1, people, named=True, named_reason="Formation ciblée")
        section = by_key(self.org)["awareness.phishing"]
        self.assertEqual(table_of(section).rows[0][-1], "nominatif, information non confirmée")
        self.assertEqual(section.evidence[1].freshness(today()), MISSING)
        Campaign.objects.update(named_informed_at=timezone.now() - 30 * DAY)
        section = by_key(self.org)["awareness.phishing"]
        self.assertIn("personnel informé le", table_of(section).rows[0][-1])
        self.assertEqual(section.evidence[1].freshness(today()), FRESH)

    def test_the_queries_do_not_grow_with_the_recipients(self):
        def count():
            return query_count(lambda: by_key(self.org))

        people = make_people(self.org, 60)
        self.campaign(1, people[:6])
        few = count()
        self.campaign(2, people, clicked=10)
        self.campaign(3, people[10:], clicked=3)
        self.assertEqual(count(), few)
