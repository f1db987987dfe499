"""The page across one's organisations, /mes-structures/: one line per organisation with
each app's facts, the rights of the membership on each line, sorts, filter, pagination,
the Excel export and the query count (the same for 3 organisations as for 30)."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.awareness.models import Assignment, Campaign
from pharmagarde.continuity.models import RestoreTest
from pharmagarde.core import audit
from pharmagarde.core import portfolio as facts
from pharmagarde.core.models import AuditEntry, Membership, Person, Role
from pharmagarde.diagnostic.models import Assessment
from pharmagarde.incidents.models import Breach, Incident, Obligation, ResponseProfile
from pharmagarde.inventory.models import Finding
from pharmagarde.privacy.models import PersonRequest, Processor
from tests.base import BaseTestCase, make_organisation, make_user, valid_siret

URL = reverse("portfolio")


def completed_assessment(organisation, *, score=62.0, days_ago=10):
    return Assessment.objects.create(
        organisation=organisation, referential_version="2025.1",
        organisation_kind=organisation.kind, size_band=organisation.size_band,
        status=Assessment.Status.COMPLETED, score=score, level=2,
        completed_at=timezone.now() - datetime.timedelta(days=days_ago))


def fill(organisation, user, number=1):
    """One row of what every app summarises, in `organisation`."""
    today = timezone.localdate()
    now = timezone.now()
    completed_assessment(organisation)
    Action.objects.create(organisation=organisation, title="Mettre à jour le poste",
                          due_date=today - datetime.timedelta(days=3))
    incident = Incident.objects.create(
        organisation=organisation, number=number, kind=Incident.Kind.DATA_LEAK,
        description="Courriel envoyé au mauvais destinataire",
        noticed_at=now - datetime.timedelta(hours=60), declared_by=user)
    Breach.objects.create(organisation=organisation, number=number, incident=incident,
                          aware_at=now - datetime.timedelta(hours=60))
    Finding.objects.create(organisation=organisation, rule="compte-parti",
                           subject=f"account:{number}", severity=1, first_seen=now,
                           last_seen=now)
    RestoreTest.objects.create(organisation=organisation, tested_on=today, what="LGO",
                               duration_minutes=30, result=RestoreTest.Result.SUCCESS)
    PersonRequest.objects.create(organisation=organisation, number=number,
                                 requester_name="M. Durand", right="acces",
                                 received_on=today - datetime.timedelta(days=60))
    Processor.objects.create(organisation=organisation, name="Éditeur LGO",
                             contract_signed_on=today - datetime.timedelta(days=800))
    person = Person.objects.create(organisation=organisation, first_name="Léa",
                                   last_name="Martin", email=f"lea{number}@example.fr")
    Assignment.objects.create(organisation=organisation, person=person, module="hameconnage",
                              due_on=today - datetime.timedelta(days=2))
    Campaign.objects.create(organisation=organisation, number=1, name="Fausse facture",
                            launched_at=now - datetime.timedelta(days=20),
                            status=Campaign.Status.DONE)


class SummariesTestMixin:
    """What the tests of each app's `portfolio.summaries` share (tests/<app>/)."""

    def memberships(self, user):
        return list(Membership.objects.filter(user=user).select_related("organisation"))

    def assertSummariesCost(self, summaries, queries, role=Role.AUDITEUR):
        """`queries` for Alice's two organisations, whatever they hold; nothing for none."""
        Membership.objects.create(organisation=self.other_org, user=self.alice, role=role)
        memberships = self.memberships(self.alice)
        with self.assertNumQueries(queries):
            found = summaries(memberships)
        self.assertEqual(set(found), {self.org.pk, self.other_org.pk})
        with self.assertNumQueries(0):
            self.assertEqual(summaries([]), {})


class PortfolioTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.lab = make_organisation("Laboratoire Charlie", "charlie", kind="lbm",
                                    siret=valid_siret(3))
        cls.provider = make_user("prestataire@example.fr", with_mfa=True)
        Membership.objects.create(organisation=cls.org, user=cls.provider,
                                  role=Role.COLLABORATEUR)
        Membership.objects.create(organisation=cls.other_org, user=cls.provider,
                                  role=Role.RESPONSABLE)
        Membership.objects.create(organisation=cls.lab, user=cls.provider,
                                  role=Role.REFERENT)

    def rows(self, response):
        return {line.organisation.slug: {cell["fact"].key: cell["fact"] for cell in cells
                                         if cell["fact"]}
                for line, cells in response.context["rows"]}

    def test_it_redirects_anonymous(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("account_login"), response["Location"])

    def test_it_tells_a_user_without_membership_what_to_do(self):
        self.client.force_login(make_user("seul@example.fr"))
        response = self.client.get(URL)
        self.assertShows(response, "Vous n'êtes membre d'aucune structure")
        self.assertContains(response, reverse("organisation_new"))

    def test_it_shows_one_line_per_organisation_with_the_role_there(self):
        self.client.force_login(self.provider)
        response = self.client.get(URL)
        self.assertEqual(set(self.rows(response)), {"alpha", "bravo", "charlie"})
        self.assertContains(response, "Collaborateur")
        self.assertContains(response, "Référent cybersécurité")
        self.assertContains(response, self.org_url("dashboard", org=self.lab))

    def test_it_gives_each_line_the_columns_of_the_role_there(self):
        for organisation in (self.org, self.other_org):
            fill(organisation, self.provider)
        self.client.force_login(self.provider)
        rows = self.rows(self.client.get(URL))
        # A collaborateur of Alpha: no people's requests, no training dashboard.
        self.assertNotIn("privacy.requests", rows["alpha"])
        self.assertNotIn("awareness.training", rows["alpha"])
        self.assertIn("diagnostic.score", rows["alpha"])
        # The responsable of Bravo sees them.
        self.assertEqual(rows["bravo"]["privacy.requests"].level, facts.ALERT)
        self.assertEqual(rows["bravo"]["awareness.training"].text, "1 module en retard")

    def test_it_links_each_fact_into_its_organisation(self):
        fill(self.other_org, self.provider)
        self.client.force_login(self.provider)
        rows = self.rows(self.client.get(URL))
        for slug, found in rows.items():
            for fact in found.values():
                self.assertTrue(fact.url.startswith(f"/o/{slug}/"), fact)

    def test_it_puts_alerts_first(self):
        fill(self.lab, self.provider)
        self.client.force_login(self.provider)
        lines = [line.organisation.slug for line, _cells in
                 self.client.get(URL).context["rows"]]
        self.assertEqual(lines[0], "charlie")

    def test_it_sorts_by_name_score_and_overdue(self):
        completed_assessment(self.org, score=80)
        completed_assessment(self.other_org, score=30)
        Action.objects.create(organisation=self.lab, title="En retard",
                              due_date=timezone.localdate() - datetime.timedelta(days=1))
        self.client.force_login(self.provider)

        def order(sort):
            return [line.organisation.slug for line, _cells in
                    self.client.get(URL, {"tri": sort}).context["rows"]]

        self.assertEqual(order("nom"), ["charlie", "alpha", "bravo"])
        self.assertEqual(order("score"), ["bravo", "alpha", "charlie"])
        self.assertEqual(order("retard")[0], "charlie")

    def test_it_filters_by_kind(self):
        self.client.force_login(self.provider)
        response = self.client.get(URL, {"type": "lbm"})
        self.assertEqual(set(self.rows(response)), {"charlie"})
        self.assertContains(response, '<option value="lbm" selected>', html=False)

    def test_it_ignores_bad_input(self):
        self.client.force_login(self.provider)
        response = self.client.get(URL, {"type": "<x>", "tri": "pk';", "page": "abc"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["rows"]), 3)

    def test_it_refuses_a_post(self):
        self.client.force_login(self.provider)
        self.assertEqual(self.client.post(URL).status_code, 405)

    def test_it_lists_federations_apart(self):
        federation = make_organisation("Groupement Ouest", "groupement-ouest",
                                       kind="federation", siret=valid_siret(9))
        Membership.objects.create(organisation=federation, user=self.provider,
                                  role=Role.REFERENT)
        self.client.force_login(self.provider)
        response = self.client.get(URL)
        self.assertNotIn("groupement-ouest", self.rows(response))
        self.assertShows(response, "Mes fédérations")
        self.assertContains(response, self.org_url("dashboard", org=federation))

    def test_it_exports_the_table(self):
        from openpyxl import load_workbook

        fill(self.other_org, self.provider)
        self.client.force_login(self.provider)
        response = self.client.get(URL, {"export": "xlsx", "tri": "nom"})
        self.assertEqual(response["Content-Type"],
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.values)
        self.assertEqual(values[0][:3], ("Structure", "Type", "Votre rôle"))
        self.assertEqual([row[0] for row in values[1:]],
                         ["Laboratoire Charlie", "Pharmacie Alpha", "Pharmacie Bravo"])
        bravo = dict(zip(values[0], values[3], strict=True))
        self.assertEqual(bravo["Demandes des personnes"], "Urgent : 1 demande en retard")
        alpha = dict(zip(values[0], values[2], strict=True))
        self.assertIsNone(alpha["Demandes des personnes"])


    def test_it_links_to_the_bulk_pages_where_the_role_allows_them(self):
        self.client.force_login(self.provider)
        response = self.client.get(URL)
        self.assertContains(response, reverse("awareness_bulk_assign"))
        self.assertContains(response, reverse("awareness_bulk_campaign"))

    def test_it_hides_the_bulk_pages_from_a_role_that_may_use_them_nowhere(self):
        user = make_user("lecteur@example.fr")
        Membership.objects.create(organisation=self.org, user=user, role=Role.COLLABORATEUR)
        Membership.objects.create(organisation=self.lab, user=user, role=Role.AUDITEUR)
        self.client.force_login(user)
        response = self.client.get(URL)
        self.assertEqual(len(response.context["rows"]), 2)
        self.assertNotContains(response, reverse("awareness_bulk_assign"))
        self.assertNotContains(response, reverse("awareness_bulk_campaign"))
        self.assertNotContains(response, "Assigner un module à plusieurs structures")

    def test_its_export_is_audited_in_each_organisation(self):
        audit.record("auth.login", actor=self.provider)  # the chain goes on from an entry
        self.client.force_login(self.provider)
        response = self.client.get(URL, {"export": "xlsx", "tri": "nom"})
        self.assertEqual(response.status_code, 200)
        entries = AuditEntry.objects.filter(action="portfolio.exported")
        self.assertEqual(sorted(entry.organisation_id for entry in entries),
                         sorted([self.org.pk, self.other_org.pk, self.lab.pk]))
        for entry in entries:
            self.assertEqual(entry.actor, self.provider)
            self.assertEqual(entry.details, {"tri": "nom", "type": "", "structures": 3})
        self.assertTrue(audit.verify().ok)

    def test_its_export_audits_only_the_organisations_it_lists(self):
        self.client.force_login(self.provider)
        self.client.get(URL, {"export": "xlsx", "type": "lbm"})
        entries = AuditEntry.objects.filter(action="portfolio.exported")
        self.assertEqual([(entry.organisation_id, entry.details["structures"])
                          for entry in entries], [(self.lab.pk, 1)])
        self.assertEqual(entries[0].details["type"], "lbm")

    def test_the_page_itself_is_not_audited(self):
        self.client.force_login(self.provider)
        self.client.get(URL)
        self.assertFalse(AuditEntry.objects.filter(action="portfolio.exported").exists())


