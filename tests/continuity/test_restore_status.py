"""The status of a backup as its restore tests show it (continuity/restore_status.py): each
of the five states, the 3-2-1-1-0 rule line by line, the next test due, the restore-time
trend against the DMIA and its chart."""

import datetime
from xml.etree import ElementTree

from django.test import SimpleTestCase

from pharmagarde.continuity import restore_status
from pharmagarde.continuity.models import CriticalActivity, RestoreTest
from pharmagarde.continuity.restore_status import add_months, next_due, status_of
from pharmagarde.inventory.models import Backup
from tests.base import BaseTestCase

TODAY = datetime.date(2026, 12, 1)
SVG = "{http://www.w3.org/2000/svg}"


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def backup(**fields):
    values = {"what": "Base du LGO", "test_every_months": 3}
    values.update(fields)
    item = Backup(**values)
    item.pk = 7
    return item


def restore_test(on, result=RestoreTest.Result.SUCCESS, minutes=60, dmia=None, pk=None):
    activity = CriticalActivity(name="Dispensation", max_outage_hours=dmia) \
        if dmia is not None else None
    item = RestoreTest(tested_on=on, result=result, duration_minutes=minutes, what="LGO",
                       activity=activity)
    item.pk = pk
    return item


class DatesTestCase(SimpleTestCase):
    def test_months_are_added_as_on_a_calendar(self):
        self.assertEqual(add_months(datetime.date(2026, 1, 15), 3), datetime.date(2026, 4, 15))
        self.assertEqual(add_months(datetime.date(2026, 11, 30), 3), datetime.date(2027, 2, 28))
        self.assertEqual(add_months(datetime.date(2028, 1, 31), 1), datetime.date(2028, 2, 29))
        self.assertEqual(add_months(datetime.date(2026, 1, 10), -1), datetime.date(2025, 12, 10))
        self.assertEqual(add_months(datetime.date(2026, 6, 1), 12), datetime.date(2027, 6, 1))

    def test_the_next_test_is_the_last_plus_its_period_and_now_if_never(self):
        self.assertEqual(next_due(datetime.date(2026, 9, 1), 3, TODAY), datetime.date(2026, 12, 1))
        self.assertEqual(next_due(datetime.date(2026, 9, 1), 12, TODAY),
                         datetime.date(2027, 9, 1))
        self.assertEqual(next_due(None, 3, TODAY), TODAY)


class StateTestCase(SimpleTestCase):
    def state(self, item, *tests):
        found = status_of(item, list(tests), TODAY)
        return found.state, found.due

    def test_fresh(self):
        item = backup(last_restore_test=days_ago(10))
        self.assertEqual(self.state(item, restore_test(days_ago(10))),
                         ("a-jour", add_months(days_ago(10), 3)))
        self.assertEqual(str(status_of(item, [], TODAY).label), "À jour")

    def test_soon_within_a_month_of_its_date(self):
        item = backup(last_restore_test=add_months(TODAY, -3) + datetime.timedelta(days=20))
        state, due = self.state(item)
        self.assertEqual((state, (due - TODAY).days), ("bientot", 20))
        # A monthly test is « bientôt » a week before only.
        monthly = backup(last_restore_test=days_ago(12), test_every_months=1)
        self.assertEqual(self.state(monthly)[0], "a-jour")
        monthly.last_restore_test = days_ago(25)
        self.assertEqual(self.state(monthly)[0], "bientot")

    def test_overdue_past_its_date(self):
        item = backup(last_restore_test=add_months(TODAY, -3) - datetime.timedelta(days=1))
        status = status_of(item, [], TODAY)
        self.assertEqual((status.state, status.days_late), ("en-retard", 1))
        self.assertEqual(str(status.label), "En retard")
        # Yearly: the same date is fine.
        item.test_every_months = 12
        self.assertEqual(self.state(item)[0], "a-jour")

    def test_never_tested_is_due_now(self):
        self.assertEqual(self.state(backup()), ("jamais", TODAY))

    def test_a_failed_last_test_wins_until_a_later_success(self):
        item = backup(last_restore_test=days_ago(100))
        failed = restore_test(days_ago(5), RestoreTest.Result.FAILURE)
        self.assertEqual(self.state(item, failed, restore_test(days_ago(100))), ("echec", TODAY))
        self.assertEqual(str(status_of(item, [failed], TODAY).label), "Dernier test en échec")
        # Never a success: failed, not « jamais ».
        self.assertEqual(self.state(backup(), failed)[0], "echec")
        # A success typed in the inventory after the failure counts.
        item.last_restore_test = days_ago(2)
        self.assertEqual(self.state(item, failed)[0], "a-jour")

    def test_a_partial_test_counts_as_a_test(self):
        item = backup(last_restore_test=days_ago(10))
        partial = restore_test(days_ago(10), RestoreTest.Result.PARTIAL)
        self.assertEqual(self.state(item, partial)[0], "a-jour")


