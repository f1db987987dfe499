"""The plan follows the diagnostic (plan_sync_from_assessment) and keeps people's work.

The rules themselves are the plan's, for any source: tests/actions/test_plan_reconcile.py."""

import datetime

from django.utils import timezone

from pharmagarde.actions import services
from pharmagarde.actions.models import Action
from pharmagarde.core.models import AuditEntry
from pharmagarde.diagnostic.plan_source import plan_sync_from_assessment
from tests.actions.base import PlanTestCase, days


class PlanSyncTestCase(PlanTestCase):
    def sync(self, assessment):
        return plan_sync_from_assessment(acting_user=self.alice,
                                         assessment=assessment).changes

    def answer(self, assessment, question_id, choices):
        assessment.answers.filter(question_id=question_id).update(choice_ids=choices)

    def referent_action(self):
        return Action.objects.get(organisation=self.org, source="diagnostic",
                                  source_key="m-referent")

    def test_it_creates_one_action_per_measure_with_a_gap(self):
        assessment = self.make_assessment({"gouv-referent": ["non"],
                                           "gouv-sensibilisation": ["aucun"]})
        self.assertEqual(self.sync(assessment), 2)
        action = self.referent_action()
        self.assertEqual(action.source, "diagnostic")
        self.assertEqual(action.source_data, {"question_ids": ["gouv-referent"],
                                              "level": "basic", "assessment": assessment.pk,
                                              "version": "2026.1"})
        self.assertEqual(action.title, "Désigner un référent cybersécurité")
        self.assertTrue(action.references)
        entry = AuditEntry.objects.get(action="plan.synced")
        self.assertEqual((entry.object_id, entry.details["origine"],
                          entry.details["ajoutées"]), (str(assessment.pk), "diagnostic", 2))
        # Nothing changed: nothing written.
        self.assertEqual(self.sync(assessment), 0)

    def test_it_keeps_owner_due_date_status_and_notes_when_answers_change(self):
        assessment = self.make_assessment({"gouv-referent": ["non"]})
        self.sync(assessment)
        action = self.referent_action()
        action.owner, action.due_date = self.person, days(10)
        action.status, action.notes, action.progress = Action.Status.IN_PROGRESS, "Vu", 40
        services.action_save(acting_user=self.colin, action=action, revision=1)
        self.answer(assessment, "gouv-referent", ["partiel"])
        self.assertEqual(self.sync(assessment), 1)
        action.refresh_from_db()
        self.assertEqual(action.source_data["level"], "advanced")
        self.assertIn("lettre de mission", action.description)
        self.assertEqual((action.owner, action.due_date, action.status, action.notes,
                          action.progress),
                         (self.person, days(10), Action.Status.IN_PROGRESS, "Vu", 40))

    def test_it_removes_an_untouched_action_when_the_gap_closes(self):
        assessment = self.make_assessment({"gouv-referent": ["non"]})
        self.sync(assessment)
        self.answer(assessment, "gouv-referent", ["oui"])
        self.assertEqual(self.sync(assessment), 1)
        self.assertFalse(Action.objects.filter(source_key="m-referent").exists())

    def test_it_flags_a_started_action_as_resolved_when_the_gap_closes(self):
        assessment = self.make_assessment({"gouv-referent": ["non"]})
        self.sync(assessment)
        action = self.referent_action()
        action.owner = self.person
        services.action_save(acting_user=self.colin, action=action, revision=1)
        self.answer(assessment, "gouv-referent", ["oui"])
        self.sync(assessment)
        action.refresh_from_db()
        self.assertTrue(action.resolved_at_source)
        self.assertEqual(action.status, Action.Status.TODO)
        # The gap comes back: the flag goes.
        self.answer(assessment, "gouv-referent", ["non"])
        self.sync(assessment)
        action.refresh_from_db()
        self.assertFalse(action.resolved_at_source)

    def test_it_leaves_manual_actions_alone(self):
        assessment = self.make_assessment({"gouv-referent": ["oui"]})
        self.sync(assessment)
        self.assertTrue(Action.objects.filter(pk=self.action.pk).exists())

    def test_it_reopens_a_finished_action_whose_gap_persists_in_a_later_assessment(self):
        first = self.make_assessment({"gouv-referent": ["non"]})
        first.started_at = timezone.now() - datetime.timedelta(days=60)
        first.save()
        self.sync(first)
        action = self.referent_action()
        action.status = Action.Status.DONE
        services.action_save(acting_user=self.colin, action=action, revision=1)
        Action.objects.filter(pk=action.pk).update(
            closed_at=timezone.now() - datetime.timedelta(days=30))
        # The same answers in the same assessment do not reopen it…
        self.sync(first)
        action.refresh_from_db()
        self.assertEqual(action.status, Action.Status.DONE)
        # …a later assessment that still shows the gap does.
        later = self.make_assessment({"gouv-referent": ["non"]}, completed=False)
        self.sync(later)
        action.refresh_from_db()
        self.assertEqual(action.status, Action.Status.TODO)
        self.assertIsNone(action.closed_at)
        self.assertIn("Rouverte", action.notes)
        self.assertIn("le diagnostic du", action.notes)
        self.assertEqual(action.source_data["assessment"], later.pk)
        # An open edit form (older revision) can no longer overwrite the reopening.
        self.assertEqual(action.revision, 3)


class ActionSaveTestCase(PlanTestCase):
    def test_it_refuses_a_stale_revision_and_writes_nothing(self):
        stale = Action.objects.get(pk=self.action.pk)
        self.action.notes = "premier"
        services.action_save(acting_user=self.colin, action=self.action, revision=1)
        stale.notes = "second"
        with self.assertRaises(services.ActionConflict) as ctx:
            services.action_save(acting_user=self.rita, action=stale, revision=1)
        self.assertEqual(ctx.exception.current.notes, "premier")
        self.action.refresh_from_db()
        self.assertEqual((self.action.notes, self.action.revision), ("premier", 2))
        self.assertEqual(AuditEntry.objects.filter(action="action.updated").count(), 1)

    def test_finishing_sets_progress_and_closed_at(self):
        self.action.status = Action.Status.DONE
        services.action_save(acting_user=self.colin, action=self.action, changed=["status"])
        self.action.refresh_from_db()
        self.assertEqual(self.action.progress, 100)
        self.assertIsNotNone(self.action.closed_at)
        self.assertTrue(AuditEntry.objects.filter(action="action.closed").exists())
