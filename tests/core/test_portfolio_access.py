"""core.access.memberships_allowing, the rule of the pages across one's organisations: the
same as org_view's, the read-only role refused on any unsafe method."""

from django.test import RequestFactory

from pharmagarde.core.access import memberships_allowing
from pharmagarde.core.models import Membership, Role
from tests.base import BaseTestCase, make_user


class MembershipsAllowingTestCase(BaseTestCase):
    def setUp(self):
        self.user = make_user("prestataire@example.fr")
        Membership.objects.create(organisation=self.org, user=self.user, role=Role.AUDITEUR)
        Membership.objects.create(organisation=self.other_org, user=self.user,
                                  role=Role.REFERENT)

    def allowed(self, method, **kwargs):
        request = getattr(RequestFactory(), method)("/mes-structures/")
        request.user = self.user
        request.memberships = list(Membership.objects.filter(user=self.user)
                                   .select_related("organisation"))
        return {m.organisation.slug for m in memberships_allowing(request, **kwargs)}

    def test_a_read_gives_every_membership(self):
        self.assertEqual(self.allowed("get"), {"alpha", "bravo"})
        self.assertEqual(self.allowed("head"), {"alpha", "bravo"})

    def test_write_refuses_the_read_only_role(self):
        self.assertEqual(self.allowed("get", write=True), {"bravo"})

    def test_an_unsafe_method_refuses_the_read_only_role_without_write(self):
        for method in ("post", "put", "patch", "delete"):
            with self.subTest(method=method):
                self.assertEqual(self.allowed(method), {"bravo"})
