"""Restore tests of the inventory's backups: logging one (restore_services.restore_log) moves
the inventory's date through its own service, so the backup's history and findings follow;
a failed test puts an action in the plan. The pages: the backups with their status, one
backup, logging a test, a test with its evidence files. Every role, the outsider, bad
input, query counts."""

import datetime
import html
import shutil
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from pharmagarde.actions.models import Action
from pharmagarde.continuity import restore_services
from pharmagarde.continuity.models import CriticalActivity, RestoreEvidence, RestoreTest
from pharmagarde.core.models import AuditEntry
from pharmagarde.inventory.models import Backup, Finding, ItemChange
from pharmagarde.inventory.services import findings_recompute
from tests.base import BaseTestCase
from tests.sample_files import EXECUTABLE_STUB, real_pdf

PDF = real_pdf("Compte rendu de restauration")
SUCCESS, PARTIAL, FAILURE = (RestoreTest.Result.SUCCESS, RestoreTest.Result.PARTIAL,
                             RestoreTest.Result.FAILURE)


def today():
    return timezone.localdate()


def days_ago(days):
    return today() - datetime.timedelta(days=days)


def log(user, backup, *, result=SUCCESS, on=None, minutes=45, activity=None, organisation=None):
    return restore_services.restore_log(
        acting_user=user, organisation=organisation or backup.organisation, backup=backup,
        activity=activity, tested_on=on or days_ago(1), what="Base du LGO de la veille",
        duration_minutes=minutes, result=result, performed_by="Le prestataire", notes="")


def untested(organisation, what="Base du LGO", **fields):
    """A backup of the inventory, with its findings computed (as every inventory write)."""
    backup = Backup.objects.create(organisation=organisation, what=what, **fields)
    findings_recompute(organisation=organisation)
    return backup


def page(response) -> str:
    """The page as read: entities decoded, no-break spaces as spaces."""
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace(
        "\u202f", " ")


def restore_finding(backup):
    return Finding.objects.get(rule="restauration-non-testee", subject=f"backup:{backup.pk}")


class RestoreLogTestCase(BaseTestCase):
    def setUp(self):
        self.backup = untested(self.org, where="NAS", offline_copy=True)

    def test_a_success_moves_the_inventory_date_and_its_finding_goes_away(self):
        self.assertEqual(restore_finding(self.backup).status, Finding.Status.OPEN)
        test = log(self.rita, self.backup, on=days_ago(3))
        self.backup.refresh_from_db()
        self.assertEqual(self.backup.last_restore_test, days_ago(3))
        self.assertEqual(restore_finding(self.backup).status, Finding.Status.RESOLVED)
        # Through the inventory's service: the backup's history says who changed what.
        change = ItemChange.objects.get(item_type="backup", item_id=self.backup.pk,
                                        action=ItemChange.Action.UPDATED)
        self.assertEqual(change.actor, self.rita)
        self.assertEqual(change.changes, {"dernier test de restauration":
                                          ["", days_ago(3).strftime("%d/%m/%Y")]})
        entry = AuditEntry.objects.get(action="continuity.restore_logged")
        self.assertEqual((entry.organisation_id, entry.details["résultat"]),
                         (self.org.pk, "reussi"))
        self.assertEqual((test.recorded_by, test.backup, test.duration_minutes),
                         (self.rita, self.backup, 45))

    def test_a_backup_tested_over_a_year_ago_is_no_longer_a_finding(self):
        Backup.objects.filter(pk=self.backup.pk).update(last_restore_test=days_ago(400))
        findings_recompute(organisation=self.org)
        self.assertIn("Dernier test le", restore_finding(self.backup).detail)
        log(self.alice, self.backup, result=PARTIAL, on=days_ago(2))
        self.backup.refresh_from_db()
        self.assertEqual(self.backup.last_restore_test, days_ago(2))
        self.assertEqual(restore_finding(self.backup).status, Finding.Status.RESOLVED)

    def test_an_older_test_leaves_a_newer_date_alone(self):
        log(self.alice, self.backup, on=days_ago(5))
        log(self.alice, self.backup, on=days_ago(30))
        self.backup.refresh_from_db()
        self.assertEqual(self.backup.last_restore_test, days_ago(5))
        self.assertEqual(ItemChange.objects.filter(item_type="backup",
                                                   action=ItemChange.Action.UPDATED).count(), 1)

    def test_a_failure_is_no_test_done_and_becomes_an_action_until_a_success(self):
        log(self.alice, self.backup, result=FAILURE)
        self.backup.refresh_from_db()
        self.assertIsNone(self.backup.last_restore_test)
        self.assertEqual(restore_finding(self.backup).status, Finding.Status.OPEN)
        action = Action.objects.get(organisation=self.org, source="continuite")
        self.assertEqual(action.source_key, f"restauration:{self.backup.pk}")
        self.assertEqual(action.title, "Refaire fonctionner la sauvegarde « Base du LGO » et "
                                       "la tester de nouveau")
        self.assertEqual(action.criticality, "critique")
        self.assertEqual(action.source_data["origine"],
                         f"Test de restauration du {days_ago(1):%d/%m/%Y} en échec")
        log(self.alice, self.backup, result=SUCCESS, on=today())
        self.assertFalse(Action.objects.filter(source="continuite").exists(),
                         "an untouched action goes when its item goes")

    def test_only_the_organisation_s_backups_and_activities(self):
        foreign = Backup.objects.create(organisation=self.other_org, what="LGO de Bravo")
        with self.assertRaises(ValueError):
            log(self.alice, foreign, organisation=self.org)
        activity = CriticalActivity.objects.create(organisation=self.other_org, name="Autre")
        with self.assertRaises(ValueError):
            log(self.alice, self.backup, activity=activity)
        self.assertFalse(RestoreTest.objects.exists())


