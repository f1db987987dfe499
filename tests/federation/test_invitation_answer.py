"""Answering a federation's invitation from « Mes fédérations »: the responsable it is
addressed to accepts for this organisation or declines, with the checks of the mail's
link (expired, already answered, addressed to someone else); every role and outsider."""

import threading
import unittest
from datetime import timedelta

from django.contrib.messages import get_messages
from django.db import close_old_connections, connection
from django.test import TransactionTestCase
from django.utils import timezone

from pharmagarde.core.models import AuditEntry, Membership, Role
from pharmagarde.federation import services
from pharmagarde.federation.models import FederationMember
from tests.base import BaseTestCase, make_organisation, make_user

from .helpers import make_federation

Status = FederationMember.Status


class InvitationCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.federation, cls.analysts = make_federation("Conseil régional", "conseil")
        cls.invitation, _token = services.member_invite(
            acting_user=cls.analysts["responsable"], federation=cls.federation,
            email="alice@alpha.example")

    def url(self, invitation=None, org=None):
        return self.org_url("federation_invitation_answer", (invitation or self.invitation).pk,
                            org=org)

    def answer(self, decision, user=None, **kwargs):
        self.client.force_login(user or self.alice)
        return self.client.post(self.url(**kwargs), {"decision": decision})

    def messages_of(self, response):
        return [str(message) for message in get_messages(response.wsgi_request)]


class InvitationAnswerTestCase(InvitationCase):
    def test_the_responsable_it_is_addressed_to_accepts_for_this_organisation(self):
        response = self.answer("accept")
        self.assertRedirects(response, self.org_url("federation_mine"))
        self.invitation.refresh_from_db()
        self.assertEqual((self.invitation.status, self.invitation.member),
                         (Status.MEMBER, self.org))
        self.assertEqual(self.invitation.answered_by, self.alice)
        self.assertEqual(set(AuditEntry.objects.filter(action="federation.joined")
                             .values_list("organisation", flat=True)),
                         {self.org.pk, self.federation.pk})
        self.assertEqual(self.messages_of(response),
                         ["Pharmacie Alpha a rejoint la fédération Conseil régional."])
        page = self.client.get(self.org_url("federation_mine"))
        self.assertShows(page, "Membre depuis le")
        self.assertNotContains(page, "Invitations en attente")

    def test_declining_is_recorded(self):
        response = self.answer("decline")
        self.assertRedirects(response, self.org_url("federation_mine"))
        self.invitation.refresh_from_db()
        self.assertEqual((self.invitation.status, self.invitation.member),
                         (Status.DECLINED, None))
        self.assertTrue(AuditEntry.objects.filter(action="federation.declined",
                                                  organisation=self.federation).exists())

    def test_the_page_offers_the_answer_and_what_would_be_shared(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.org_url("federation_mine"))
        self.assertShows(page, "Conseil régional invite Pharmacie Alpha à rejoindre la "
                               "fédération.")
        self.assertShows(page, "Ce qui serait partagé avec la fédération")
        self.assertShows(page, "Taux de clic sur les faux courriels d&#x27;hameçonnage")
        self.assertShows(page, "Accepter : Pharmacie Alpha rejoint la fédération")
        self.assertShows(page, 'href="/o/alpha/federation/partager/"')
        # The référent reads that it waits, without the buttons.
        self.client.force_login(self.rita)
        page = self.client.get(self.org_url("federation_mine"))
        self.assertShows(page, "le lien a été envoyé à alice@alpha.example")
        self.assertNotContains(page, "Accepter :")
        self.assertNotContains(page, "/federation/partager/")

    def test_an_invitation_addressed_to_another_responsable_is_theirs_to_answer(self):
        other = make_user("albert@alpha.example", with_mfa=True)
        Membership.objects.create(organisation=self.org, user=other, role=Role.RESPONSABLE)
        self.client.force_login(other)
        self.assertNotContains(self.client.get(self.org_url("federation_mine")), "Accepter :")
        response = self.answer("accept", user=other)
        self.assertEqual(self.messages_of(response),
                         ["Cette invitation est adressée à alice@alpha.example. Connectez-vous "
                          "avec ce compte."])
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.status, Status.INVITED)

    def test_an_expired_or_answered_invitation_is_refused_with_the_reason(self):
        FederationMember.objects.filter(pk=self.invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1))
        response = self.answer("accept")
        self.assertEqual(self.messages_of(response),
                         ["Ce lien d'invitation a expiré. Demandez à la fédération de vous en "
                          "envoyer un nouveau."])
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.status, Status.INVITED)
        FederationMember.objects.filter(pk=self.invitation.pk).update(
            status=Status.DECLINED)
        self.assertEqual(self.answer("accept").status_code, 404)  # no longer pending

    def test_a_bad_decision_changes_nothing(self):
        response = self.answer("maybe")
        self.assertRedirects(response, self.org_url("federation_mine"))
        self.assertEqual(self.messages_of(response),
                         ["Choisissez d'accepter ou de refuser l'invitation."])
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.status, Status.INVITED)

    def test_who_may_answer(self):
        self.assertEqual(self.client.post(self.url(), {"decision": "accept"}).status_code, 302)
        self.assertIn("/comptes/", self.client.post(self.url(), {"decision": "accept"}).url)
        for user in (self.rita, self.dora, self.colin, self.aude):
            self.assertEqual(self.answer("accept", user=user).status_code, 403, user)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url()).status_code, 405)
        # Another organisation's invitation, and another organisation's page.
        elsewhere, _token = services.member_invite(
            acting_user=self.analysts["responsable"], federation=self.federation,
            email="oscar@bravo.example")
        self.assertEqual(self.answer("accept", invitation=elsewhere).status_code, 404)
        self.assertEqual(self.answer("accept", user=self.oscar).status_code, 404)
        self.assertEqual(self.answer("accept", user=self.oscar, org=self.other_org)
                         .status_code, 404)
        # The federation's own people have no member pages.
        self.assertEqual(self.answer("accept", user=self.analysts["responsable"],
                                     org=self.federation).status_code, 404)
        self.invitation.refresh_from_db()
        self.assertEqual(self.invitation.status, Status.INVITED)

    def test_the_page_costs_the_same_for_one_invitation_or_four(self):
        def make_row(number):
            federation, people = make_federation(f"Fédération {number}", f"fed-{number}")
            services.member_invite(acting_user=people["responsable"], federation=federation,
                                   email="alice@alpha.example")

        self.client.force_login(self.alice)
        self.assertQueriesConstant(self.org_url("federation_mine"), make_row, few=1, many=4)


