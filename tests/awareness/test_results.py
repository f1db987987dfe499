"""Results of the campaigns: the funnel with and without scanner hits, unconfirmed clicks,
rates by job, by site and campaign after campaign, repeat clickers, the anonymity threshold
with adversarial groups (4 people, groups of 4 and 6, totals that would give a hidden group
away), named mode for the roles that manage campaigns, the Excel export (audited), access
for every role and a constant number of queries."""

import datetime
import io
import re

from django.utils import timezone
from openpyxl import load_workbook

from pharmagarde.awareness import results
from pharmagarde.awareness.models import Campaign, Event, Recipient
from pharmagarde.core.models import AuditEntry
from tests.base import BaseTestCase
from tests.smtp import SMTPTestMixin

from .base import launch, make_campaign, make_people, make_profile
from .test_tracking import BROWSER, tracked_path

HIDDEN = "moins de 5 personnes : non affiché"
R = Recipient.Result


class ResultsBase(BaseTestCase):
    number = 0

    def campaign(self, org=None, **fields):
        self.number += 1
        org = org or self.org
        return Campaign.objects.create(
            organisation=org, number=self.number, name=f"Campagne {self.number}",
            status=Campaign.Status.DONE,
            launched_at=timezone.now() + datetime.timedelta(minutes=self.number), **fields)

    def people(self, campaign, count, *, job="Préparateur", site="", result=R.NONE,
               start=0, confirmed=True, reported=False, email="p{i}@alpha.example",
               sent=True):
        """`count` recipients; clicks followed by the second step unless confirmed=False."""
        now = timezone.now()
        rows = Recipient.objects.bulk_create([
            Recipient(organisation=campaign.organisation, campaign=campaign,
                      email=email.format(i=i), first_name=f"Prénom{i}",
                      last_name=f"Famille{i}", job=job, site=site, send_at=now,
                      sent_at=now if sent else None, result=result,
                      clicked_at=now if result >= R.CLICKED else None,
                      reported_at=now if reported else None)
            for i in range(start, start + count)])
        if result >= R.CLICKED and confirmed:
            Event.objects.bulk_create([
                Event(organisation=campaign.organisation, campaign=campaign, recipient=row,
                      kind=Event.Kind.SECOND_STEP, at=now) for row in rows])
        return rows

    def scanner_click(self, row):
        Event.objects.create(organisation=row.organisation, campaign=row.campaign,
                             recipient=row, kind=Event.Kind.CLICKED, at=timezone.now(),
                             scanner=True, scanner_reason="requête HEAD")

    def page(self, user, name, *args):
        self.client.force_login(user)
        return self.client.get(self.org_url(name, *args))