class BackupListTestCase(BaseTestCase):
    def url(self):
        return self.org_url("continuity_backups")

    def test_every_backup_with_its_status(self):
        fresh = untested(self.org, what="Documents", last_restore_test=days_ago(5))
        never = untested(self.org, what="Base du LGO")
        failed = untested(self.org, what="Comptabilité", last_restore_test=days_ago(200))
        log(self.alice, failed, result=FAILURE)
        untested(self.other_org, what="LGO de Bravo")
        self.client.force_login(self.aude)
        response = self.client.get(self.url())
        rows = {row.backup.what: (row.state, str(row.label)) for row in response.context["rows"]}
        self.assertEqual(rows, {"Documents": ("a-jour", "À jour"),
                                "Base du LGO": ("jamais", "Jamais testée"),
                                "Comptabilité": ("echec", "Dernier test en échec")})
        self.assertIn("Dernier test en échec", page(response))
        self.assertContains(response, self.org_url("continuity_backup", never.pk))
        self.assertContains(response, self.org_url("continuity_backup", fresh.pk))
        self.assertNotContains(response, self.org_url("continuity_restore_add"),
                               msg_prefix="no write link for the read-only role")

    def test_the_empty_list_points_to_the_inventory(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertIn("Aucune sauvegarde n'est inscrite à l'inventaire", page(response))
        self.assertContains(response, self.org_url("inventory_list", "sauvegardes"))

    def test_the_home_page_links_to_it(self):
        self.client.force_login(self.colin)
        self.assertContains(self.client.get(self.org_url("continuity_home")), self.url())

    def test_outsider_and_anonymous(self):
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.logout()
        self.assertRedirects(self.client.get(self.url()), f"/comptes/login/?next={self.url()}",
                             fetch_redirect_response=False)

    def test_the_same_queries_for_5_or_60_backups(self):
        activity = CriticalActivity.objects.create(organisation=self.org, name="Dispensation",
                                                   max_outage_hours=4)

        def make_row(i):
            backup = Backup.objects.create(organisation=self.org, what=f"Sauvegarde {i:02d}",
                                           last_restore_test=days_ago(i))
            for result in (SUCCESS, FAILURE):
                RestoreTest.objects.create(organisation=self.org, backup=backup,
                                           activity=activity, tested_on=days_ago(i), what="x",
                                           duration_minutes=30, result=result)

        self.client.force_login(self.alice)
        self.assertQueriesConstant(self.url(), make_row)


class BackupDetailTestCase(BaseTestCase):
    def setUp(self):
        self.backup = untested(self.org, where="NAS du bureau", copies=2, media=1,
                               offsite=False, offline_copy=True, errors_at_last_check=0,
                               encrypted=True)
        self.activity = CriticalActivity.objects.create(organisation=self.org,
                                                        name="Dispensation", max_outage_hours=4)
        self.url = self.org_url("continuity_backup", self.backup.pk)

    def test_its_rule_its_tests_its_trend_and_the_form(self):
        log(self.alice, self.backup, on=days_ago(100), minutes=150, activity=self.activity)
        log(self.alice, self.backup, on=days_ago(10), minutes=300, activity=self.activity)
        self.client.force_login(self.rita)
        response = self.client.get(self.url)
        self.assertIn("À jour", page(response))
        self.assertIn("Trois copies des données, l'original compris", page(response))
        self.assertIn("2 copies.", page(response))
        self.assertIn("Identifiants séparés, avec double authentification", page(response))
        self.assertContains(response, "<svg", count=1)
        self.assertIn("Durée des restaurations de « Base du LGO », comparée à la "
                                   "DMIA", page(response))
        self.assertIn("plus lente que le test précédent", page(response))
        self.assertIn("Non, dépassée", page(response))
        self.assertContains(response, f'action="{self.org_url("continuity_restore_add")}"')
        self.assertContains(response, self.org_url("inventory_backup", self.backup.pk))

    def test_never_tested_says_to_test_now(self):
        self.client.force_login(self.aude)
        response = self.client.get(self.url)
        self.assertIn("n'a jamais été restaurée", page(response))
        self.assertIn("Aucun test noté pour cette sauvegarde.", page(response))
        self.assertIsNone(response.context["form"], "no form for the read-only role")

    def test_another_organisation_s_backup_is_not_found(self):
        foreign = Backup.objects.create(organisation=self.other_org, what="LGO de Bravo")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.org_url("continuity_backup", foreign.pk))
                         .status_code, 404)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)


