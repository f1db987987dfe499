from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from pharmagarde.core import services
from pharmagarde.core.models import Membership, Role
from tests.base import BaseTestCase, make_user


class InvitationAcceptTestCase(BaseTestCase):
    def setUp(self):
        self.invitation, self.token = services.invitation_create(
            acting_user=self.owner, organisation=self.org, email="nina@alpha.example",
            role=Role.DPO)
        self.url = reverse("invitation_accept", args=[self.token])
        self.nina = make_user("nina@alpha.example")

    def test_it_shows_the_invitation_to_anonymous_visitors(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Rejoindre Pharmacie Alpha")
        self.assertContains(response, "Créer mon compte")

    def test_it_creates_the_membership(self):
        self.client.force_login(self.nina)
        response = self.client.post(self.url)
        self.assertRedirects(response, self.org_url("dashboard"), fetch_redirect_response=False)
        membership = Membership.objects.get(user=self.nina, organisation=self.org)
        self.assertEqual(membership.role, Role.DPO)

    def test_it_is_single_use(self):
        self.client.force_login(self.nina)
        self.client.post(self.url)
        response = self.client.post(self.url)
        self.assertContains(response, "déjà été utilisé", status_code=410)

    def test_it_refuses_an_expired_link(self):
        self.invitation.expires_at = timezone.now() - timedelta(seconds=1)
        self.invitation.save()
        self.client.force_login(self.nina)
        response = self.client.post(self.url)
        self.assertContains(response, "a expiré", status_code=410)
        self.assertFalse(Membership.objects.filter(user=self.nina).exists())

    def test_it_refuses_a_tampered_link(self):
        url = reverse("invitation_accept", args=[self.token[:-2] + "xx"])
        self.assertContains(self.client.get(url), "pas valide", status_code=410)

    def test_it_refuses_another_account(self):
        intruder = make_user("intrus@example.org")
        self.client.force_login(intruder)
        response = self.client.post(self.url)
        self.assertContains(response, "adressée à nina@alpha.example", status_code=410)
        self.assertFalse(Membership.objects.filter(user=intruder).exists())
        # The link stays usable by the right person.
        self.invitation.refresh_from_db()
        self.assertIsNone(self.invitation.accepted_at)

    def test_it_sends_anonymous_posts_to_sign_in(self):
        response = self.client.post(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("account_login"), response["Location"])