class FunnelTestCase(ResultsBase):
    def setUp(self):
        self.c = self.campaign()
        self.people(self.c, 4, result=R.NONE, start=0)
        quiet = self.people(self.c, 2, result=R.OPENED, start=4, reported=True)
        self.people(self.c, 2, result=R.CLICKED, start=6)
        self.people(self.c, 1, result=R.CLICKED, start=8, confirmed=False)
        self.people(self.c, 1, result=R.SUBMITTED, start=9)
        self.scanner_click(quiet[0])
        self.people(self.c, 3, start=10, sent=False)  # not sent: not counted

    def test_the_funnel_counts_and_rates(self):
        found = results.campaign_results(self.c).funnel
        self.assertEqual((found.sent, found.opened, found.clicked,
                          found.clicked_with_scanners, found.unconfirmed, found.submitted,
                          found.reported), (10, 6, 4, 5, 1, 1, 2))
        self.assertEqual((found.rates["clicked"], found.rates["clicked_with_scanners"]),
                         (40.0, 50.0))

    def test_the_page_shows_both_click_rates_and_no_name(self):
        response = self.page(self.aude, "awareness_results", self.c.pk)
        self.assertShows(response, "Liens cliqués (filtres de messagerie exclus)")
        self.assertShows(response, "40,0 %")
        self.assertShows(response, "50,0 %")
        self.assertShows(response, "dont clics non confirmés")
        self.assertNotIn("Famille", response.content.decode())
        self.assertNotIn("alpha.example", response.content.decode().split("<footer")[0]
                         .replace("aude@alpha.example", ""))

    def test_the_export_has_the_aggregates_and_is_audited(self):
        response = self.page(self.alice, "awareness_results_xlsx", self.c.pk)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment;", response["Content-Disposition"])
        workbook = load_workbook(io.BytesIO(response.content))
        self.assertEqual(workbook.sheetnames, ["Campagne", "Par fonction", "Par site"])
        row = [cell.value for cell in workbook["Campagne"][2]]
        self.assertEqual(row[:4], [self.c.name, 10, 60, 40])
        entry = AuditEntry.objects.get(action="awareness.campaign_exported")
        self.assertEqual(entry.details, {"format": "xlsx", "nominatif": False})
        self.assertNotIn("Famille", str([[c.value for c in r] for r in
                                         workbook["Campagne"].iter_rows()]))

    def test_a_campaign_not_launched_says_so(self):
        draft = Campaign.objects.create(organisation=self.org, number=99, name="Brouillon")
        self.assertShows(self.page(self.alice, "awareness_results", draft.pk),
                         "Cette campagne n'est pas encore lancée")


class AnonymityTestCase(ResultsBase):
    def test_four_people_show_nothing(self):
        c = self.campaign()
        self.people(c, 4, result=R.CLICKED)
        found = results.campaign_results(c)
        self.assertIsNone(found.funnel)
        self.assertIsNone(found.by_job.total)
        response = self.page(self.alice, "awareness_results", c.pk)
        self.assertShows(response, HIDDEN)
        self.assertNotIn("Messages ouverts", response.content.decode())

    def test_groups_of_4_and_6_are_both_hidden_under_a_total_of_10(self):
        c = self.campaign()
        self.people(c, 4, job="Pharmacien", result=R.CLICKED)
        self.people(c, 6, job="Préparateur", start=4)
        found = results.campaign_results(c)
        self.assertEqual(found.funnel.sent, 10)
        self.assertEqual([(group.label, group.hidden) for group in found.by_job.groups],
                         [("Pharmacien", True), ("Préparateur", True)])
        response = self.page(self.alice, "awareness_results", c.pk)
        self.assertShows(response, HIDDEN, count=2)  # both jobs; the one site is shown
        self.assertNotIn("<td>6</td>", response.content.decode())

    def test_only_the_smallest_group_shown_is_hidden_too(self):
        c = self.campaign()
        self.people(c, 4, job="Pharmacien", site="Centre")
        self.people(c, 6, job="Préparateur", start=4, site="Centre")
        self.people(c, 7, job="Apprenti", start=10, site="Gare", result=R.CLICKED)
        groups = results.campaign_results(c).by_job.groups
        self.assertEqual([(group.label, group.hidden) for group in groups],
                         [("Apprenti", False), ("Pharmacien", True), ("Préparateur", True)])
        sites = results.campaign_results(c).by_site.groups
        self.assertEqual([(group.label, group.hidden) for group in sites],
                         [("Centre", False), ("Gare", False)])

    def test_two_small_groups_together_under_five_hide_a_third(self):
        groups = results.hide_small([
            ("a", "a", results.Counts(2, 2, 0, 0, 0, 0, 0, 0)),
            ("b", "b", results.Counts(2, 2, 0, 0, 0, 0, 0, 0)),
            ("c", "c", results.Counts(8, 8, 0, 0, 0, 0, 0, 0)),
            ("d", "d", results.Counts(9, 9, 0, 0, 0, 0, 0, 0))])
        self.assertEqual([group.hidden for group in groups], [True, True, True, False])

    def test_an_empty_group_hides_nothing_else(self):
        groups = results.hide_small([
            ("a", "a", results.Counts(0, 0, 0, 0, 0, 0, 0, 0)),
            ("b", "b", results.Counts(6, 6, 0, 0, 0, 0, 0, 0))])
        self.assertEqual([group.hidden for group in groups], [True, False])

    def test_a_small_campaign_cannot_be_worked_out_from_the_totals(self):
        small, large = self.campaign(), self.campaign()
        self.people(small, 3, result=R.CLICKED, email="s{i}@alpha.example")
        self.people(large, 10, email="l{i}@alpha.example")
        found = results.overview(self.org)
        self.assertEqual(found.total.sent, 13)
        self.assertEqual([group.hidden for _campaign, group in found.campaigns],
                         [True, True])
        response = self.page(self.dora, "awareness_results_overview")
        self.assertShows(response, HIDDEN)
        self.assertNotIn("Campagne 2 : 0,0 %", response.content.decode())

    def test_jobs_across_campaigns_count_people_not_messages(self):
        # Two pharmacists in three campaigns: six messages, still two people.
        for _index in range(3):
            c = self.campaign()
            self.people(c, 2, job="Pharmacien")
            self.people(c, 6, job="Préparateur", start=2)
        groups = results.overview(self.org).by_job.groups
        self.assertTrue(next(g for g in groups if g.label == "Pharmacien").hidden)

    def test_repeat_clickers_are_a_count_only_and_need_five_people(self):
        first, second = self.campaign(), self.campaign()
        self.people(first, 4, result=R.CLICKED)
        self.people(second, 4, result=R.CLICKED)
        self.assertEqual(results.repeat_clickers(self.org), (None, 4))
        self.people(first, 1, start=4)
        self.people(second, 1, start=4, result=R.CLICKED)
        self.assertEqual(results.repeat_clickers(self.org), (4, 5))
        response = self.page(self.alice, "awareness_results_overview")
        self.assertShows(response, "4 personnes ont cliqué dans au moins deux campagnes "
                                   "(sur 5 ayant reçu deux campagnes ou plus).")
        self.assertShows(response, "moyenne anonyme des structures de la fédération : pas "
                                   "encore disponible")


