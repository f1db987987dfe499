from pharmagarde.actions.models import Action
from pharmagarde.core.models import Person
from tests.actions.base import PlanTestCase, days


class ActionListTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("action_list")

    def test_it_lists_the_organisation_actions_only(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "Changer le mot de passe du Wi-Fi")
        self.assertContains(response, "Paul Préparateur")
        self.assertNotContains(response, "Action Bravo")

    def test_it_shows_the_counts(self):
        self.make_action("En retard", due_date=days(-3))
        self.make_action("Commencée", status=Action.Status.IN_PROGRESS)
        self.make_action("Finie", status=Action.Status.DONE)
        self.client.force_login(self.colin)
        counts = self.client.get(self.url).context["counts"]
        self.assertEqual((counts["todo"], counts["in_progress"], counts["done"],
                          counts["overdue"]), (2, 1, 1, 1))

    def test_it_highlights_overdue_actions_with_text(self):
        self.make_action("Sauvegarde hors ligne", due_date=days(-1))
        self.make_action("Finie en retard", due_date=days(-1), status=Action.Status.DONE)
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "En retard</span>", count=1)
        self.assertContains(response, 'class="plan-row--late"', count=1)

    def test_it_shows_progress_and_flags(self):
        self.make_diagnostic_action("Antivirus", progress=40, resolved_at_source=True,
                                    measure="m-x")
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, 'value="40"')
        self.assertContains(response, "40 %")
        self.assertContains(response, "Résolue par le diagnostic")

    def test_it_names_the_questions_an_action_closes(self):
        assessment = self.make_assessment({"gouv-referent": ["non"]})
        self.make_diagnostic_action("Référent", measure="m-referent", assessment=assessment,
                                    question_ids=["gouv-referent", "disparue"])
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "Une personne est-elle chargée de la sécurité")
        self.assertContains(response, "Question « disparue » (retirée du questionnaire)")

    def test_it_filters(self):
        other = Person.objects.create(organisation=self.org, first_name="Rita", last_name="R")
        self.make_action("Manuelle en retard", due_date=days(-2), owner=other)
        self.make_diagnostic_action("Diagnostic commencée", measure="m-1",
                                    status=Action.Status.IN_PROGRESS, effort=Action.Effort.HIGH)
        self.client.force_login(self.colin)

        def titles(**params):
            response = self.client.get(self.url, params)
            return [a.title for a in response.context["page"].object_list]

        self.assertEqual(titles(overdue="on"), ["Manuelle en retard"])
        self.assertEqual(titles(status="in_progress"), ["Diagnostic commencée"])
        self.assertEqual(titles(source="diagnostic"), ["Diagnostic commencée"])
        self.assertEqual(titles(effort="important"), ["Diagnostic commencée"])
        self.assertEqual(titles(owner=other.id), ["Manuelle en retard"])
        self.assertEqual(titles(owner="none"), ["Diagnostic commencée"])
        self.assertEqual(titles(q="wi-fi"), ["Changer le mot de passe du Wi-Fi"])
        self.assertEqual(len(titles(status="open")), 3)

    def test_it_ignores_invalid_filters_and_another_organisation_person(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url, {"owner": self.other_person.id, "status": "x",
                                              "sort": "nope", "page": "abc"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["page"].object_list), 1)

    def test_it_sorts(self):
        self.make_action("Alpha", priority=900, due_date=days(1))
        self.make_action("Zèbre", priority=1, status=Action.Status.DONE)
        self.client.force_login(self.colin)

        def titles(sort):
            response = self.client.get(self.url, {"sort": sort})
            return [a.title for a in response.context["page"].object_list]

        self.assertEqual(titles("priority")[0], "Zèbre")
        self.assertEqual(titles("due")[0], "Alpha")
        self.assertEqual(titles("title"), ["Alpha", "Changer le mot de passe du Wi-Fi",
                                           "Zèbre"])
        self.assertEqual(titles("status")[-1], "Zèbre")

    def test_it_paginates(self):
        for i in range(30):
            self.make_action(f"Action {i}")
        self.client.force_login(self.colin)
        response = self.client.get(self.url, {"page": 2})
        self.assertEqual(len(response.context["page"].object_list), 6)

    def test_it_links_board_new_exports_and_print(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url, {"status": "todo"})
        for name in ("action_board", "action_new", "action_print", "action_export_xlsx",
                     "action_export_csv", "action_export_ics"):
            self.assertContains(response, self.org_url(name))
        self.assertContains(response, self.org_url("action_export_csv") + "?status=todo")

    def test_it_says_what_to_do_when_the_plan_is_empty(self):
        Action.objects.filter(organisation=self.org).delete()
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "Faites le diagnostic")
        self.assertContains(response, self.org_url("assessment_list"))

    def test_it_says_when_filters_match_nothing(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url, {"q": "introuvable"})
        self.assertContains(response, "Aucune action ne correspond à ces filtres.")

    def test_it_hides_the_add_button_from_the_read_only_role(self):
        self.client.force_login(self.readonly)
        response = self.client.get(self.url)
        self.assertContains(response, "Changer le mot de passe du Wi-Fi")
        self.assertNotContains(response, self.org_url("action_new"))

    def test_its_query_count_does_not_grow_with_the_actions(self):
        self.client.force_login(self.colin)
        assessment = self.make_assessment({"gouv-referent": ["non"]})

        def make_row(i):
            # Half from the diagnostic, half by hand and linked to a question.
            fields = {"owner": self.person, "due_date": days(i - 3)}
            action = self.make_diagnostic_action(
                f"Action {i}", measure=f"m-{i}", assessment=assessment,
                question_ids=["gouv-referent"], **fields) if i % 2 else self.make_linked_action(
                f"Action {i}", question_ids=["gouv-referent"], **fields)
            action.evidence.create(organisation=self.org, file="x.pdf", original_name="x.pdf",
                                   size=1, content_type="application/pdf")

        self.assertQueriesConstant(self.url, make_row)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/comptes/login/", response["Location"])
