from pharmagarde.core import audit
from tests.base import BaseTestCase


class AuditLogTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("audit_log")
        audit.record("person.created", actor=self.colin, organisation=self.org, obj=self.person)
        audit.record("member.removed", actor=self.alice, organisation=self.org,
                     details={"membre": "x@alpha.example"})
        audit.record("person.created", actor=self.oscar, organisation=self.other_org,
                     obj=self.other_person)

    def test_it_lists_the_organisation_entries_only(self):
        self.client.force_login(self.owner)
        response = self.client.get(self.url)
        self.assertContains(response, "<td>Personne ajoutée au personnel</td>", html=False)
        self.assertContains(response, "membre : x@alpha.example")
        self.assertNotContains(response, "oscar@bravo.example")

    def test_it_filters_by_action_and_actor(self):
        self.client.force_login(self.owner)
        response = self.client.get(self.url, {"action": "member.removed"})
        self.assertNotContains(response, "Paul Préparateur")
        response = self.client.get(self.url, {"actor": "colin"})
        self.assertContains(response, "Paul Préparateur")
        self.assertNotContains(response, "x@alpha.example")

    def test_it_filters_by_date(self):
        self.client.force_login(self.owner)
        response = self.client.get(self.url, {"start": "2099-01-01"})
        self.assertContains(response, "Aucune entrée ne correspond")

    def test_it_ignores_malformed_filters(self):
        self.client.force_login(self.owner)
        response = self.client.get(self.url, {"start": "hier", "action": "<script>",
                                              "page": "abc"})
        self.assertEqual(response.status_code, 200)

    def test_it_is_for_responsables_only(self):
        for user in (self.rita, self.colin, self.dora, self.aude):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_bounds_queries(self):
        self.client.force_login(self.owner)
        self.assertQueriesConstant(self.url, lambda i: audit.record(
            "person.updated", actor=self.alice, organisation=self.org, details={"i": i}))

    def test_it_shows_members_sign_ins_but_not_outsiders(self):
        audit.record("auth.login", actor=self.colin)
        audit.record("auth.login", actor=self.oscar)
        audit.record("auth.login_failed", actor_label="inconnu@example.fr")
        self.client.force_login(self.owner)
        response = self.client.get(self.url, {"action": "auth.login"})
        self.assertContains(response, "colin@alpha.example")
        self.assertNotContains(response, "oscar@bravo.example")
        self.assertNotContains(response, "inconnu@example.fr")
