"""The training records: assignment rules, the enrolment after a click, grading and
retries, and the reminders (with a fixed `now`)."""

import datetime

from django.utils import timezone

from pharmagarde.awareness import modules, training_services
from pharmagarde.awareness.models import Assignment, Campaign, Recipient
from pharmagarde.core.models import AuditEntry, Person
from tests.awareness.base import CONTENT, make_people
from tests.base import BaseTestCase, make_user

TODAY = datetime.date(2026, 3, 10)
NOW = timezone.make_aware(datetime.datetime(2026, 3, 10, 9, 0))


def answers(module, *, right=True):
    """Every question answered right (or every one wrong)."""
    chosen = {}
    for question in module.questions:
        ids = {c.id for c in question.choices if c.correct == right}
        chosen[question.id] = ids if right else {sorted(ids)[0]}
    return chosen


def assign(test, people, module="hameconnage", due_on=TODAY):
    return training_services.assign(acting_user=test.alice, organisation=test.org,
                                    people=people, module=module, due_on=due_on)


class AssignTests(BaseTestCase):
    def test_it_assigns_and_audits_without_names(self):
        people = make_people(self.org, 3)
        self.assertEqual(assign(self, people), 3)
        self.assertEqual(Assignment.objects.filter(module="hameconnage").count(), 3)
        entry = AuditEntry.objects.get(action="awareness.module_assigned")
        self.assertEqual(entry.details, {"module": "hameconnage", "count": 3,
                                         "due_on": TODAY.isoformat()})
        self.assertNotIn("Nom0", str(entry.details) + entry.object_label)

    def test_it_skips_those_who_have_it_open_and_those_who_left(self):
        people = make_people(self.org, 3)
        assign(self, people[:1])
        Person.objects.filter(pk=people[2].pk).update(
            departure_date=timezone.localdate() - datetime.timedelta(days=1))
        self.assertEqual(assign(self, people), 1)
        self.assertEqual(Assignment.objects.filter(person=people[2]).count(), 0)

    def test_a_passed_module_can_be_assigned_again(self):
        assignment = Assignment.objects.create(organisation=self.org, person=self.person,
                                               module="hameconnage",
                                               completed_at=timezone.now(), score=100)
        self.assertEqual(assign(self, [self.person]), 1)
        self.assertEqual(Assignment.objects.filter(person=self.person).exclude(
            pk=assignment.pk).count(), 1)

    def test_another_organisations_people_are_left_out(self):
        self.assertEqual(assign(self, [self.other_person]), 0)
        self.assertFalse(AuditEntry.objects.filter(action="awareness.module_assigned"))


class EnrolTests(BaseTestCase):
    def recipient(self, **campaign_fields):
        campaign = Campaign.objects.create(organisation=self.org, number=1, name="Facture",
                                           content=CONTENT, **campaign_fields)
        return Recipient.objects.create(organisation=self.org, campaign=campaign,
                                        person=self.person, email=self.person.email,
                                        send_at=timezone.now())

    def test_a_click_enrols_in_the_campaigns_module_once(self):
        recipient = self.recipient()
        first = training_services.enrol_after_click(recipient)
        self.assertEqual((first.module, first.source, first.campaign_id),
                         ("hameconnage", Assignment.Source.CAMPAIGN, recipient.campaign_id))
        self.assertEqual(first.due_on, timezone.localdate() + datetime.timedelta(days=14))
        self.assertEqual(training_services.enrol_after_click(recipient), first)
        self.assertEqual(Assignment.objects.count(), 1)

    def test_an_open_assignment_is_kept(self):
        existing = Assignment.objects.create(organisation=self.org, person=self.person,
                                             module="hameconnage", due_on=TODAY)
        self.assertEqual(training_services.enrol_after_click(self.recipient()), existing)

    def test_no_enrolment_when_the_campaign_says_no_or_the_person_is_unknown(self):
        self.assertIsNone(training_services.enrol_after_click(self.recipient(enrol=False)))
        recipient = Recipient.objects.create(
            organisation=self.org, campaign=Campaign.objects.get(), email="x@alpha.example",
            send_at=timezone.now())
        self.assertIsNone(training_services.enrol_after_click(recipient))
        self.assertFalse(Assignment.objects.exists())


