from pharmagarde.actions import services
from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from pharmagarde.diagnostic.plan_source import plan_sync_from_assessment
from tests.actions.base import PlanTestCase


class ActionEditTestCase(PlanTestCase):
    def setUp(self):
        self.url = self.org_url("action_edit", self.action.id)

    def test_it_updates_and_audits(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, self.edit_data(
            self.action, progress=50, status="in_progress", notes="Box changée"))
        self.assertRedirects(response, self.org_url("action_list"))
        self.action.refresh_from_db()
        self.assertEqual((self.action.progress, self.action.status, self.action.notes),
                         (50, "in_progress", "Box changée"))
        self.assertEqual(self.action.revision, 2)
        entry = AuditEntry.objects.get(action="action.updated")
        self.assertEqual(entry.details["champs"], ["notes", "progress", "status"])

    def test_finishing_sets_progress_and_closed_at_and_announces_the_next_assessment(self):
        self.action.source_data = {"closes": {"diagnostic": ["gouv-referent"]}}
        self.action.save()
        self.client.force_login(self.colin)
        response = self.client.post(self.url, self.edit_data(self.action, status="done",
                                                             progress=10), follow=True)
        self.action.refresh_from_db()
        self.assertEqual(self.action.progress, 100)
        self.assertIsNotNone(self.action.closed_at)
        self.assertContains(response, "Au prochain diagnostic, la réponse améliorée vous sera "
                                      "proposée")
        self.assertTrue(AuditEntry.objects.filter(action="action.closed").exists())

    def test_reopening_clears_closed_at(self):
        self.action.status = Action.Status.DONE
        services.action_save(acting_user=self.alice, action=self.action)
        self.client.force_login(self.colin)
        self.client.post(self.url, self.edit_data(self.action, status="todo", progress=60))
        self.action.refresh_from_db()
        self.assertIsNone(self.action.closed_at)
        self.assertEqual(self.action.progress, 60)

    def test_it_refuses_a_concurrent_edit_and_shows_the_other_version(self):
        self.client.force_login(self.colin)
        seen = self.edit_data(self.action, notes="Ma version")
        # Rita saves first, from the same revision.
        self.action.notes = "Version de Rita"
        self.action.progress = 30
        services.action_save(acting_user=self.rita, action=self.action, revision=1,
                             changed=["notes", "progress"])
        response = self.client.post(self.url, seen)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Quelqu'un d'autre a modifié cette action")
        self.assertContains(response, "Version de Rita")
        self.assertContains(response, "Ma version")
        self.action.refresh_from_db()
        self.assertEqual(self.action.notes, "Version de Rita")
        # The form now carries the saved revision: saving again is a deliberate choice.
        self.assertContains(response, 'name="revision" value="2"')
        self.client.post(self.url, {**seen, "revision": 2})
        self.action.refresh_from_db()
        self.assertEqual(self.action.notes, "Ma version")

    def test_it_refuses_a_malformed_or_missing_revision(self):
        self.client.force_login(self.colin)
        for revision in ("abc", "", "0"):
            response = self.client.post(self.url, self.edit_data(self.action, notes="x",
                                                                 revision=revision))
            self.assertEqual(response.status_code, 200)
            self.assertIn("revision", response.context["form"].errors)
            self.assertContains(response, "rechargez la page")
        self.action.refresh_from_db()
        self.assertEqual(self.action.notes, "")

    def test_it_refuses_bad_input(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, self.edit_data(
            self.action, due_date="2026-13-45", progress=150, title="t" * 201,
            status="unknown"))
        self.assertEqual(set(response.context["form"].errors),
                         {"due_date", "progress", "title", "status"})
        self.action.refresh_from_db()
        self.assertEqual(self.action.revision, 1)

    def test_it_refuses_another_organisation_person_as_owner(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, self.edit_data(self.action,
                                                             owner=self.other_person.id))
        self.assertIn("owner", response.context["form"].errors)
        self.action.refresh_from_db()
        self.assertEqual(self.action.owner, self.person)

    def test_a_diagnostic_action_shows_its_recommendation_read_only(self):
        assessment = self.make_assessment({"gouv-referent": ["non"]})
        plan_sync_from_assessment(acting_user=self.alice, assessment=assessment)
        action = Action.objects.get(source="diagnostic", source_key="m-referent")
        self.client.force_login(self.colin)
        url = self.org_url("action_edit", action.id)
        response = self.client.get(url)
        self.assertContains(response, "Ce que recommande le diagnostic")
        self.assertContains(response, action.why)
        self.assertContains(response, "Affichez son nom")  # the "how"
        self.assertContains(response, "Une personne est-elle chargée de la sécurité")
        self.assertContains(response, "De base")
        self.assertNotContains(response, 'name="title"')
        # A posted title is ignored: the referential owns it.
        self.client.post(url, self.edit_data(action, title="Autre titre", owner=self.person.id))
        action.refresh_from_db()
        self.assertEqual(action.title, "Désigner un référent cybersécurité")
        self.assertEqual(action.owner, self.person)

    def test_it_shows_the_read_only_role_a_read_only_page(self):
        self.client.force_login(self.readonly)
        response = self.client.get(self.url)
        self.assertContains(response, "Changer le mot de passe du Wi-Fi")
        self.assertContains(response, "Paul Préparateur")
        self.assertNotContains(response, 'name="title"')
        self.assertNotContains(response, self.org_url("action_delete", self.action.id))

    def test_it_refuses_the_read_only_role_writes(self):
        self.client.force_login(self.readonly)
        response = self.client.post(self.url, self.edit_data(self.action, notes="x"))
        self.assertEqual(response.status_code, 403)

    def test_it_hides_another_organisation_action(self):
        self.client.force_login(self.owner)
        url = self.org_url("action_edit", self.other_action.id)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, {"title": "x"}).status_code, 404)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_redirects_anonymous(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