class NamedModeTestCase(ResultsBase):
    def setUp(self):
        self.c = self.campaign(named=True, named_reason="Audit de certification HDS demandé")
        self.people(self.c, 3, result=R.CLICKED, site="Centre")
        self.people(self.c, 1, result=R.CLICKED, start=3, confirmed=False)
        self.people(self.c, 2, start=4, reported=True)

    def test_the_managers_see_the_people_and_the_reason(self):
        for user in (self.alice, self.rita):
            response = self.page(user, "awareness_results", self.c.pk)
            self.assertShows(response, "Audit de certification HDS demandé")
            self.assertShows(response, "Prénom0 Famille0")
            self.assertShows(response, 'badge--warn">clic non confirmé', count=1)

    def test_the_readers_see_the_reason_but_no_name(self):
        for user in (self.dora, self.aude):
            response = self.page(user, "awareness_results", self.c.pk)
            self.assertShows(response, "Audit de certification HDS demandé")
            self.assertNotIn("Famille", response.content.decode())
            export = self.page(user, "awareness_results_xlsx", self.c.pk)
            self.assertNotIn("Personnes", load_workbook(io.BytesIO(export.content)).sheetnames)

    def test_the_managers_export_has_the_people(self):
        response = self.page(self.alice, "awareness_results_xlsx", self.c.pk)
        sheet = load_workbook(io.BytesIO(response.content))["Personnes"]
        self.assertEqual(sheet.max_row, 7)
        self.assertEqual(sheet["A2"].value, "Famille0")
        self.assertEqual(AuditEntry.objects.get(action="awareness.campaign_exported")
                         .details["nominatif"], True)

    def test_an_anonymous_campaign_shows_no_name_even_to_managers(self):
        c = self.campaign()
        self.people(c, 6, result=R.CLICKED)
        response = self.page(self.alice, "awareness_results", c.pk)
        self.assertNotIn("Famille", response.content.decode())
        self.assertEqual(results.named_rows(c), [])