class CompleteTests(BaseTestCase):
    def setUp(self):
        self.module = modules.module("hameconnage")
        self.assignment = Assignment.objects.create(organisation=self.org, person=self.person,
                                                    module="hameconnage", due_on=TODAY)

    def test_a_fail_keeps_it_open_then_a_pass_completes_it(self):
        grade = training_services.complete(assignment=self.assignment,
                                           answers=answers(self.module, right=False))
        self.assertFalse(grade.passed)
        self.assignment.refresh_from_db()
        self.assertEqual((self.assignment.attempts, self.assignment.score), (1, 0))
        self.assertIsNone(self.assignment.completed_at)
        self.assertFalse(AuditEntry.objects.filter(action="awareness.module_completed"))

        grade = training_services.complete(assignment=self.assignment,
                                           answers=answers(self.module), acting_user=self.colin)
        self.assertTrue(grade.passed)
        self.assignment.refresh_from_db()
        self.assertEqual((self.assignment.attempts, self.assignment.score), (2, 100))
        self.assertIsNotNone(self.assignment.completed_at)
        entry = AuditEntry.objects.get(action="awareness.module_completed")
        self.assertEqual(entry.details, {"module": "hameconnage", "score": 100,
                                         "attempts": 2})
        self.assertNotIn("Paul", entry.object_label + str(entry.details))

    def test_a_passed_assignment_is_not_recorded_again(self):
        training_services.complete(assignment=self.assignment, answers=answers(self.module))
        grade = training_services.complete(assignment=self.assignment,
                                           answers=answers(self.module, right=False))
        self.assertFalse(grade.passed)
        self.assignment.refresh_from_db()
        self.assertEqual((self.assignment.attempts, self.assignment.score), (1, 100))

    def test_start_makes_a_self_assignment_once(self):
        other = Person.objects.create(organisation=self.org, first_name="Léa", last_name="L")
        first = training_services.start(person=other, module_key="cps")
        self.assertEqual(first.source, Assignment.Source.SELF)
        self.assertIsNotNone(first.started_at)
        self.assertEqual(training_services.start(person=other, module_key="cps"), first)
        self.assertEqual(training_services.start(person=self.person,
                                                 module_key="hameconnage"), self.assignment)


class DueTests(BaseTestCase):
    def setUp(self):
        self.colin_person = Person.objects.create(organisation=self.org, first_name="Colin",
                                                  last_name="C", user=self.colin)

    def make(self, person, due_on, module="hameconnage"):
        return Assignment.objects.create(organisation=self.org, person=person, module=module,
                                         due_on=due_on)

    def dues(self, now=NOW):
        return list(training_services.due(now))

    def test_three_days_before_to_the_persons_account(self):
        assignment = self.make(self.colin_person, TODAY + datetime.timedelta(days=3))
        self.assertEqual(self.dues(NOW - datetime.timedelta(days=1)), [])
        [due] = self.dues()
        self.assertEqual((due.key, due.occurrence, due.users, due.urgent),
                         (f"awareness.assignment:{assignment.pk}", TODAY, (self.colin.pk,),
                          False))
        self.assertIn("Hameçonnage", str(due.subject) + str(due.text))
        self.assertEqual(str(due.link), "/o/alpha/sensibilisation/formation/modules/"
                                        "hameconnage/")

    def test_once_late_then_no_more(self):
        due_on = TODAY - datetime.timedelta(days=2)
        self.make(self.colin_person, due_on)
        [due] = self.dues()
        self.assertEqual((due.occurrence, due.urgent), (due_on + datetime.timedelta(days=1),
                                                        True))
        self.assertIn("retard", str(due.subject))
        later = [d for d in self.dues(NOW + datetime.timedelta(days=30))
                 if d.key.startswith("awareness.assignment")]
        self.assertEqual(later, [])

    def test_staff_without_account_make_one_count_for_referents_and_responsables(self):
        for person in make_people(self.org, 2):
            self.make(person, TODAY - datetime.timedelta(days=1))
        self.make(self.person, TODAY - datetime.timedelta(days=5))
        self.make(self.person, TODAY + datetime.timedelta(days=2), module="cps")  # not late
        [due] = self.dues()
        self.assertEqual(due.key, f"awareness.training_late:{self.org.pk}")
        self.assertEqual(due.occurrence, TODAY)
        self.assertEqual(set(due.users), {self.alice.pk, self.rita.pk})
        self.assertIn("3 modules de formation en retard", str(due.subject))
        self.assertNotIn("Nom0", str(due.subject) + str(due.text))
        self.assertNotIn("Paul", str(due.subject) + str(due.text))

    def test_an_account_that_is_not_a_member_counts_as_none(self):
        stranger = make_user("parti@alpha.example")
        person = Person.objects.create(organisation=self.org, first_name="Ex", last_name="E",
                                       user=stranger)
        self.make(person, TODAY - datetime.timedelta(days=1))
        [due] = self.dues()
        self.assertTrue(due.key.startswith("awareness.training_late:"))

    def test_done_and_departed_are_not_reminded(self):
        self.make(self.colin_person, TODAY)
        Assignment.objects.update(completed_at=NOW)
        Person.objects.filter(pk=self.person.pk).update(departure_date=TODAY)
        self.make(self.person, TODAY - datetime.timedelta(days=1))
        self.assertEqual(self.dues(), [])
