from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from tests.actions.base import PlanTestCase


class ActionStatusTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("action_status", self.action.id)

    def test_it_moves_the_action_without_javascript(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, {"status": "in_progress", "revision": 1},
                                    follow=True)
        self.assertRedirects(response, self.org_url("action_board"))
        self.assertContains(response, "est maintenant « En cours »")
        self.action.refresh_from_db()
        self.assertEqual(self.action.status, Action.Status.IN_PROGRESS)
        self.assertEqual(self.action.revision, 2)

    def test_it_goes_back_to_the_page_it_came_from_on_this_plan_only(self):
        self.client.force_login(self.colin)
        board = self.org_url("action_board") + "?effort=faible"
        response = self.client.post(self.url, {"status": "in_progress", "revision": 1,
                                               "next": board})
        self.assertRedirects(response, board)
        response = self.client.post(self.url, {"status": "todo", "revision": 2,
                                               "next": "https://evil.example/"})
        self.assertRedirects(response, self.org_url("action_board"))

    def test_it_resolves_dot_segments_before_checking_that_next_is_on_this_plan(self):
        self.client.force_login(self.colin)
        plan = self.org_url("action_list")  # /o/alpha/plan/
        for walks_out in [plan + "../../..//evil.example", plan + "../../bravo/plan/",
                          plan + "%2e%2e/%2e%2e/bravo/plan/"]:
            with self.subTest(next=walks_out):
                response = self.client.post(self.url, {"status": "todo", "revision": 1,
                                                       "next": walks_out})
                self.assertRedirects(response, self.org_url("action_board"))
        inside = plan + "tableau/../?statut=todo"
        response = self.client.post(self.url, {"status": "todo", "revision": 1, "next": inside})
        self.assertRedirects(response, plan + "?statut=todo")

    def test_it_swaps_the_board_with_htmx(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, {"status": "in_progress", "revision": 1},
                                    headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertTrue(content.lstrip().startswith('<div id="board"'))
        self.assertNotIn("<html", content)
        self.assertIn('hx-swap-oob="innerHTML"', content)
        self.assertIn("est maintenant « En cours »", content)
        # The moved card keeps its button id, so that htmx gives the focus back to it.
        self.assertIn(f'id="move-{self.action.id}"', content)

    def test_finishing_sets_progress_and_announces_the_next_assessment(self):
        self.action.source_data = {"closes": {"diagnostic": ["gouv-referent"]}}
        self.action.save()
        self.client.force_login(self.colin)
        response = self.client.post(self.url, {"status": "done", "revision": 1},
                                    headers={"HX-Request": "true"})
        self.assertContains(response, "Au prochain diagnostic, la réponse améliorée vous sera "
                                      "proposée")
        self.action.refresh_from_db()
        self.assertEqual(self.action.progress, 100)
        self.assertIsNotNone(self.action.closed_at)
        self.assertTrue(AuditEntry.objects.filter(action="action.closed").exists())

    def test_it_refuses_an_unknown_status(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, {"status": "fini", "revision": 1}, follow=True)
        self.assertContains(response, "Le statut n&#x27;a pas changé")
        self.action.refresh_from_db()
        self.assertEqual(self.action.status, Action.Status.TODO)

    def test_it_refuses_a_malformed_revision(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, {"status": "done", "revision": "x"},
                                    headers={"HX-Request": "true"})
        self.assertContains(response, "Le statut n&#x27;a pas changé")
        self.assertContains(response, "message--error")
        self.action.refresh_from_db()
        self.assertEqual(self.action.status, Action.Status.TODO)

    def test_it_refuses_a_stale_revision(self):
        Action.objects.filter(pk=self.action.pk).update(revision=5,
                                                        status=Action.Status.DROPPED)
        self.client.force_login(self.colin)
        response = self.client.post(self.url, {"status": "done", "revision": 1}, follow=True)
        self.assertContains(response, "entre-temps")
        self.assertContains(response, "« Abandonnée »")
        self.action.refresh_from_db()
        self.assertEqual(self.action.status, Action.Status.DROPPED)

    def test_it_refuses_get(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        response = self.client.post(self.url, {"status": "done", "revision": 1})
        self.assertEqual(response.status_code, 403)

    def test_it_hides_another_organisation_action(self):
        self.client.force_login(self.owner)
        url = self.org_url("action_status", self.other_action.id)
        self.assertEqual(self.client.post(url, {"status": "done", "revision": 1}).status_code,
                         404)
        self.other_action.refresh_from_db()
        self.assertEqual(self.other_action.status, Action.Status.TODO)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.url, {"status": "done"}).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.post(self.url, {"status": "done"}).status_code, 302)
