"""Two responsables acting at the same moment must not leave the organisation without one.

Runs on PostgreSQL (CI runs the suite there too): SQLite's in-memory test database shares
one connection cache between threads, which does not model concurrent sessions.
"""

import threading
import unittest

from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test import TransactionTestCase

from pharmagarde.core import services
from pharmagarde.core.models import Membership, Role
from tests.base import make_organisation, make_user


@unittest.skipUnless(connection.vendor == "postgresql", "needs real concurrent sessions")
class ConcurrentRoleChangeTestCase(TransactionTestCase):
    def setUp(self):
        self.org = make_organisation("Pharmacie Alpha", "alpha")
        self.alice = make_user("alice@alpha.example")
        self.bob = make_user("bob@alpha.example")
        for user in (self.alice, self.bob):
            Membership.objects.create(organisation=self.org, user=user, role=Role.RESPONSABLE)

    def run_together(self, *calls):
        barrier = threading.Barrier(len(calls))
        errors = []

        def worker(call):
            try:
                barrier.wait()
                call()
            except ValidationError as error:
                errors.append(error)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return errors

    def test_it_keeps_one_responsable_when_both_step_down_at_once(self):
        def demote(user, actor):
            membership = Membership.objects.get(user=user)
            return lambda: services.membership_change_role(
                acting_user=actor, membership=membership, role=Role.COLLABORATEUR)

        errors = self.run_together(demote(self.alice, self.alice), demote(self.bob, self.bob))
        self.assertEqual(len(errors), 1)
        self.assertEqual(Membership.objects.filter(role=Role.RESPONSABLE).count(), 1)

    def test_it_keeps_one_responsable_when_both_leave_at_once(self):
        def leave(user):
            membership = Membership.objects.get(user=user)
            return lambda: services.membership_remove(acting_user=user, membership=membership)

        errors = self.run_together(leave(self.alice), leave(self.bob))
        self.assertEqual(len(errors), 1)
        self.assertEqual(Membership.objects.filter(role=Role.RESPONSABLE).count(), 1)

    def test_it_accepts_an_invitation_once_when_clicked_twice(self):
        nina = make_user("nina@alpha.example")
        _invitation, token = services.invitation_create(
            acting_user=self.alice, organisation=self.org, email=nina.email, role=Role.DPO)
        outcomes = []

        def accept():
            try:
                services.invitation_accept(acting_user=nina, token=token)
                outcomes.append("ok")
            except services.InvitationError:
                outcomes.append("refused")

        self.run_together(accept, accept)
        self.assertEqual(sorted(outcomes), ["ok", "refused"])
        self.assertEqual(Membership.objects.filter(user=nina).count(), 1)
