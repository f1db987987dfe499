from pharmagarde.core.models import AuditEntry, Membership, Role
from tests.base import BaseTestCase


class MemberRemoveTestCase(BaseTestCase):
    def url(self, user):
        membership = Membership.objects.get(user=user, organisation=self.org)
        return self.org_url("member_remove", membership.id)

    def test_it_removes_access_and_audits_it(self):
        self.client.force_login(self.owner)
        self.client.post(self.url(self.colin))
        self.assertFalse(Membership.objects.filter(user=self.colin).exists())
        entry = AuditEntry.objects.get(action="member.removed")
        self.assertEqual(entry.details["membre"], "colin@alpha.example")

    def test_it_refuses_to_remove_the_last_responsable(self):
        self.client.force_login(self.owner)
        response = self.client.post(self.url(self.alice), follow=True)
        self.assertContains(response, "dernier responsable")
        self.assertTrue(Membership.objects.filter(user=self.alice).exists())

    def test_it_lets_a_responsable_leave_when_another_remains(self):
        Membership.objects.filter(user=self.rita).update(role=Role.RESPONSABLE)
        self.client.force_login(self.owner)
        response = self.client.post(self.url(self.alice))
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertFalse(Membership.objects.filter(user=self.alice, organisation=self.org)
                         .exists())

    def test_it_is_for_responsables_only(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.post(self.url(self.dora)).status_code, 403)

    def test_it_refuses_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.post(self.url(self.dora)).status_code, 403)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.post(self.url(self.dora)).status_code, 404)
        self.assertTrue(Membership.objects.filter(user=self.dora).exists())