class RuleChecksTestCase(SimpleTestCase):
    def lines(self, item):
        return [(check.label, check.met, check.detail)
                for check in restore_status.rule_checks(item)]

    def test_a_backup_that_follows_the_3_2_1_1_0_rule(self):
        item = backup(copies=3, media=2, offsite=True, offline_copy=True, errors_at_last_check=0)
        self.assertEqual(self.lines(item), [
            ("Trois copies des données, l'original compris", True, "3 copies."),
            ("Sur deux supports différents", True, "2 supports."),
            ("Une copie hors des locaux", True, ""),
            ("Une copie hors ligne ou non modifiable", True, ""),
            ("Zéro erreur à la dernière vérification", True, ""),
        ])
        self.assertEqual(status_of(item, [], TODAY).checks_met, 5)

    def test_each_line_that_fails(self):
        item = backup(copies=1, media=1, offsite=False, offline_copy=False,
                      errors_at_last_check=2)
        self.assertEqual([(met, detail) for _label, met, detail in self.lines(item)], [
            (False, "1 copie."), (False, "1 support."), (False, ""), (False, ""),
            (False, "2 erreurs."),
        ])
        self.assertEqual([check.answer for check in restore_status.rule_checks(item)],
                         ["Non"] * 5)

    def test_what_nobody_recorded_is_to_be_checked_not_failed(self):
        status = status_of(backup(), [], TODAY)
        self.assertEqual([check.met for check in status.checks], [None] * 5)
        self.assertEqual([check.answer for check in status.checks], ["Je ne sais pas"] * 5)
        self.assertEqual((status.checks_met, status.checks_unknown), (0, 5))

    def test_encryption_and_separate_credentials(self):
        item = backup(encrypted=True, separate_credentials=False)
        self.assertEqual([(c.label, c.met) for c in restore_status.protection_checks(item)],
                         [("Copies chiffrées", True),
                          ("Identifiants séparés, avec double authentification", False)])


class TrendTestCase(SimpleTestCase):
    def newest_first(self):
        # Newest first, as they are read.
        return [restore_test(days_ago(10), minutes=300, dmia=4, pk=3),
                restore_test(days_ago(100), minutes=90, dmia=4, pk=2),
                restore_test(days_ago(200), minutes=150, dmia=4, pk=1)]

    def test_durations_oldest_first_against_the_dmia(self):
        points = restore_status.trend(self.newest_first())
        self.assertEqual([(p.duration, p.dmia, p.within_dmia, p.arrow) for p in points], [
            ("2 h 30 min", "4 h", True, ""),
            ("1 h 30 min", "4 h", True, "↓"),
            ("5 h", "4 h", False, "↑"),
        ])
        self.assertEqual(points[1].change_label, "plus rapide que le test précédent")
        self.assertEqual(points[2].change_label, "plus lente que le test précédent")

    def test_without_an_activity_there_is_no_dmia_to_compare(self):
        [point] = restore_status.trend([restore_test(days_ago(1), minutes=45)])
        self.assertEqual((point.duration, point.dmia, point.within_dmia), ("45 min", "", None))

    def test_the_chart_is_an_accessible_svg_that_says_its_values(self):
        points = restore_status.trend(self.newest_first())
        svg = ElementTree.fromstring(restore_status.trend_svg(points, "Base <LGO>", 7))
        self.assertEqual(svg.get("role"), "img")
        self.assertEqual(svg.get("aria-labelledby"), "tendance-7-titre tendance-7-desc")
        self.assertEqual(svg.find(f"{SVG}title").text,
                         "Durée des restaurations de « Base <LGO> », comparée à la DMIA")
        desc = svg.find(f"{SVG}desc").text
        self.assertIn("le 23/08/2026, 1 h 30 min (DMIA 4 h, respectée)", desc)
        self.assertIn("le 21/11/2026, 5 h (DMIA 4 h, dépassée)", desc)
        self.assertEqual(len(svg.findall(f"{SVG}rect")), 3)
        dashed = [line for line in svg.findall(f"{SVG}line") if line.get("stroke-dasharray")]
        self.assertEqual(len(dashed), 3 + 1, "one DMIA line per test, and the legend's")
        # The strict CSP: no style attribute or element.
        self.assertFalse([e for e in svg.iter() if e.get("style") is not None
                          or e.tag == f"{SVG}style"])

    def test_no_test_no_chart(self):
        self.assertEqual(restore_status.trend_svg([], "LGO", 1), "")


class StatusesQueriesTestCase(BaseTestCase):
    def test_one_query_whatever_the_number_of_backups(self):
        backups = [Backup.objects.create(organisation=self.org, what=f"Sauvegarde {i}")
                   for i in range(5)]
        activity = CriticalActivity.objects.create(organisation=self.org, name="Dispensation",
                                                   max_outage_hours=4)
        for item in backups:
            for days in (10, 100):
                RestoreTest.objects.create(organisation=self.org, backup=item,
                                           activity=activity, tested_on=days_ago(days),
                                           what="LGO", duration_minutes=days,
                                           result=RestoreTest.Result.SUCCESS)
        with self.assertNumQueries(1):
            found = restore_status.statuses(backups, TODAY)
            points = [point.dmia for status in found for point in status.trend]
        self.assertEqual(points, ["4 h"] * 10)
        self.assertEqual([t.tested_on for t in found[0].tests], [days_ago(10), days_ago(100)])
        with self.assertNumQueries(0):
            self.assertEqual(restore_status.statuses([], TODAY), [])
