"""Continuity's part of the audit packs: the plan's review, the kit, the backups, the
restore tests (older than twelve months: stale) and the exercises."""

import datetime

from django.utils import timezone

from pharmagarde.continuity import pack_sections
from pharmagarde.continuity.models import (
    ContinuityPlan,
    CriticalActivity,
    Exercise,
    RestoreTest,
)
from pharmagarde.core.packs import FAILED, FRESH, MISSING, STALE, Table
from pharmagarde.inventory.models import Backup
from tests.base import BaseTestCase
from tests.reports.test_content_helpers import query_count, sections_by_key

TODAY = datetime.date(2026, 6, 15)


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def by_key(organisation, regime="care"):
    return sections_by_key(pack_sections.sections, organisation, regime, TODAY)


class ContinuitySectionsTestCase(BaseTestCase):
    def backup(self, **fields):
        values = {"organisation": self.org, "what": "Base du LGO", "where": "NAS"}
        values.update(fields)
        return Backup.objects.create(**values)

    def restore(self, day, backup=None, **fields):
        values = {"organisation": self.org, "backup": backup, "tested_on": day,
                  "what": "Base du LGO", "duration_minutes": 45,
                  "result": RestoreTest.Result.SUCCESS}
        values.update(fields)
        return RestoreTest.objects.create(**values)

    def test_an_empty_organisation_has_every_section_saying_what_is_missing(self):
        found = by_key(self.org)
        self.assertEqual(list(found), ["continuity.plan", "continuity.kits",
                                       "continuity.backups", "continuity.restore_tests",
                                       "continuity.exercises"])
        for section in found.values():
            with self.subTest(section.key):
                self.assertTrue(section.blocks)
                self.assertEqual({e.freshness(TODAY) for e in section.evidence}, {MISSING})
        self.assertIn("Aucun test de restauration",
                      found["continuity.restore_tests"].blocks[0].text)

    def test_a_restore_test_of_thirteen_months_ago_is_stale_of_eleven_fresh(self):
        self.restore(datetime.date(2025, 5, 10))
        section = by_key(self.org)["continuity.restore_tests"]
        self.assertEqual(section.evidence[0].date, datetime.date(2025, 5, 10))
        self.assertEqual(section.evidence[0].freshness(TODAY), STALE)
        self.assertIn("10/05/2025, il y a plus de douze mois", section.blocks[0].text)
        self.restore(datetime.date(2025, 7, 10))
        section = by_key(self.org)["continuity.restore_tests"]
        self.assertEqual(section.evidence[0].freshness(TODAY), FRESH)
        self.assertIn("10/07/2025 : moins de douze mois", section.blocks[0].text)

    def test_a_failed_test_is_not_a_restore_done_but_a_date_typed_in_the_inventory_is(self):
        self.restore(datetime.date(2026, 5, 1), result=RestoreTest.Result.FAILURE)
        section = by_key(self.org)["continuity.restore_tests"]
        self.assertEqual(section.evidence[0].freshness(TODAY), MISSING)
        self.assertEqual(len(section.blocks[1].rows), 1)
        self.backup(last_restore_test=datetime.date(2026, 2, 1))
        section = by_key(self.org)["continuity.restore_tests"]
        self.assertEqual(section.evidence[0].date, datetime.date(2026, 2, 1))

    def test_the_backups_three_two_one_offline_copy_and_credentials(self):
        self.backup(copies=3, media=2, offsite=True, offline_copy=True, encrypted=True,
                    separate_credentials=True, errors_at_last_check=0)
        self.backup(what="Documents", offline_copy=False)
        section = by_key(self.org)["continuity.backups"]
        table = section.blocks[1]
        self.assertEqual([row[0] for row in table.rows], ["Base du LGO", "Documents"])
        self.assertEqual(table.rows[0][3], "5 / 5")
        self.assertEqual(table.rows[1][4], "non")
        self.assertEqual({e.key: e.freshness(TODAY) for e in section.evidence},
                         {"hors-ligne": FRESH, "identifiants": FRESH, "supervision": FRESH})
        self.assertIn("CaRE D2 — règle 3-2-1", section.references)

    def test_the_plan_review_the_activities_and_the_kit_out_of_date(self):
        plan = ContinuityPlan.objects.create(organisation=self.org, reviewed_at=at(
            datetime.date(2026, 1, 5)), kit_printed_at=at(datetime.date(2026, 1, 6)),
            kit_printed_revision=1, revision=2)
        CriticalActivity.objects.create(organisation=self.org, name="<script>x</script>",
                                        max_outage_hours=1, max_data_loss_hours=24,
                                        impact="critique")
        found = by_key(self.org)
        self.assertEqual(found["continuity.plan"].evidence[0].date, datetime.date(2026, 1, 5))
        table = next(b for b in found["continuity.plan"].blocks if isinstance(b, Table))
        self.assertEqual(table.rows[0][0], "<script>x</script>")  # data: the renderer escapes
        self.assertEqual(table.rows[0][2:4], (1, 24))
        self.assertIn("réimprimez-le", found["continuity.kits"].blocks[0].text)
        kit = found["continuity.kits"].evidence[0]
        self.assertEqual(kit.freshness(TODAY), FAILED)  # recent, but out of date
        self.assertIn("à réimprimer", kit.failed)
        plan.kit_printed_revision = 2
        plan.save()
        kits = by_key(self.org)["continuity.kits"]
        self.assertIn("correspond au plan actuel", kits.blocks[0].text)
        self.assertEqual(kits.evidence[0].freshness(TODAY), FRESH)

    def test_the_last_exercise_finished(self):
        Exercise.objects.create(organisation=self.org, scenario="rancongiciel",
                                title="Rançongiciel", status=Exercise.Status.DONE,
                                started_at=at(datetime.date(2025, 4, 1)),
                                ended_at=at(datetime.date(2025, 4, 1)),
                                findings="Mettre à jour l'annuaire\n\nImprimer le kit")
        section = by_key(self.org)["continuity.exercises"]
        self.assertEqual(section.evidence[0].freshness(TODAY), STALE)
        self.assertEqual(section.blocks[1].rows[0][4], 2)

    def test_the_finished_exercises_come_before_the_unfinished_on_every_database(self):
        for index in range(3):
            Exercise.objects.create(organisation=self.org, scenario="rancongiciel",
                                    title=f"Terminé {index}", status=Exercise.Status.DONE,
                                    started_at=at(datetime.date(2026, 3, 1 + index)),
                                    ended_at=at(datetime.date(2026, 3, 1 + index)))
        Exercise.objects.create(organisation=self.org, scenario="rancongiciel",
                                title="En cours", status=Exercise.Status.RUNNING,
                                started_at=at(datetime.date(2026, 6, 1)))
        rows = by_key(self.org)["continuity.exercises"].blocks[1].rows
        # PostgreSQL puts NULL first in a descending order, SQLite last.
        self.assertEqual([row[0] for row in rows],
                         ["Terminé 2", "Terminé 1", "Terminé 0", "En cours"])

    def test_another_organisations_rows_are_not_used(self):
        self.restore(datetime.date(2026, 5, 10), organisation=self.other_org)
        section = by_key(self.org)["continuity.restore_tests"]
        self.assertEqual(section.evidence[0].freshness(TODAY), MISSING)

    def test_the_queries_do_not_grow_with_the_rows(self):
        def count():
            return query_count(lambda: by_key(self.org))

        for i in range(5):
            backup = self.backup(what=f"Sauvegarde {i}")
            self.restore(datetime.date(2026, 1, 1 + i), backup=backup)
        few = count()
        for i in range(5, 50):
            backup = self.backup(what=f"Sauvegarde {i}")
            self.restore(datetime.date(2026, 2, 1 + i % 28), backup=backup)
        self.assertEqual(count(), few)

    def test_only_the_regimes_that_ask_for_it(self):
        self.assertEqual(list(by_key(self.org, regime="cnil")), ["continuity.backups"])
