"""Imports through the pages, with real files: an Active Directory export as PowerShell 5.1
writes it, and a scan made by nmap. Preview first, nothing written; then all or nothing; a
second import updates; hostile files are refused with a French message and write nothing."""

import datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from pharmagarde.core.models import AuditEntry, Person
from pharmagarde.inventory import importers
from pharmagarde.inventory.models import Account, Device, Finding, ImportBatch, ItemChange
from pharmagarde.inventory.parsers.nmap import read_nmap
from tests.base import BaseTestCase

FILES = Path(__file__).parent / "files" / "parsers"


def upload(name, folder=FILES):
    return SimpleUploadedFile(name, (folder / name).read_bytes())


class ImportTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.owner)
        self.url = self.org_url("inventory_import")

    def start(self, source, name, folder=FILES):
        return self.client.post(self.url, {"source": source, "file": upload(name, folder)})

    def preview_url(self, batch):
        return self.org_url("inventory_import_preview", batch.pk)


class ActiveDirectoryImportTestCase(ImportTestCase):
    def test_it_previews_then_imports_accounts_admins_and_their_holders(self):
        marie = Person.objects.create(organisation=self.org, first_name="Marie",
                                      last_name="Lefèvre", email="mlefevre@pharmacie-centrale.fr",
                                      departure_date=datetime.date(2026, 1, 31))
        response = self.start("ad", "get-aduser-fr-utf8bom.csv")
        batch = ImportBatch.objects.get(organisation=self.org)
        self.assertRedirects(response, self.preview_url(batch))
        self.assertFalse(Account.objects.exists())  # the preview writes nothing
        preview = self.client.get(self.preview_url(batch))
        self.assertContains(preview, "jdupont")
        self.assertContains(preview, "Confirmer l'import")

        response = self.client.post(self.preview_url(batch))
        self.assertRedirects(response, self.org_url("inventory_list", "comptes"))
        accounts = {a.login: a for a in Account.objects.filter(organisation=self.org)}
        self.assertEqual(len(accounts), 7)
        self.assertTrue(accounts["Administrateur"].is_admin)
        self.assertTrue(accounts["jdupont"].is_admin)  # the titulaire, in « Admins du domaine »
        self.assertFalse(accounts["fcaron"].is_admin)
        self.assertFalse(accounts["Invité"].enabled)
        self.assertEqual(accounts["mlefevre"].holder, marie)
        self.assertEqual(ItemChange.objects.filter(action="imported").count(), 7)
        self.assertTrue(AuditEntry.objects.filter(action="inventory.imported").exists())
        # What the rules then see: the departed Marie, the generic admin.
        rules = set(Finding.objects.filter(organisation=self.org,
                                           status=Finding.Status.OPEN)
                    .values_list("rule", flat=True))
        self.assertLessEqual({"compte-parti-actif", "admin-partage"}, rules)

    def test_a_second_import_updates_instead_of_duplicating(self):
        for _ in range(2):
            self.start("ad", "get-aduser-fr-utf8bom.csv")
            self.client.post(self.preview_url(ImportBatch.objects.latest("pk")))
        self.assertEqual(Account.objects.filter(organisation=self.org).count(), 7)
        # The same file twice changes nothing the second time.
        self.assertEqual(ItemChange.objects.filter(action="imported").count(), 7)

    def test_confirming_twice_imports_once(self):
        self.start("ad", "get-aduser-fr-ascii.csv")
        batch = ImportBatch.objects.get()
        self.client.post(self.preview_url(batch))
        self.client.post(self.preview_url(batch))
        self.assertEqual(ItemChange.objects.filter(action="imported").count(),
                         Account.objects.count())

    def test_the_windows_1252_export_keeps_its_accents(self):
        self.start("ad", "get-aduser-fr-cp1252.csv")
        self.client.post(self.preview_url(ImportBatch.objects.get()))
        self.assertTrue(Account.objects.filter(login="Invité").exists())

    def test_a_file_that_is_no_ad_export_is_refused_with_its_reason(self):
        response = self.start("ad", "devices-semicolon.csv")
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "ne ressemble pas à un export Active Directory",
                            status_code=422)
        self.assertFalse(ImportBatch.objects.exists())


class NmapImportTestCase(ImportTestCase):
    def test_it_imports_hosts_and_their_open_ports(self):
        response = self.start("nmap", "scan-loopback.xml")
        batch = ImportBatch.objects.get()
        self.assertRedirects(response, self.preview_url(batch))
        self.assertFalse(Device.objects.exists())
        self.client.post(self.preview_url(batch))
        devices = list(Device.objects.filter(organisation=self.org))
        self.assertTrue(devices)
        ports = {p["port"] for d in devices for p in d.open_ports}
        with (FILES / "scan-loopback.xml").open("rb") as file:
            expected = {p.port for h in read_nmap(file).hosts if h.status == "up"
                        for p in h.ports}
        self.assertEqual(ports, expected)
        self.assertTrue(ports)
        # Re-importing updates the same devices.
        self.start("nmap", "scan-loopback.xml")
        self.client.post(self.preview_url(ImportBatch.objects.latest("pk")))
        self.assertEqual(Device.objects.filter(organisation=self.org).count(), len(devices))

    def test_a_scan_cut_short_imports_the_hosts_read_in_full(self):
        response = self.start("nmap", "scan-loopback-truncated.xml")
        batch = ImportBatch.objects.get()
        self.assertRedirects(response, self.preview_url(batch))
        preview = self.client.get(self.preview_url(batch))
        self.assertContains(preview, "Le fichier est incomplet")
        self.assertFalse(batch.summary["complete"])


