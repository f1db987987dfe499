"""Spreadsheet imports through the pages: a French Excel export (`;`, Windows-1252), the
column mapping step and its memory, one error per row, all or nothing, re-import, template."""

from django.core.files.uploadedfile import SimpleUploadedFile

from pharmagarde.core.models import Person
from pharmagarde.inventory.models import ColumnMapping, Device, ImportBatch, ItemChange
from tests.base import BaseTestCase
from tests.inventory.test_imports import FILES


class TableImportTestCase(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.owner)

    def upload(self, target, name=None, content=None, folder=FILES):
        data = content if content is not None else (folder / name).read_bytes()
        return self.client.post(self.org_url("inventory_import"), {
            "source": "tableau", "target": target,
            "file": SimpleUploadedFile(name or "tableau.csv", data)})

    def columns_url(self, batch):
        return self.org_url("inventory_import_columns", batch.pk)

    def test_a_french_excel_export_goes_through_mapping_preview_and_import(self):
        response = self.upload("appareils", "devices-semicolon.csv")
        batch = ImportBatch.objects.get()
        self.assertRedirects(response, self.columns_url(batch))
        page = self.client.get(self.columns_url(batch))
        form = page.context["form"]
        self.assertEqual(form["name"].initial, "Nom")
        self.assertEqual(form["ip_address"].initial, "Adresse IP")
        self.assertEqual(form["kind"].initial, "Type")
        self.assertContains(page, "Acheté le")  # Windows-1252 read as such

        # « Poste de comptoir » is no device type: one error per row, nothing written.
        refused = self.client.post(self.columns_url(batch), {"name": "Nom", "kind": "Type",
                                                             "ip_address": "Adresse IP"})
        self.assertEqual(refused.status_code, 422)
        self.assertShows(refused, "Ligne 2 : Type : « Poste de comptoir » n&#x27;est pas un type "
                                  "connu", status_code=422)
        self.assertFalse(Device.objects.exists())

        # Without the type column: the preview, then the import.
        response = self.client.post(self.columns_url(batch), {"name": "Nom",
                                                              "ip_address": "Adresse IP"})
        preview_url = self.org_url("inventory_import_preview", batch.pk)
        self.assertRedirects(response, preview_url)
        self.assertContains(self.client.get(preview_url), "PC-COMPTOIR-1")
        self.assertFalse(Device.objects.exists())
        self.client.post(preview_url)
        devices = Device.objects.filter(organisation=self.org)
        self.assertEqual(devices.get(name="PC-COMPTOIR-1").ip_address, "192.168.1.21")
        count = devices.count()
        self.assertEqual(ItemChange.objects.filter(action="imported").count(), count)

        # Next time: the mapping is remembered (the type still left out), and the same
        # file updates the same devices.
        self.upload("appareils", "devices-semicolon.csv")
        again = ImportBatch.objects.latest("pk")
        form = self.client.get(self.columns_url(again)).context["form"]
        self.assertEqual(form["kind"].initial, "")
        self.client.post(self.columns_url(again), {"name": "Nom", "ip_address": "Adresse IP"})
        self.client.post(self.org_url("inventory_import_preview", again.pk))
        self.assertEqual(Device.objects.filter(organisation=self.org).count(), count)
        self.assertEqual(ColumnMapping.objects.get(organisation=self.org).mapping["kind"], "")

    def test_the_same_file_with_commas_or_tabs_reads_the_same(self):
        for name in ("devices-comma.csv", "devices-tab.txt"):
            self.upload("appareils", name)
            batch = ImportBatch.objects.latest("pk")
            self.assertEqual(batch.summary["columns"][:3], ["Nom", "Type", "Adresse IP"], name)

    def test_people_are_matched_on_their_email_then_their_name(self):
        Person.objects.filter(pk=self.person.pk).update(email="paul@alpha.example")
        content = ("Nom;Prénom;Adresse e-mail;Date de départ\n"
                   "Préparateur;Paul;paul@alpha.example;31/10/2026\n"
                   "Martin;Claire;claire@alpha.example;\n").encode("cp1252")
        self.upload("personnel", content=content)
        batch = ImportBatch.objects.get()
        self.client.post(self.columns_url(batch), {"last_name": "Nom", "first_name": "Prénom",
                                                   "email": "Adresse e-mail",
                                                   "departure_date": "Date de départ"})
        self.client.post(self.org_url("inventory_import_preview", batch.pk))
        self.person.refresh_from_db()
        self.assertEqual(self.person.departure_date.isoformat(), "2026-10-31")
        self.assertTrue(Person.objects.filter(organisation=self.org, first_name="Claire")
                        .exists())
        self.assertEqual(Person.objects.filter(organisation=self.org).count(), 2)

    def test_a_required_column_left_out_is_said(self):
        self.upload("appareils", "devices-semicolon.csv")
        batch = ImportBatch.objects.get()
        response = self.client.post(self.columns_url(batch), {"ip_address": "Adresse IP"})
        self.assertShows(response, "Choisissez la colonne de « Nom »", status_code=422)

    def test_formulas_are_stored_as_text_and_never_run(self):
        self.upload("appareils", "formulas.csv", folder=FILES / "hostile")
        batch = ImportBatch.objects.get()
        self.client.post(self.columns_url(batch), {"name": "Nom", "ip_address": ""})
        self.client.post(self.org_url("inventory_import_preview", batch.pk))
        names = set(Device.objects.values_list("name", flat=True))
        self.assertIn("+cmd|' /C calc'!A0", names)

    def test_the_template_opens_in_french_excel(self):
        response = self.client.get(self.org_url("inventory_import_template", "comptes"))
        content = b"".join(response.streaming_content).decode()
        self.assertTrue(content.startswith("\ufeffIdentifiant;Système;"))
        self.assertEqual(self.client.get(self.org_url("inventory_import_template", "fusees"))
                         .status_code, 404)

    def test_a_table_needs_its_content_named(self):
        response = self.client.post(self.org_url("inventory_import"), {
            "source": "tableau", "file": SimpleUploadedFile("t.csv", b"Nom\nx\n")})
        self.assertEqual(response.status_code, 200)
        self.assertIn("target", response.context["form"].errors)

    def test_confirming_before_the_columns_goes_back_to_them(self):
        self.upload("appareils", "devices-semicolon.csv")
        batch = ImportBatch.objects.get()
        response = self.client.post(self.org_url("inventory_import_preview", batch.pk))
        self.assertRedirects(response, self.columns_url(batch))
        self.assertFalse(Device.objects.exists())

    def test_outsiders_and_the_read_only_role(self):
        self.upload("appareils", "devices-semicolon.csv")
        batch = ImportBatch.objects.get()
        self.client.force_login(self.readonly)
        self.assertEqual(self.client.post(self.columns_url(batch), {"name": "Nom"}).status_code,
                         403)
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(self.columns_url(batch)).status_code, 404)


class TableCommandTestCase(BaseTestCase):
    def test_the_command_imports_a_table_with_the_template_titles(self):
        from io import StringIO
        from tempfile import TemporaryDirectory

        from django.core.management import call_command

        from pharmagarde.inventory.models import Account

        with TemporaryDirectory() as folder:
            path = f"{folder}/comptes.csv"
            with open(path, "w", encoding="cp1252") as file:
                file.write("Identifiant;Système;Administrateur;Actif\n"
                           "Administrateur;Windows;Oui;Vrai\ncompta;Banque;Non;Vrai\n")
            out = StringIO()
            call_command("import", "csv", path, "--org", self.org.slug, "--target", "comptes",
                         stdout=out)
        self.assertIn("Import terminé : 2 ajouté(s)", out.getvalue())
        admin = Account.objects.get(organisation=self.org, login="Administrateur")
        self.assertTrue(admin.is_admin)
        self.assertEqual(Account.objects.get(login="compta").system, "banque")
