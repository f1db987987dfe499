from django.utils import timezone

from pharmagarde.core.models import Invitation, Membership, Role
from tests.base import BaseTestCase, make_user


class MemberListTestCase(BaseTestCase):
    def setUp(self):
        self.url = self.org_url("member_list")

    def test_it_lists_members_with_roles(self):
        self.client.force_login(self.colin)
        response = self.client.get(self.url)
        self.assertContains(response, "rita@alpha.example")
        self.assertContains(response, "Référent cybersécurité")
        self.assertNotContains(response, "oscar@bravo.example")

    def test_it_shows_management_only_to_responsables(self):
        self.client.force_login(self.colin)
        self.assertNotContains(self.client.get(self.url), "Changer le rôle")
        self.client.force_login(self.owner)
        self.assertContains(self.client.get(self.url), "Changer le rôle")

    def test_it_lists_pending_invitations_to_responsables(self):
        Invitation.objects.create(organisation=self.org, email="nina@alpha.example",
                                  role=Role.DPO, token_hash="a" * 64,
                                  expires_at=timezone.now() + timezone.timedelta(days=1))
        self.client.force_login(self.owner)
        self.assertContains(self.client.get(self.url), "nina@alpha.example")
        self.client.force_login(self.colin)
        self.assertNotContains(self.client.get(self.url), "nina@alpha.example")

    def test_it_is_readable_by_the_read_only_role(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_hides_from_outsiders(self):
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_bounds_queries(self):
        self.client.force_login(self.owner)

        def add_member(i):
            user = make_user(f"m{i}@alpha.example")
            Membership.objects.create(organisation=self.org, user=user, role=Role.COLLABORATEUR)
            Invitation.objects.create(organisation=self.org, email=f"i{i}@alpha.example",
                                      role=Role.DPO, token_hash=f"{i:064d}",
                                      expires_at=timezone.now(), invited_by=self.owner)

        self.assertQueriesConstant(self.url, add_member, few=2, many=12)
