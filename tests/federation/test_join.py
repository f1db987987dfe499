"""Joining a federation: invite, accept, decline, expired or reused links, the wrong
account, a non-responsable, leaving and being removed; every step audited."""

import re
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pharmagarde.core.models import AuditEntry
from pharmagarde.federation import services
from pharmagarde.federation.models import FederationMember
from tests.base import BaseTestCase

from .helpers import make_federation

Status = FederationMember.Status


class JoinTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.federation, cls.analysts = make_federation()
        cls.fed_owner = cls.analysts["responsable"]

    def invite(self, email="alice@alpha.example"):
        self.client.force_login(self.fed_owner)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.org_url("federation_invite", org=self.federation),
                                        {"email": email})
        self.assertEqual(response.status_code, 302)
        token = re.search(r"/invitation/([^/\s]+)/", mail.outbox[-1].body).group(1)
        self.client.logout()
        return FederationMember.objects.get(organisation=self.federation, invited_email=email,
                                            status=Status.INVITED), token

    def invitation_url(self, token):
        return reverse("federation_invitation", args=[token])

    def test_it_invites_by_mail_with_a_single_use_link(self):
        member, token = self.invite()
        self.assertEqual(member.status, Status.INVITED)
        self.assertEqual(member.token_hash, services.hash_token(token))
        self.assertGreater(member.expires_at, timezone.now() + timedelta(days=29))
        self.assertIn("/mes-structures/federations/invitation/", mail.outbox[-1].body)
        self.assertTrue(AuditEntry.objects.filter(action="federation.invited",
                                                  organisation=self.federation).exists())

    def test_the_page_says_what_is_shared_and_accepting_joins(self):
        member, token = self.invite()
        self.client.force_login(self.alice)
        page = self.client.get(self.invitation_url(token))
        self.assertShows(page, "Ce que la fédération verra")
        self.assertShows(page, "jamais ses valeurs à elle")
        self.assertShows(page, "Pharmacie Alpha")
        response = self.client.post(self.invitation_url(token),
                                    {"organisation": self.org.pk, "decision": "accept"})
        self.assertRedirects(response, self.org_url("federation_mine"))
        member.refresh_from_db()
        self.assertEqual((member.status, member.member), (Status.MEMBER, self.org))
        self.assertEqual(AuditEntry.objects.filter(action="federation.joined").count(), 2)

    def test_a_reused_link_is_refused(self):
        _member, token = self.invite()
        self.client.force_login(self.alice)
        self.client.post(self.invitation_url(token),
                         {"organisation": self.org.pk, "decision": "accept"})
        again = self.client.get(self.invitation_url(token))
        self.assertShows(again, "déjà été utilisé", status_code=410)

    def test_declining(self):
        member, token = self.invite()
        self.client.force_login(self.alice)
        self.client.post(self.invitation_url(token), {"decision": "decline"})
        member.refresh_from_db()
        self.assertEqual((member.status, member.member), (Status.DECLINED, None))
        self.assertTrue(AuditEntry.objects.filter(action="federation.declined").exists())

    def test_an_expired_link_is_refused(self):
        member, token = self.invite()
        FederationMember.objects.filter(pk=member.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1))
        self.client.force_login(self.alice)
        response = self.client.post(self.invitation_url(token),
                                    {"organisation": self.org.pk, "decision": "accept"})
        self.assertShows(response, "a expiré", status_code=410)
        self.assertEqual(FederationMember.objects.get(pk=member.pk).status, Status.INVITED)

    def test_a_forwarded_link_gives_nothing_to_another_account(self):
        member, token = self.invite()
        self.client.force_login(self.oscar)
        response = self.client.post(self.invitation_url(token),
                                    {"organisation": self.other_org.pk, "decision": "accept"})
        self.assertEqual(response.status_code, 410)
        self.assertEqual(FederationMember.objects.get(pk=member.pk).status, Status.INVITED)

    def test_a_non_responsable_cannot_accept(self):
        member, token = self.invite("rita@alpha.example")
        self.client.force_login(self.rita)
        page = self.client.get(self.invitation_url(token))
        self.assertShows(page, "Vous n'êtes responsable d'aucune structure")
        response = self.client.post(self.invitation_url(token),
                                    {"organisation": self.org.pk, "decision": "accept"})
        self.assertShows(response, "Vous n'êtes responsable d'aucune structure")
        self.assertEqual(FederationMember.objects.get(pk=member.pk).status, Status.INVITED)
        with self.assertRaises(services.InvitationError):
            services.invitation_accept(acting_user=self.rita, token=token,
                                       organisation=self.org)

    def test_a_federation_cannot_join_a_federation(self):
        _member, token = self.invite("responsable@groupement.example")
        with self.assertRaises(services.InvitationError):
            services.invitation_accept(acting_user=self.fed_owner, token=token,
                                       organisation=self.federation)

    def test_anonymous_visitors_sign_in_first_and_bad_tokens_do_not_fail(self):
        self.assertEqual(self.client.get(self.invitation_url("abc")).status_code, 302)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.invitation_url("abc")).status_code, 410)
        _member, token = self.invite()
        self.client.force_login(self.alice)
        response = self.client.post(self.invitation_url(token),
                                    {"organisation": "x", "decision": "accept"})
        self.assertEqual(response.status_code, 200)

    def join(self):
        member, token = self.invite()
        return services.invitation_accept(acting_user=self.alice, token=token,
                                          organisation=self.org)

    def test_the_member_leaves_from_its_page(self):
        member = self.join()
        self.client.force_login(self.aude)
        url = self.org_url("federation_leave", member.pk)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.rita)
        self.assertEqual(self.client.post(url).status_code, 403)  # responsables only
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.post(url), self.org_url("federation_mine"))
        member.refresh_from_db()
        self.assertEqual(member.status, Status.LEFT)
        self.assertTrue(AuditEntry.objects.filter(action="federation.left",
                                                  organisation=self.org).exists())
        # Another organisation's responsable cannot make it leave.
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.post(url).status_code, 404)

    def test_coming_back_keeps_one_row(self):
        member = self.join()
        services.member_leave(acting_user=self.alice, member=member)
        _again, token = self.invite()
        services.invitation_accept(acting_user=self.alice, token=token, organisation=self.org)
        self.assertEqual(FederationMember.objects.filter(member=self.org).count(), 1)

    def test_the_federation_removes_a_member(self):
        member = self.join()
        url = self.org_url("federation_member_remove", member.pk, org=self.federation)
        self.client.force_login(self.analysts["referent"])
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.fed_owner)
        self.client.post(url)
        member.refresh_from_db()
        self.assertEqual(member.status, Status.LEFT)
        self.assertTrue(AuditEntry.objects.filter(action="federation.removed").exists())

    def test_resend_and_cancel(self):
        member, token = self.invite()
        self.client.force_login(self.fed_owner)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.org_url("federation_invitation_resend", member.pk,
                                          org=self.federation))
        with self.assertRaises(services.InvitationError):
            services.find_invitation(token)  # the old link stops working
        self.client.post(self.org_url("federation_invitation_cancel", member.pk,
                                      org=self.federation))
        self.assertFalse(FederationMember.objects.filter(pk=member.pk).exists())

    def test_inviting_twice_the_same_address_is_refused_next_to_the_field(self):
        self.invite()
        self.client.force_login(self.fed_owner)
        response = self.client.post(self.org_url("federation_invite", org=self.federation),
                                    {"email": "alice@alpha.example"})
        self.assertShows(response, "Une invitation attend déjà")
        bad = self.client.post(self.org_url("federation_invite", org=self.federation),
                               {"email": "pas une adresse"})
        self.assertShows(bad, "Cette adresse n&#x27;est pas valide")
