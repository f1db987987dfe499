"""The same assignment, or the same draft campaign, confirmed twice at the same moment (a
double click): what is made is made once, and what is said and audited is what was made.

The threaded tests run on PostgreSQL (CI runs the suite there too): SQLite's in-memory
test database shares one connection between threads, which does not model concurrent
sessions. The counting of what an insert actually made is tested on both.
"""

import threading
import unittest

from django.db import close_old_connections, connection
from django.test import TransactionTestCase

from pharmagarde.awareness import bulk_services, training_services
from pharmagarde.awareness.models import Assignment, Campaign
from pharmagarde.core.models import AuditEntry, Membership, Person, Role
from tests.base import BaseTestCase, make_organisation, make_user

MODULE = "hameconnage"


def make_staff(organisation, number):
    return [Person.objects.create(organisation=organisation, first_name=f"P{i}",
                                  last_name="Martin", email=f"p{i}@{organisation.slug}.fr")
            for i in range(number)]


class InsertCountTestCase(BaseTestCase):
    def test_it_counts_only_the_assignments_it_inserted(self):
        people = make_staff(self.org, 3)
        Assignment.objects.create(organisation=self.org, person=people[1], module=MODULE)
        rows = [Assignment(organisation=self.org, person=person, module=MODULE)
                for person in people]
        self.assertEqual(training_services._insert_open(rows), 2)
        self.assertEqual(Assignment.objects.filter(module=MODULE).count(), 3)


@unittest.skipUnless(connection.vendor == "postgresql", "needs real concurrent sessions")
class DoubleSubmitTestCase(TransactionTestCase):
    def setUp(self):
        self.org = make_organisation("Pharmacie Alpha", "alpha")
        self.user = make_user("referent@alpha.example")
        Membership.objects.create(organisation=self.org, user=self.user, role=Role.REFERENT)
        self.people = make_staff(self.org, 4)

    def run_twice(self, call):
        barrier = threading.Barrier(2)
        results, errors = [], []

        def worker():
            try:
                barrier.wait()
                results.append(call())
            except Exception as error:  # noqa: BLE001 - reported by the test
                errors.append(error)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(errors, [])
        return results

    def test_an_assignment_confirmed_twice_reports_and_audits_what_was_made(self):
        counts = self.run_twice(lambda: training_services.assign(
            acting_user=self.user, organisation=self.org, people=self.people, module=MODULE,
            due_on=None))
        self.assertEqual(sorted(counts), [0, 4])
        self.assertEqual(Assignment.objects.count(), 4)
        entries = AuditEntry.objects.filter(action="awareness.module_assigned")
        self.assertEqual([entry.details["count"] for entry in entries], [4])

    def test_a_campaign_confirmed_twice_is_prepared_once(self):
        outcomes = self.run_twice(lambda: bulk_services.bulk_campaign(
            acting_user=self.user, organisations=[self.org],
            template_key="facture-grossiste", name="Facture — 01/12/2026"))
        self.assertEqual(Campaign.objects.count(), 1)
        self.assertEqual(sorted((found[0].done, found[0].already) for found in outcomes),
                         [(False, True), (True, False)])