class AccessTestCase(ResultsBase):
    def setUp(self):
        self.c = self.campaign()
        self.people(self.c, 6)
        self.urls = [self.org_url("awareness_results_overview"),
                     self.org_url("awareness_results", self.c.pk),
                     self.org_url("awareness_results_xlsx", self.c.pk)]

    def test_the_readers_read(self):
        for user in (self.alice, self.rita, self.dora, self.aude):
            self.client.force_login(user)
            for url in self.urls:
                self.assertEqual(self.client.get(url).status_code, 200, (user, url))

    def test_the_staff_without_a_reading_role_get_403(self):
        self.client.force_login(self.colin)
        for url in self.urls:
            self.assertEqual(self.client.get(url).status_code, 403, url)

    def test_the_outsider_gets_404_and_the_anonymous_visitor_signs_in(self):
        self.client.force_login(self.oscar)
        for url in self.urls:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.client.logout()
        for url in self.urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn("/login/", response["Location"])

    def test_another_organisations_campaign_is_404(self):
        theirs = self.campaign(org=self.other_org)
        self.client.force_login(self.alice)
        for name in ("awareness_results", "awareness_results_xlsx"):
            self.assertEqual(self.client.get(self.org_url(name, theirs.pk)).status_code, 404)

    def test_posts_are_refused(self):
        self.client.force_login(self.aude)
        for url in self.urls:
            self.assertEqual(self.client.post(url).status_code, 403, url)
        self.client.force_login(self.alice)
        for url in self.urls:
            self.assertEqual(self.client.post(url).status_code, 405, url)
        self.assertFalse(AuditEntry.objects.filter(
            action="awareness.campaign_exported").exists())


class CostTestCase(ResultsBase):
    def test_the_overview_costs_the_same_for_5_and_60_campaigns(self):
        self.client.force_login(self.alice)

        def make_row(index):
            c = self.campaign()
            self.people(c, 6, result=R.CLICKED if index % 2 else R.NONE,
                        job=f"Fonction {index % 3}", site=f"Site {index % 2}")

        self.assertQueriesConstant(self.org_url("awareness_results_overview"), make_row)

    def test_a_campaign_costs_the_same_for_5_and_60_people(self):
        self.client.force_login(self.alice)
        c = self.campaign(named=True, named_reason="Contrôle")
        self.assertQueriesConstant(
            self.org_url("awareness_results", c.pk),
            lambda index: self.people(c, 1, start=index, result=R.CLICKED,
                                      job=f"Fonction {index % 4}"))


class EndToEndTestCase(SMTPTestMixin, BaseTestCase):
    def test_a_click_in_a_real_campaign_shows_in_its_results(self):
        campaign = make_campaign(self.org, make_profile(self.org, self.smtp),
                                 make_people(self.org, 5), enrol=False)
        launch(self, self.alice, campaign)
        messages = self.smtp.wait_for(5)
        Recipient.objects.filter(campaign=campaign).update(
            sent_at=timezone.now() - datetime.timedelta(hours=1))
        link = tracked_path(messages[0])
        self.client.get(link, HTTP_USER_AGENT=BROWSER)
        self.client.get(f"{link}vu.gif", HTTP_USER_AGENT=BROWSER)
        self.client.head(tracked_path(messages[1]), HTTP_USER_AGENT=BROWSER)
        self.client.force_login(self.alice)
        response = self.client.get(self.org_url("awareness_results", campaign.pk))
        page = response.content.decode().replace("\u00a0", " ")
        self.assertRegex(page, re.compile(r"filtres de messagerie exclus\)</th><td>1</td>"
                                          r"<td><span class=\"badge badge--warn\">20,0 %"))
        self.assertRegex(page, r"filtres de messagerie compris</th><td>2</td><td>40,0 %")