class RestoreAddTestCase(BaseTestCase):
    def setUp(self):
        self.backup = untested(self.org)
        self.activity = CriticalActivity.objects.create(organisation=self.org,
                                                        name="Dispensation", max_outage_hours=4)
        self.url = self.org_url("continuity_restore_add")

    def data(self, **changes):
        values = {"backup": self.backup.pk, "tested_on": days_ago(2).isoformat(),
                  "what": "Base du LGO de la veille, sur le poste de secours",
                  "duration_minutes": "95", "result": SUCCESS, "activity": self.activity.pk,
                  "performed_by": "Le prestataire", "notes": ""}
        values.update(changes)
        return values

    def test_a_test_is_logged_and_the_inventory_follows(self):
        self.client.force_login(self.colin)
        response = self.client.post(self.url, self.data())
        test = RestoreTest.objects.get()
        self.assertRedirects(response, self.org_url("continuity_restore", test.pk),
                             fetch_redirect_response=False)
        self.assertEqual((test.backup, test.activity, test.duration_minutes, test.recorded_by),
                         (self.backup, self.activity, 95, self.colin))
        self.backup.refresh_from_db()
        self.assertEqual(self.backup.last_restore_test, days_ago(2))
        self.assertEqual(restore_finding(self.backup).status, Finding.Status.RESOLVED)

    def test_the_backup_is_chosen_from_the_address(self):
        self.client.force_login(self.alice)
        response = self.client.get(f"{self.url}?sauvegarde={self.backup.pk}")
        self.assertEqual(response.context["form"]["backup"].value(), self.backup.pk)
        foreign = Backup.objects.create(organisation=self.other_org, what="LGO de Bravo")
        response = self.client.get(f"{self.url}?sauvegarde={foreign.pk}")
        self.assertIsNone(response.context["form"]["backup"].value())
        self.assertNotContains(response, "LGO de Bravo")

    def assertRefused(self, data, field, message):  # noqa: N802 - as unittest's
        self.client.force_login(self.alice)
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.context["form"].errors[field], [message])
        self.assertIn(message, page(response))
        self.assertFalse(RestoreTest.objects.exists())
        self.backup.refresh_from_db()
        self.assertIsNone(self.backup.last_restore_test)

    def test_a_duration_that_is_not_a_number(self):
        self.assertRefused(self.data(duration_minutes="une heure"), "duration_minutes",
                           "Indiquez une durée en minutes, avec des chiffres seulement, par "
                           "exemple 45.")

    def test_a_date_in_the_future(self):
        self.assertRefused(self.data(tested_on=(today() + datetime.timedelta(days=1))
                                     .isoformat()), "tested_on",
                           "Cette date est dans le futur : notez le test une fois qu'il a eu "
                           "lieu.")

    def test_a_backup_of_another_organisation(self):
        foreign = Backup.objects.create(organisation=self.other_org, what="LGO de Bravo")
        self.assertRefused(self.data(backup=foreign.pk), "backup",
                           "Choisissez une sauvegarde de la liste.")

    def test_an_activity_of_another_organisation(self):
        foreign = CriticalActivity.objects.create(organisation=self.other_org, name="Autre")
        self.assertRefused(self.data(activity=foreign.pk), "activity",
                           "Choisissez une activité de la liste.")

    def test_a_result_missing(self):
        self.assertRefused(self.data(result=""), "result", "Choisissez le résultat du test.")

    def test_the_read_only_role_the_outsider_and_the_anonymous(self):
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, self.data()).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.post(self.url, self.data()).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.post(self.url, self.data()).status_code, 302)
        self.assertFalse(RestoreTest.objects.exists())

    def test_without_a_backup_the_page_points_to_the_inventory(self):
        Backup.objects.all().delete()
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, self.org_url("inventory_list", "sauvegardes"))


