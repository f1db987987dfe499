import datetime

from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry, Person
from tests.actions.base import PlanTestCase


class ActionNewTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("action_new")

    def data(self, **changes):
        data = {"title": "Verrouiller les postes", "description": "", "owner": self.person.id,
                "due_date": "2030-05-31", "status": "todo", "effort": "faible",
                "progress": "0", "notes": ""}
        data.update(changes)
        return data

    def test_it_adds_a_manual_action_and_audits(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, self.data(closes_diagnostic=["gouv-referent"]))
        self.assertRedirects(response, self.org_url("action_list"))
        action = Action.objects.get(title="Verrouiller les postes")
        self.assertEqual(action.organisation, self.org)
        self.assertEqual(action.source, Action.MANUAL)
        self.assertEqual(action.owner, self.person)
        self.assertEqual(action.due_date, datetime.date(2030, 5, 31))
        self.assertEqual(action.closes_at("diagnostic"), ["gouv-referent"])
        self.assertEqual(action.created_by, self.colin)
        self.assertTrue(AuditEntry.objects.filter(action="action.created",
                                                  object_id=str(action.id)).exists())

    def test_it_accepts_an_action_linked_to_nothing(self):
        self.client.force_login(self.colin)
        self.client.post(self.url, self.data(owner=""))
        action = Action.objects.get(title="Verrouiller les postes")
        self.assertEqual(action.closes_at("diagnostic"), [])
        self.assertEqual(action.source_data, {})
        self.assertIsNone(action.owner)

    def test_it_finishes_an_action_created_as_done(self):
        self.client.force_login(self.colin)
        self.client.post(self.url, self.data(status="done", progress="20"))
        action = Action.objects.get(title="Verrouiller les postes")
        self.assertEqual(action.progress, 100)
        self.assertIsNotNone(action.closed_at)

    def test_it_lists_current_staff_first(self):
        Person.objects.create(organisation=self.org, first_name="Ancien", last_name="Adjoint",
                              departure_date=datetime.date(2020, 1, 1))
        self.client.force_login(self.colin)
        content = self.client.get(self.url).content.decode()
        self.assertLess(content.index("Paul Préparateur"), content.index("Ancien Adjoint"))
        self.assertIn("Personnes parties", content)
        self.assertNotIn("Basile", content)

    def test_it_refuses_another_organisation_person(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, self.data(owner=self.other_person.id))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["owner"])
        self.assertFalse(Action.objects.filter(title="Verrouiller les postes").exists())

    def test_it_shows_errors_next_to_the_fields(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, self.data(
            title="x" * 201, due_date="31/02/2026", progress="150", status="fini"))
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"title", "due_date", "progress", "status"})
        self.assertContains(response, "Saisissez une date valide")
        self.assertContains(response, 'aria-invalid="true"', count=4)
        self.assertFalse(Action.objects.filter(organisation=self.org).exclude(
            pk=self.action.pk).exists())

    def test_it_needs_a_title(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, self.data(title="   "))
        self.assertIn("title", response.context["form"].errors)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, self.data()).status_code, 403)
        self.assertFalse(Action.objects.filter(title="Verrouiller les postes").exists())

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, self.data()).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