class OneStructureTwoInvitationsTests(InvitationCase):
    """Two responsables of the same structure, each invited."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.albert = make_user("albert@alpha.example", with_mfa=True)
        Membership.objects.create(organisation=cls.org, user=cls.albert, role=Role.RESPONSABLE)
        cls.second, _token = services.member_invite(
            acting_user=cls.analysts["responsable"], federation=cls.federation,
            email="albert@alpha.example")

    def test_accepting_one_closes_the_other(self):
        self.answer("accept")
        self.assertFalse(FederationMember.objects.filter(pk=self.second.pk).exists())
        entry = AuditEntry.objects.get(action="federation.invitation_cancelled")
        self.assertEqual(entry.details["adresse"], "albert@alpha.example")
        self.client.force_login(self.albert)
        self.assertNotContains(self.client.get(self.org_url("federation_mine")),
                               "Invitations en attente")
        self.assertEqual(self.answer("accept", user=self.albert,
                                     invitation=self.second).status_code, 404)
        with self.assertRaisesMessage(services.InvitationError, "n'est plus valable"):
            services.invitation_accept(acting_user=self.albert, organisation=self.org,
                                       invitation=self.second)
        self.assertEqual(FederationMember.objects.filter(member=self.org).count(), 1)

    def test_an_invitation_the_other_may_still_accept_elsewhere_stays(self):
        elsewhere = make_organisation("Pharmacie Delta", "delta", siret="")
        Membership.objects.create(organisation=elsewhere, user=self.albert,
                                  role=Role.RESPONSABLE)
        self.answer("accept")
        self.second.refresh_from_db()
        self.assertEqual(self.second.status, Status.INVITED)
        member = services.invitation_accept(acting_user=self.albert, organisation=elsewhere,
                                            invitation=self.second)
        self.assertEqual(member.member, elsewhere)


class ListedInvitationsTests(InvitationCase):
    def test_an_expired_invitation_is_not_offered(self):
        FederationMember.objects.filter(pk=self.invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1))
        self.client.force_login(self.alice)
        page = self.client.get(self.org_url("federation_mine"))
        self.assertNotContains(page, "Accepter :")
        self.assertNotContains(page, "Conseil régional invite")

    def test_the_address_matches_whatever_its_case(self):
        other = make_user("Albert@Alpha.example", with_mfa=True)
        Membership.objects.create(organisation=self.org, user=other, role=Role.RESPONSABLE)
        invitation, _token = services.member_invite(
            acting_user=self.analysts["responsable"], federation=self.federation,
            email="albert@alpha.example")
        self.client.force_login(self.rita)
        page = self.client.get(self.org_url("federation_mine"))
        self.assertShows(page, "le lien a été envoyé à albert@alpha.example")
        response = self.answer("accept", user=other, invitation=invitation)
        self.assertRedirects(response, self.org_url("federation_mine"))
        invitation.refresh_from_db()
        self.assertEqual(invitation.member, self.org)


@unittest.skipUnless(connection.vendor == "postgresql", "needs real concurrent sessions")
class ConcurrentAcceptanceTestCase(TransactionTestCase):
    def test_two_responsables_accepting_at_once_make_one_member(self):
        federation, people = make_federation("Conseil régional", "conseil")
        org = make_organisation("Pharmacie Alpha", "alpha")
        users = [make_user(f"{name}@alpha.example") for name in ("alice", "albert")]
        invitations = []
        for user in users:
            Membership.objects.create(organisation=org, user=user, role=Role.RESPONSABLE)
            invitations.append(services.member_invite(
                acting_user=people["responsable"], federation=federation,
                email=user.email)[0])
        barrier = threading.Barrier(2)
        errors, failures = [], []

        def accept(user, invitation):
            try:
                barrier.wait()
                services.invitation_accept(acting_user=user, organisation=org,
                                           invitation=invitation)
            except services.InvitationError as error:
                errors.append(str(error))
            except Exception as error:  # noqa: BLE001 - what the page would have shown
                failures.append(error)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=accept, args=pair)
                   for pair in zip(users, invitations, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(failures, [])
        self.assertEqual(len(errors), 1)
        self.assertEqual(FederationMember.objects.filter(member=org).count(), 1)
        self.assertFalse(FederationMember.objects.filter(status=Status.INVITED).exists())