class RestoreEvidenceTestCase(BaseTestCase):
    def setUp(self):
        self.media = tempfile.mkdtemp(prefix="pharmagarde-restore-")
        self.addCleanup(shutil.rmtree, self.media, ignore_errors=True)
        self.enterContext(override_settings(MEDIA_ROOT=self.media))
        self.backup = untested(self.org)
        self.test = log(self.alice, self.backup)
        self.url = self.org_url("continuity_restore", self.test.pk)

    def post(self, name, content, user=None):
        self.client.force_login(user or self.rita)
        return self.client.post(self.url, {"file": SimpleUploadedFile(name, content)})

    def test_the_page_of_a_test(self):
        self.client.force_login(self.aude)
        response = self.client.get(self.url)
        self.assertIn("Base du LGO de la veille", page(response))
        self.assertIn("45 min", page(response))
        self.assertIsNone(response.context["form"], "no upload for the read-only role")

    def test_a_real_pdf_is_kept_and_downloaded(self):
        response = self.post("compte-rendu.pdf", PDF)
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        evidence = RestoreEvidence.objects.get()
        self.assertEqual((evidence.test, evidence.original_name, evidence.size,
                          evidence.organisation), (self.test, "compte-rendu.pdf", len(PDF),
                                                   self.org))
        self.assertTrue(AuditEntry.objects.filter(action="continuity.restore_evidence_added")
                        .exists())
        self.assertContains(self.client.get(self.url), "compte-rendu.pdf")
        download = self.client.get(self.org_url("continuity_restore_evidence", evidence.pk))
        self.assertEqual(b"".join(download.streaming_content), PDF)
        self.assertEqual(download["Content-Security-Policy"], "default-src 'none'; sandbox")

    def test_a_disguised_program_is_refused_and_nothing_is_written(self):
        response = self.post("compte-rendu.pdf", EXECUTABLE_STUB)
        self.assertEqual(response.status_code, 422)
        self.assertTrue(response.context["form"].errors["file"])
        self.assertFalse(RestoreEvidence.objects.exists())
        self.assertEqual([p for p in Path(self.media).rglob("*") if p.is_file()], [])

    def test_no_file_chosen(self):
        self.client.force_login(self.rita)
        response = self.client.post(self.url, {})
        self.assertEqual(response.status_code, 422)
        self.assertIn("Choisissez un fichier.", page(response))

    def test_read_only_outsider_and_anonymous(self):
        self.assertEqual(self.post("compte-rendu.pdf", PDF, user=self.aude).status_code, 403)
        self.assertFalse(RestoreEvidence.objects.exists())
        self.post("compte-rendu.pdf", PDF)
        download = self.org_url("continuity_restore_evidence", RestoreEvidence.objects.get().pk)
        self.client.force_login(self.aude)
        self.assertEqual(self.client.get(download).status_code, 200)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.get(download).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(download).status_code, 302)