class PortfolioPagesTestCase(BaseTestCase):
    def make_organisations(self, user, start, end, role=Role.REFERENT):
        for i in range(start, end):
            organisation = make_organisation(f"Officine {i:02d}", f"officine-{i:02d}",
                                             siret=valid_siret(100 + i))
            Membership.objects.create(organisation=organisation, user=user, role=role)
            fill(organisation, user, number=1)
            # The incident's recorded steps, read for its NIS 2 and CNIL clocks.
            ResponseProfile.objects.create(organisation=organisation, nis2_entity=True)
            found = Incident.objects.get(organisation=organisation)
            for code in ("nis2_early", "cnil_initial"):
                Obligation.objects.create(organisation=organisation, incident=found,
                                          code=code, done_at=timezone.now(),
                                          reference=f"REF-{i}")

    def test_it_costs_the_same_for_3_and_for_30_organisations(self):
        user = make_user("it@example.fr", with_mfa=True)
        self.client.force_login(user)

        def count():
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(URL).status_code, 200)
            return len(ctx.captured_queries)

        self.make_organisations(user, 0, 3)
        few = count()
        self.make_organisations(user, 3, 30)
        many = count()
        self.assertEqual(few, many)
        self.assertLessEqual(many, 20)

    def test_it_shows_25_lines_a_page(self):
        user = make_user("it@example.fr", with_mfa=True)
        for i in range(30):
            organisation = make_organisation(f"Officine {i:02d}", f"officine-{i:02d}",
                                             siret=valid_siret(100 + i))
            Membership.objects.create(organisation=organisation, user=user,
                                      role=Role.AUDITEUR)
        self.client.force_login(user)
        first = self.client.get(URL, {"tri": "nom"})
        self.assertEqual(len(first.context["rows"]), 25)
        self.assertContains(first, "Page 1 sur 2")
        second = self.client.get(URL, {"tri": "nom", "page": 2})
        self.assertEqual([line.organisation.name for line, _ in second.context["rows"]],
                         [f"Officine {i}" for i in range(25, 30)])


class PortfolioLinksTestCase(BaseTestCase):
    def test_home_links_to_it_for_two_memberships_or_more(self):
        Membership.objects.create(organisation=self.other_org, user=self.colin,
                                  role=Role.AUDITEUR)
        self.client.force_login(self.colin)
        self.assertContains(self.client.get(reverse("home")), URL)

    def test_home_still_opens_the_only_organisation(self):
        self.client.force_login(self.colin)
        self.assertRedirects(self.client.get(reverse("home")), self.org_url("dashboard"))


class PortfolioDemoTestCase(TestCase):
    def test_the_demo_provider_sees_three_structures_with_their_facts(self):
        from pharmagarde.core import demo

        demo.load()
        provider = get_user_model().objects.get(email=demo.PRESTATAIRE.email)
        self.client.force_login(provider)
        rows = self.client.get(URL).context["rows"]
        self.assertEqual(sorted(line.organisation.kind for line, _cells in rows),
                         ["lbm", "officine", "pui"])
        for line, _cells in rows:
            self.assertEqual(line.membership.role, Role.REFERENT)
            self.assertIn(facts.SCORE, line.facts)
            self.assertIn("awareness.training", line.facts)
