from pharmagarde.core.models import AuditEntry, Membership, Role
from tests.base import BaseTestCase


class MemberRoleTestCase(BaseTestCase):
    def url(self, membership):
        return self.org_url("member_role", membership.id)

    def membership(self, user):
        return Membership.objects.get(user=user, organisation=self.org)

    def test_it_changes_a_role_and_audits_it(self):
        self.client.force_login(self.owner)
        colin = self.membership(self.colin)
        response = self.client.post(self.url(colin), {"role": Role.REFERENT})
        self.assertRedirects(response, self.org_url("member_list"),
                             fetch_redirect_response=False)
        colin.refresh_from_db()
        self.assertEqual(colin.role, Role.REFERENT)
        entry = AuditEntry.objects.get(action="member.role_changed")
        self.assertEqual(entry.details["après"], Role.REFERENT)
        self.assertEqual(entry.organisation, self.org)

    def test_it_keeps_the_last_responsable(self):
        self.client.force_login(self.owner)
        alice = self.membership(self.alice)
        response = self.client.post(self.url(alice), {"role": Role.COLLABORATEUR}, follow=True)
        self.assertContains(response, "au moins un responsable")
        alice.refresh_from_db()
        self.assertEqual(alice.role, Role.RESPONSABLE)

    def test_it_lets_a_responsable_step_down_when_another_exists(self):
        self.membership(self.rita).__class__.objects.filter(user=self.rita).update(
            role=Role.RESPONSABLE)
        self.client.force_login(self.owner)
        alice = self.membership(self.alice)
        self.client.post(self.url(alice), {"role": Role.REFERENT})
        alice.refresh_from_db()
        self.assertEqual(alice.role, Role.REFERENT)

    def test_it_rejects_an_unknown_role(self):
        self.client.force_login(self.owner)
        colin = self.membership(self.colin)
        response = self.client.post(self.url(colin), {"role": "roi"}, follow=True)
        self.assertContains(response, "Choisissez un rôle")
        colin.refresh_from_db()
        self.assertEqual(colin.role, Role.COLLABORATEUR)

    def test_it_is_for_responsables_only(self):
        self.client.force_login(self.rita)
        response = self.client.post(self.url(self.membership(self.colin)), {"role": Role.DPO})
        self.assertEqual(response.status_code, 403)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        response = self.client.post(self.url(self.membership(self.colin)), {"role": Role.DPO})
        self.assertEqual(response.status_code, 403)

    def test_it_hides_other_organisations_members(self):
        self.client.force_login(self.owner)
        oscar = Membership.objects.get(user=self.oscar)
        response = self.client.post(self.url(oscar), {"role": Role.AUDITEUR})
        self.assertEqual(response.status_code, 404)
        oscar.refresh_from_db()
        self.assertEqual(oscar.role, Role.RESPONSABLE)

    def test_it_requires_post(self):
        self.client.force_login(self.owner)
        self.assertEqual(self.client.get(self.url(self.membership(self.colin))).status_code, 405)
