from pharmagarde.actions.models import Action
from tests.actions.base import PlanTestCase, days


class ActionBoardTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("action_board")

    def test_it_shows_one_column_per_status(self):
        self.make_action("Commencée", status=Action.Status.IN_PROGRESS)
        self.make_action("Finie", status=Action.Status.DONE)
        self.make_action("Laissée", status=Action.Status.DROPPED)
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        columns = {c["status"]: [a.title for a in c["cards"]]
                   for c in response.context["columns"]}
        self.assertEqual(columns, {"todo": ["Changer le mot de passe du Wi-Fi"],
                                   "in_progress": ["Commencée"], "done": ["Finie"],
                                   "dropped": ["Laissée"]})
        for label in ("À faire", "En cours", "Terminée", "Abandonnée"):
            self.assertContains(response, label)
        self.assertNotContains(response, "Action Bravo")

    def test_each_card_has_a_labelled_status_form(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        status_url = self.org_url("action_status", self.action.id)
        self.assertContains(response, f'action="{status_url}"')
        self.assertContains(response, f'hx-post="{status_url}"')
        self.assertContains(response, f'<label for="status-{self.action.id}">Déplacer vers')
        self.assertContains(response, 'name="revision" value="1"')

    def test_it_highlights_overdue_cards_with_text(self):
        self.make_action("Sauvegarde", due_date=days(-1))
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "board-card--late", count=1)
        self.assertContains(response, "En retard</span>", count=1)

    def test_it_filters(self):
        self.make_action("Importante", effort=Action.Effort.HIGH)
        self.client.force_login(self.colin)
        response = self.client.get(self.url, {"effort": "important"})
        titles = [a.title for c in response.context["columns"] for a in c["cards"]]
        self.assertEqual(titles, ["Importante"])

    def test_it_says_what_to_do_when_the_plan_is_empty(self):
        Action.objects.filter(organisation=self.org).delete()
        self.client.force_login(self.colin)
        self.assertContains(self.client.get(self.url), "Faites le diagnostic")

    def test_it_shows_the_read_only_role_cards_without_forms(self):
        self.client.force_login(self.readonly)
        response = self.client.get(self.url)
        self.assertContains(response, "Changer le mot de passe du Wi-Fi")
        self.assertNotContains(response, "Déplacer vers")

    def test_its_query_count_does_not_grow_with_the_actions(self):
        self.client.force_login(self.colin)
        statuses = list(Action.Status)

        def make_row(i):
            self.make_action(f"Action {i}", owner=self.person, status=statuses[i % 4],
                             due_date=days(i - 10))

        self.assertQueriesConstant(self.url, make_row)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
