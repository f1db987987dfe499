from datetime import date, timedelta

from allauth.mfa.models import Authenticator
from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.core.models import Membership, Person
from pharmagarde.diagnostic.models import Assessment
from tests.base import BaseTestCase


class DashboardTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("dashboard")

    def test_it_shows_the_organisation(self):
        self.client.force_login(self.owner)
        response = self.client.get(self.url)
        self.assertContains(response, "Pharmacie Alpha")
        self.assertContains(response, "À faire maintenant")

    def test_it_asks_for_mfa_when_missing(self):
        self.client.force_login(self.colin)
        self.assertContains(self.client.get(self.url), "Activez la double authentification")
        self.client.force_login(self.owner)
        self.assertNotContains(self.client.get(self.url), "Activez la double authentification")

    def test_it_asks_to_register_staff_when_none(self):
        Person.objects.filter(organisation=self.org).delete()
        self.client.force_login(self.owner)
        self.assertContains(self.client.get(self.url), "Enregistrez le personnel")

    def test_it_flags_departed_staff_who_still_have_access(self):
        Person.objects.create(organisation=self.org, first_name="Colin", last_name="Parti",
                              user=self.colin, departure_date=date(2024, 1, 31))
        self.client.force_login(self.owner)
        self.assertContains(self.client.get(self.url), "1 personne partie a encore un accès")

    def test_it_does_not_flag_a_future_departure(self):
        Person.objects.create(organisation=self.org, first_name="Colin", last_name="Bientôt",
                              user=self.colin, departure_date=date(2999, 1, 31))
        self.client.force_login(self.owner)
        self.assertNotContains(self.client.get(self.url), "partie a encore un accès")

    def test_it_suggests_inviting_a_colleague_to_a_lone_responsable(self):
        Membership.objects.filter(organisation=self.org).exclude(user=self.owner).delete()
        self.client.force_login(self.owner)
        self.assertContains(self.client.get(self.url), "Invitez votre référent")

    def test_it_is_readable_by_the_read_only_role(self):
        Authenticator.objects.filter(user=self.readonly).delete()
        self.client.force_login(self.readonly)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Enregistrez le personnel")

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)


