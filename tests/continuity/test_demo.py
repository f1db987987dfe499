"""The continuity of the demo officine: what a newcomer clicks through (the plan with some
lines done and some missing, the kit to print again, the restore-time trend, a finished
exercise whose findings are in the action plan), made through the services, once."""

import datetime
import html

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.continuity.models import (
    ContinuityPlan,
    CriticalActivity,
    Exercise,
    ExerciseEvent,
    RestoreTest,
)
from pharmagarde.continuity.plan_checks import plan_activities, plan_checks
from pharmagarde.core.models import AuditEntry, Membership, Organisation, Role
from pharmagarde.inventory.models import Backup, Finding
from tests.core.test_demo import OFFICINE, run_demo

MODELS = (ContinuityPlan, CriticalActivity, RestoreTest, Exercise, ExerciseEvent)


def page(response) -> str:
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace(
        "\u202f", " ")


class ContinuityDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.officine = Organisation.objects.get(name=OFFICINE)
        cls.plan = ContinuityPlan.objects.get(organisation=cls.officine)
        cls.activities = {a.key or a.name: a for a in
                          CriticalActivity.objects.filter(organisation=cls.officine)}
        cls.titulaire = Membership.objects.filter(
            organisation=cls.officine, role=Role.RESPONSABLE).order_by("pk").first().user

    def test_some_activities_name_the_inventory_and_the_checks_show_what_is_missing(self):
        dispensing = self.activities["dispensation"]
        self.assertEqual({d.name for d in dispensing.devices.all()},
                         {"Comptoir 1", "Box de l'opérateur"})
        self.assertEqual({s.name for s in dispensing.software.all()}, {"LGO"})
        self.assertEqual((dispensing.max_outage_hours, dispensing.max_data_loss_hours), (1, 12))
        checks = [c.text for c in plan_checks(self.plan, plan_activities(self.officine),
                                              organisation=self.officine,
                                              now=timezone.now())]
        dependencies = [t for t in checks if "aucune dépendance" in t]
        # Done: the dispensing, the DP, the billing, the orders; still missing: the others.
        self.assertFalse([t for t in dependencies if "Dispensation" in t
                          or "Commandes" in t or "SESAM" in t])
        self.assertTrue([t for t in dependencies if "Tiers payant" in t])
        self.assertIn("« Portage de médicaments à domicile » : la durée d'interruption "
                      "maximale admissible (DMIA) n'est pas fixée.", checks)
        self.assertFalse([t for t in checks if "cellule de crise" in t])
        self.assertFalse([t for t in checks if "jamais été revu" in t])

    def test_the_kit_was_printed_before_the_plan_changed(self):
        self.assertIsNotNone(self.plan.kit_printed_at)
        self.assertTrue(self.plan.kit_outdated)
        self.assertLess(self.plan.kit_printed_revision, self.plan.revision)
        self.client.force_login(self.titulaire)
        response = self.client.get(reverse("continuity_plan", args=[self.officine.slug]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("le plan a changé depuis", page(response))
        self.assertIn("Portage de médicaments à domicile", page(response))
        # Written through the services: each step is in the audit log.
        actions = set(AuditEntry.objects.filter(organisation=self.officine,
                                                action__startswith="continuity.")
                      .values_list("action", flat=True))
        self.assertLessEqual({"continuity.plan_prefilled", "continuity.activity_saved",
                              "continuity.crisis_cell_saved", "continuity.plan_reviewed",
                              "continuity.kit_printed", "continuity.restore_logged",
                              "continuity.exercise_created", "continuity.exercise_started",
                              "continuity.exercise_event", "continuity.exercise_finished"},
                             actions)

    def test_two_restore_tests_of_the_lgo_backup_show_the_trend_against_the_dmia(self):
        backup = Backup.objects.get(organisation=self.officine, what="Base du LGO")
        tests = list(RestoreTest.objects.filter(organisation=self.officine)
                     .order_by("tested_on"))
        today = timezone.localdate()
        self.assertEqual([(t.backup, t.activity.key, t.result, t.duration_minutes,
                           (today - t.tested_on).days) for t in tests],
                         [(backup, "dispensation", "reussi", 95, 61),
                          (backup, "dispensation", "reussi", 60, 7)])
        # Through the inventory's service: its date and its finding follow.
        self.assertEqual(backup.last_restore_test, today - datetime.timedelta(days=7))
        self.assertFalse(Finding.objects.filter(rule="restauration-non-testee",
                                                subject=f"backup:{backup.pk}",
                                                status=Finding.Status.OPEN).exists())
        self.client.force_login(self.titulaire)
        shown = page(self.client.get(reverse("continuity_backup",
                                             args=[self.officine.slug, backup.pk])))
        self.assertIn("À jour", shown)
        self.assertIn("Non, dépassée", shown)  # 95 minutes for a DMIA of one hour
        self.assertIn("1 h 35", shown)

    def test_a_finished_exercise_with_its_log_debrief_and_findings_in_the_plan(self):
        exercise = Exercise.objects.get(organisation=self.officine)
        self.assertEqual((exercise.scenario, exercise.status),
                         ("rancongiciel-ouverture", Exercise.Status.DONE))
        kinds = list(exercise.events.values_list("kind", flat=True))
        self.assertEqual((kinds.count("stimulus"), kinds.count("decision"),
                          kinds.count("observation")), (4, 2, 1))
        self.assertLess(exercise.started_at, exercise.ended_at)
        self.assertTrue(all(exercise.started_at <= e.at <= exercise.ended_at
                            for e in exercise.events.all()))
        self.assertIn("acces-distance", exercise.debrief)
        actions = Action.objects.filter(organisation=self.officine, source="continuite")
        self.assertEqual(sorted(a.source_key for a in actions),
                         [f"exercice:{exercise.pk}:1", f"exercice:{exercise.pk}:2"])
        self.assertTrue(actions.filter(title__startswith="Changer le mot de passe de l'accès "
                                                         "à distance").exists())
        self.client.force_login(self.titulaire)
        report = page(self.client.get(reverse("continuity_exercise_report",
                                              args=[self.officine.slug, exercise.pk])))
        self.assertIn("Imprimer les numéros d'urgence", report)
        self.assertIn("4 / 7", report)

    def test_a_second_run_adds_nothing(self):
        def counts():
            return {model.__name__: model.objects.filter(organisation=self.officine).count()
                    for model in MODELS} | {
                "actions": Action.objects.filter(organisation=self.officine).count(),
                "audit": AuditEntry.objects.filter(organisation=self.officine).count()}

        before = counts()
        self.assertEqual(before["ExerciseEvent"], 7)
        run_demo()
        self.assertEqual(counts(), before)
