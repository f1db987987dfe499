from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from tests.actions.base import PlanTestCase, days


class ActionPrintTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("action_print")

    def test_it_prints_the_plan_grouped_by_status_without_navigation(self):
        self.make_action("Commencée", status=Action.Status.IN_PROGRESS, how="Suivez le guide.")
        self.make_action("Finie", status=Action.Status.DONE)
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "Pharmacie Alpha")
        self.assertContains(response, "état au ")
        content = response.content.decode()
        self.assertLess(content.index("À faire (1)"), content.index("En cours (1)"))
        self.assertLess(content.index("En cours (1)"), content.index("Terminée (1)"))
        self.assertNotIn("Abandonnée (", content)
        self.assertIn("Suivez le guide.", content)
        self.assertNotIn('class="org-nav"', content)
        self.assertNotIn("<script", content)
        self.assertNotIn("style=", content)
        self.assertNotIn("Action Bravo", content)

    def test_it_applies_the_filters(self):
        self.make_action("En retard", due_date=days(-1))
        self.client.force_login(self.colin)
        response = self.client.get(self.url, {"overdue": "on"})
        self.assertContains(response, "En retard")
        self.assertNotContains(response, "Changer le mot de passe du Wi-Fi")
        self.assertContains(response, "Liste filtrée")
        entry = AuditEntry.objects.get(action="plan.exported")
        self.assertEqual(entry.details, {"format": "impression", "filtres": {"overdue": "True"}})

    def test_its_query_count_does_not_grow_with_the_actions(self):
        self.client.force_login(self.colin)

        def make_row(i):
            self.make_action(f"Action {i}", owner=self.person, status=list(Action.Status)[i % 4])

        self.assertQueriesConstant(self.url, make_row)

    def test_the_read_only_role_may_print(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