class DashboardDiagnosticAndPlanTestCase(BaseTestCase):
    # Sign-in, membership, organisation switcher and session (8), "À faire maintenant" (4),
    # the two assessments (2), the plan (3), staff and member counts (2), the federations the
    # organisation belongs to (1).
    MAX_QUERIES_PER_PAGE = 20

    def setUp(self):
        self.url = self.org_url("dashboard")
        self.today = timezone.localdate()

    def get(self, user=None):
        self.client.force_login(user or self.owner)
        return self.client.get(self.url)

    def assessment(self, organisation=None, *, score=None, level=0, days_ago=None):
        return Assessment.objects.create(
            organisation=organisation or self.org, referential_version="2026.1",
            organisation_kind="officine", size_band="1-9", score=score, level=level,
            status="completed" if days_ago is not None else "in_progress",
            completed_at=None if days_ago is None
            else timezone.now() - timedelta(days=days_ago))

    def action(self, title, *, priority=500, due=None, status="todo", owner=None,
               organisation=None):
        return Action.objects.create(organisation=organisation or self.org, title=title,
                                     priority=priority, status=status, owner=owner,
                                     due_date=None if due is None
                                     else self.today + timedelta(days=due))

    def test_it_invites_to_start_the_diagnostic(self):
        response = self.get()
        self.assertContains(response, "Vous n'avez pas encore fait le diagnostic")
        self.assertContains(response, self.org_url("assessment_list"))

    def test_it_shows_the_latest_score_and_level(self):
        self.assessment(score=41.0, level=2, days_ago=400)
        latest = self.assessment(score=62.5, level=3, days_ago=3)
        self.assessment(other := self.other_org, score=99.0, level=4, days_ago=1)
        self.assertTrue(other)
        response = self.get()
        self.assertContains(response, '<span class="score__value">62,5</span>', html=True)
        self.assertShows(response, "Niveau 3 sur 4 : <strong>Maîtrisé</strong>", html=True)
        self.assertContains(response, "Les bonnes pratiques essentielles sont en place")
        self.assertContains(response, self.org_url("assessment_results", latest.pk))
        self.assertNotContains(response, "score__value\">99")  # not the older assessment
        self.assertNotContains(response, "Vous n'avez pas encore fait le diagnostic")

    def test_it_offers_to_continue_an_assessment_in_progress(self):
        ongoing = self.assessment()
        response = self.get()
        self.assertContains(response, "Un diagnostic est en cours")
        self.assertContains(response, self.org_url("assessment_detail", ongoing.pk))
        self.assertNotContains(response, "Vous n'avez pas encore fait le diagnostic")

    def test_it_shows_the_next_three_open_actions(self):
        self.action("Sauvegarde hors ligne", priority=2, due=30, owner=self.person)
        self.action("Référent désigné", priority=1, due=60)
        self.action("Mots de passe", priority=2, due=10)
        self.action("Wi-Fi invités", priority=9)
        self.action("Déjà faite", priority=0, status="done")
        self.action("Abandonnée", priority=0, status="dropped")
        self.action("Action de Bravo", priority=0, organisation=self.other_org)
        response = self.get()
        html = response.content.decode()
        section = html[html.index('id="plan-title"'):]
        titles = ["Référent désigné", "Mots de passe", "Sauvegarde hors ligne"]
        positions = [section.index(title) for title in titles]
        self.assertEqual(positions, sorted(positions))
        for absent in ("Wi-Fi invités", "Déjà faite", "Abandonnée", "Action de Bravo"):
            self.assertNotIn(absent, html)
        self.assertIn("Responsable : Paul Préparateur", section)
        self.assertIn("Sans responsable", section)
        self.assertIn("4 actions à faire ou en cours", section)
        self.assertContains(response, self.org_url("action_list"))

    def test_it_highlights_overdue_actions(self):
        late = self.action("Antivirus à installer", priority=50, due=-3,
                           status="in_progress")
        self.action("Pas encore", priority=1, due=5)
        self.action("Fermée en retard", due=-10, status="done")
        response = self.get()
        html = response.content.decode()
        overdue = html[html.index('id="overdue-title"'):html.index('id="diagnostic-title"')]
        self.assertIn("1 action en retard", overdue)
        self.assertIn("Antivirus à installer", overdue)
        self.assertIn("En retard", overdue)
        self.assertNotIn("Pas encore", overdue)
        self.assertNotIn("Fermée en retard", overdue)
        self.assertIn(self.org_url("action_edit", late.pk), overdue)

    def test_it_counts_all_overdue_actions_and_links_to_them(self):
        for index in range(8):
            self.action(f"En retard {index}", due=-1 - index)
        response = self.get()
        self.assertContains(response, "8 actions en retard")
        self.assertContains(response, "Voir les 8 actions en retard")
        self.assertContains(response, self.org_url("action_list") + "?overdue=1")

    def test_it_has_no_overdue_section_when_nothing_is_late(self):
        self.action("À venir", due=5)
        self.assertNotContains(self.get(), "en retard")

    def test_it_is_readable_by_the_read_only_role_with_a_plan(self):
        Authenticator.objects.filter(user=self.readonly).delete()
        self.assessment(score=50.0, level=3, days_ago=1)
        self.action("Retard", due=-2)
        self.assertEqual(self.get(self.readonly).status_code, 200)

    def test_its_query_count_does_not_grow_with_the_plan(self):
        self.assessment(score=50.0, level=3, days_ago=1)
        self.assessment()

        def make_action(index):
            self.action(f"Action {index}", priority=index % 7, due=(index % 9) - 4,
                        owner=self.person if index % 2 else None,
                        status=["todo", "in_progress", "done"][index % 3])

        self.client.force_login(self.owner)
        self.assertQueriesConstant(self.url, make_action)
