"""The awareness overview: what each role sees and where it leads."""

from tests.base import BaseTestCase


class AwarenessHomeTestCase(BaseTestCase):
    def test_those_who_run_campaigns_see_every_part(self):
        for user in (self.alice, self.rita):
            self.client.force_login(user)
            response = self.client.get(self.org_url("awareness_home"))
            for name in ("awareness_campaigns", "awareness_templates", "awareness_profiles",
                         "awareness_groups", "awareness_mailbox", "awareness_training",
                         "awareness_training_assign", "awareness_my_training",
                         "awareness_password_trainer", "awareness_staff_notice"):
                self.assertContains(response, self.org_url(name))

    def test_readers_see_results_but_not_the_settings(self):
        for user in (self.dora, self.aude):
            self.client.force_login(user)
            response = self.client.get(self.org_url("awareness_home"))
            self.assertContains(response, self.org_url("awareness_results_overview"))
            self.assertNotContains(response, self.org_url("awareness_profiles"))

    def test_a_collaborateur_sees_their_own_training_only(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.org_url("awareness_home"))
        self.assertContains(response, self.org_url("awareness_my_training"))
        self.assertNotContains(response, self.org_url("awareness_campaigns"))
        self.assertNotContains(response, "Campagnes d'hameçonnage")

    def test_outsider_and_anonymous(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.org_url("awareness_home")).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.org_url("awareness_home")).status_code, 302)
