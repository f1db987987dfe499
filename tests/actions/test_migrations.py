"""Migrations 0003–0005: the diagnostic's columns of Action move to the generic source
columns, and back."""

import importlib

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import SimpleTestCase, TransactionTestCase
from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.core.models import Organisation
from pharmagarde.diagnostic.models import Assessment

data_migration = importlib.import_module("pharmagarde.actions.migrations.0004_action_source_data")

BEFORE = [("actions", "0002_initial")]
AFTER = [("actions", "0005_remove_diagnostic_columns")]


class DataMigrationRowsTestCase(SimpleTestCase):
    def test_a_diagnostic_action_keeps_its_measure_questions_level_and_assessment(self):
        row = data_migration.forward_row("diagnostic", "m-mdp", ["mdp", "admin"], "advanced",
                                         7, "2026.1", True)
        self.assertEqual(row, {"source_key": "m-mdp", "resolved_at_source": True,
                               "source_data": {"question_ids": ["mdp", "admin"],
                                               "level": "advanced", "assessment": 7,
                                               "version": "2026.1"}})
        back = data_migration.backward_row("diagnostic", row["source_key"], row["source_data"],
                                           row["resolved_at_source"], {7}.__contains__)
        self.assertEqual(back, {"source": "diagnostic", "measure_id": "m-mdp",
                                "question_ids": ["mdp", "admin"], "level": "advanced",
                                "assessment_id": 7, "resolved_by_diagnostic": True})

    def test_a_diagnostic_action_whose_assessment_is_gone(self):
        row = data_migration.forward_row("diagnostic", "m-mdp", ["mdp"], "", None, None, False)
        self.assertEqual(row["source_data"], {"question_ids": ["mdp"], "level": "basic"})
        back = data_migration.backward_row("diagnostic", "m-mdp", {"assessment": 9}, False,
                                           set().__contains__)
        self.assertIsNone(back["assessment_id"])

    def test_a_hand_made_action_keeps_the_questions_it_closes(self):
        row = data_migration.forward_row("manual", "", ["supports"], "", None, None, False)
        self.assertEqual(row, {"source_key": "", "resolved_at_source": False,
                               "source_data": {"closes": {"diagnostic": ["supports"]}}})
        self.assertEqual(data_migration.forward_row("manual", "", [], "", None, None, False)
                         ["source_data"], {})
        back = data_migration.backward_row("manual", "", row["source_data"], False,
                                           set().__contains__)
        self.assertEqual((back["source"], back["question_ids"]), ("manual", ["supports"]))

    def test_an_action_of_a_later_source_goes_back_as_a_hand_made_one(self):
        back = data_migration.backward_row("inventaire", "eol-3", {"devices": [3]}, True,
                                           set().__contains__)
        self.assertEqual(back, {"source": "manual", "measure_id": "", "question_ids": [],
                                "level": "", "assessment_id": None,
                                "resolved_by_diagnostic": False})


class MigrationTestCase(TransactionTestCase):
    """Runs the real migrations on the test database, forwards then backwards."""

    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def setUp(self):
        self.addCleanup(lambda: self.migrate(MigrationExecutor(connection).loader.graph
                                             .leaf_nodes()))
        self.old = self.migrate(BEFORE).get_model("actions", "Action")
        self.org = Organisation.objects.create(name="Alpha", slug="alpha", kind="officine")
        self.assessment = Assessment.objects.create(
            organisation=self.org, referential_version="2026.1", organisation_kind="officine",
            size_band="1-9", status=Assessment.Status.COMPLETED, completed_at=timezone.now())

    def make_old(self, title, **fields):
        return self.old.objects.create(organisation_id=self.org.pk, title=title, **fields).pk

    def test_it_moves_the_data_and_back(self):
        diagnostic = self.make_old("Mots de passe", source="diagnostic", measure_id="m-mdp",
                                   question_ids=["mdp"], level="advanced",
                                   assessment_id=self.assessment.pk,
                                   resolved_by_diagnostic=True, status="in_progress")
        second = self.make_old("Sauvegardes", source="diagnostic", measure_id="m-sauvegarde",
                               question_ids=["sauvegarde", "restauration"], level="basic",
                               assessment_id=self.assessment.pk)
        linked = self.make_old("Référent", question_ids=["gouv-referent"], status="done")
        plain = self.make_old("À la main")

        self.migrate(AFTER)
        action = Action.objects.get(pk=diagnostic)
        self.assertEqual((action.source, action.source_key, action.resolved_at_source,
                          action.status), ("diagnostic", "m-mdp", True, "in_progress"))
        self.assertEqual(action.source_data, {"question_ids": ["mdp"], "level": "advanced",
                                              "assessment": self.assessment.pk,
                                              "version": "2026.1"})
        self.assertEqual(Action.objects.get(pk=second).source_data["question_ids"],
                         ["sauvegarde", "restauration"])
        self.assertEqual(Action.objects.get(pk=linked).closes_at("diagnostic"),
                         ["gouv-referent"])
        self.assertEqual(Action.objects.get(pk=plain).source_data, {})
        Action.objects.create(organisation=self.org, source="inventaire", source_key="eol-3",
                              title="Poste 3")

        old = self.migrate(BEFORE).get_model("actions", "Action")
        rows = {row["title"]: row for row in old.objects.values(
            "title", "source", "measure_id", "question_ids", "level", "assessment_id",
            "resolved_by_diagnostic")}
        self.assertEqual(rows["Mots de passe"], {
            "title": "Mots de passe", "source": "diagnostic", "measure_id": "m-mdp",
            "question_ids": ["mdp"], "level": "advanced", "assessment_id": self.assessment.pk,
            "resolved_by_diagnostic": True})
        self.assertEqual(rows["Sauvegardes"]["measure_id"], "m-sauvegarde")
        self.assertEqual((rows["Référent"]["source"], rows["Référent"]["question_ids"]),
                         ("manual", ["gouv-referent"]))
        self.assertEqual((rows["Poste 3"]["source"], rows["Poste 3"]["measure_id"]),
                         ("manual", ""))