class HostileFilesTestCase(ImportTestCase):
    def test_hostile_files_are_refused_in_french_and_nothing_is_written(self):
        hostile = FILES / "hostile"
        cases = [("nmap", "xxe.xml"), ("nmap", "xxe-external-dtd.xml"),
                 ("nmap", "billion-laughs.xml"), ("nmap", "binary-junk.xml"),
                 ("nmap", "not-nmap.xml"), ("ad", "binary-junk.csv"), ("ad", "nul-bytes.csv"),
                 ("ad", "duplicate-columns.csv"),
                 ("ad", "zip-bomb.xlsx"), ("ad", "too-many-cells.csv")]
        for source, name in cases:
            response = self.start(source, name, hostile)
            self.assertEqual(response.status_code, 422, name)
            self.assertContains(response, "Ce fichier ne peut pas être importé",
                                status_code=422)
        # An empty file is stopped by the form itself, next to the field.
        response = self.start("ad", "empty.csv", hostile)
        self.assertContains(response, "vide")
        self.assertFalse(ImportBatch.objects.exists())
        self.assertFalse(Account.objects.exists() or Device.objects.exists())

    def test_the_read_only_role_and_outsiders_cannot_import(self):
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.start("nmap", "scan-loopback.xml").status_code, 404)
        self.assertFalse(ImportBatch.objects.exists())

    def test_another_organisations_batch_is_not_found(self):
        foreign = ImportBatch.objects.create(organisation=self.other_org,
                                             source=ImportBatch.Source.NMAP, filename="x.xml")
        self.assertEqual(self.client.post(self.preview_url(foreign)).status_code, 404)
        self.assertIsNone(ImportBatch.objects.get(pk=foreign.pk).applied_at)


class CommandTestCase(BaseTestCase):
    def run_import(self, *args):
        from io import StringIO

        from django.core.management import call_command

        out, err = StringIO(), StringIO()
        call_command("import", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_a_dry_run_writes_nothing_then_the_real_run_imports(self):
        path = str(FILES / "get-aduser-fr-utf8bom.csv")
        out, _err = self.run_import("ad", path, "--org", self.org.slug, "--dry-run")
        self.assertIn("7 élément(s) à ajouter", out)
        self.assertIn("rien n'a été enregistré", out)
        self.assertFalse(Account.objects.exists() or ImportBatch.objects.exists())
        out, _err = self.run_import("ad", path, "--org", self.org.slug)
        self.assertIn("Import terminé : 7 ajouté(s)", out)
        self.assertEqual(Account.objects.filter(organisation=self.org).count(), 7)
        self.assertEqual(ItemChange.objects.get(item_id=Account.objects.first().pk,
                                                item_type="account").actor, self.owner)

    def test_a_bad_file_or_member_is_refused(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "Rien n'a été importé"):
            self.run_import("nmap", str(FILES / "hostile" / "xxe.xml"), "--org", self.org.slug)
        with self.assertRaisesMessage(CommandError, "peut écrire"):
            self.run_import("nmap", str(FILES / "scan-loopback.xml"), "--org", self.org.slug,
                            "--as", self.readonly.email)
        with self.assertRaisesMessage(CommandError, "Aucune structure"):
            self.run_import("nmap", str(FILES / "scan-loopback.xml"), "--org", "inconnue")
        self.assertFalse(Device.objects.exists())


class ReviewTestCase(ImportTestCase):
    def test_uncertain_holders_are_chosen_on_the_preview(self):
        jeanne = Person.objects.create(organisation=self.org, first_name="Jeanne",
                                       last_name="Dupont")
        self.start("ad", "get-aduser-fr-utf8bom.csv")
        batch = ImportBatch.objects.get()
        row = next(r for r in map(importers.ad_row, batch.rows) if r["login"] == "jdupont")
        self.assertIsNone(row["holder"])
        self.assertEqual(row["candidates"], [[jeanne.pk, str(jeanne)]])
        self.assertEqual(batch.summary["to_review"], 1)
        # Someone who is no candidate cannot be attached through the form.
        self.client.post(self.preview_url(batch), {"titulaire-jdupont": str(jeanne.pk),
                                                   "titulaire-fcaron": str(self.person.pk)})
        self.assertEqual(Account.objects.get(login="jdupont").holder, jeanne)
        self.assertIsNone(Account.objects.get(login="fcaron").holder)

    def test_the_preview_offers_the_candidates_to_choose(self):
        Person.objects.create(organisation=self.org, first_name="Jeanne", last_name="Dupont")
        self.start("ad", "get-aduser-fr-utf8bom.csv")
        page = self.client.get(self.preview_url(ImportBatch.objects.get()))
        self.assertContains(page, 'name="titulaire-jdupont"')
        self.assertContains(page, "Jeanne Dupont")

    def test_accounts_to_review_are_all_offered_whatever_their_page(self):
        Person.objects.create(organisation=self.org, first_name="Jeanne", last_name="Dupont")
        self.start("ad", "get-aduser-fr-utf8bom.csv")
        batch = ImportBatch.objects.get()
        # As if the export were long: the account to review sits on a later page.
        first = importers.ad_row(batch.rows[0])
        batch.rows = [importers.pack_ad_row(dict(first, login=f"filler{n}", candidates=[],
                                                 existing=None))
                      for n in range(120)] + batch.rows
        batch.save(update_fields=["rows"])
        page = self.client.get(self.preview_url(batch))
        self.assertContains(page, 'name="titulaire-jdupont"')
        self.assertContains(page, "Comptes à rattacher")
