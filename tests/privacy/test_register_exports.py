"""The register as a CNIL inspector asks for it: PDF (cover with the controller and the
DPO, a table of contents, every art. 30(1) field of each active processing) and Excel (a
sheet of processings, a sheet of retention periods, formulas neutralised); audited; for
the register's readers."""

import io
import shutil
import subprocess
import unittest

from openpyxl import load_workbook

from pharmagarde.core.models import AuditEntry
from pharmagarde.privacy import register_services
from pharmagarde.privacy.models import PrivacyProfile, Processing, Processor
from tests.base import BaseTestCase


def pdf_text(content: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True,
                          check=True).stdout.decode()
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


class ExportCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        register_services.register_prefill(acting_user=cls.alice, organisation=cls.org)
        PrivacyProfile.objects.filter(organisation=cls.org).update(
            controller="SELARL Pharmacie Alpha, représentée par Mme Martin",
            dpo="Cabinet Dupont, dpo@dupont.example")
        cls.dispensation = Processing.objects.get(organisation=cls.org, key="dispensation")
        cls.dispensation.purpose = '=HYPERLINK("http://evil.example","Cliquez")'
        cls.dispensation.save()
        cls.dispensation.processors.add(Processor.objects.create(organisation=cls.org,
                                                                 name="Éditeur LGO"))
        Processing.objects.filter(organisation=cls.org, key="fidelite").update(in_use=False)
        Processing.objects.create(organisation=cls.other_org, number=1,
                                  name="Traitement de Bravo")


class ExcelTestCase(ExportCase):
    def workbook(self, user=None):
        self.client.force_login(user or self.aude)
        response = self.client.get(self.org_url("privacy_register_xlsx"))
        self.assertEqual(response.status_code, 200)
        self.assertIn('attachment; filename="registre-traitements-alpha-',
                      response["Content-Disposition"])
        return load_workbook(io.BytesIO(response.content))

    def test_it_has_the_processings_and_the_retentions_with_formulas_neutralised(self):
        book = self.workbook()
        self.assertEqual(book.sheetnames, ["Traitements", "Durées de conservation"])
        sheet = book["Traitements"]
        header = [cell.value for cell in sheet[1]]
        for label in ("Finalité", "Base légale", "Personnes concernées",
                      "Catégories de données", "Destinataires",
                      "Transferts hors de l'Union européenne", "Durées de conservation",
                      "Mesures de sécurité", "Sous-traitants", "Données de santé"):
            self.assertIn(label, header)
        rows = {row[1]: dict(zip(header, row, strict=True))
                for row in sheet.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(len(rows), 10)  # the loyalty programme is not in use
        self.assertNotIn("Programme de fidélité", rows)
        self.assertNotIn("Traitement de Bravo", rows)
        first = rows["Dispensation des médicaments et suivi des patients"]
        self.assertEqual(first["N°"], 1)
        self.assertEqual(first["Finalité"], '\'=HYPERLINK("http://evil.example","Cliquez")')
        self.assertEqual(first["Sous-traitants"], "Éditeur LGO")
        self.assertEqual(first["Numéro de sécurité sociale (NIR)"], "Oui")
        self.assertIn("Ordonnancier (registre des substances vénéneuses) : 10 ans",
                      first["Durées de conservation"])
        self.assertEqual(rows["Vidéoprotection"]["Mis en œuvre"], "À confirmer")
        retentions = list(book["Durées de conservation"].iter_rows(min_row=2,
                                                                   values_only=True))
        self.assertIn((1, "Dispensation des médicaments et suivi des patients",
                       "Copies des ordonnances de stupéfiants", "3 ans",
                       "Code de la santé publique, art. R. 5132-35", "Non"), retentions)
        self.assertTrue(any(row[-1] == "Oui" for row in retentions))
        entry = AuditEntry.objects.get(action="privacy.register_exported")
        self.assertEqual(entry.details, {"format": "xlsx"})

    def test_it_is_for_the_readers(self):
        url = self.org_url("privacy_register_xlsx")
        for user in (self.alice, self.dora, self.rita):
            self.workbook(user)
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(self.aude)
        self.assertEqual(self.client.post(url).status_code, 403)


@unittest.skipUnless(shutil.which("pdftotext"), "pdftotext (poppler-utils) is not installed")
class PdfTestCase(ExportCase):
    def test_it_has_a_cover_a_contents_and_every_field_of_the_active_processings(self):
        self.client.force_login(self.rita)
        response = self.client.get(self.org_url("privacy_register_pdf"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn('filename="registre-traitements-alpha-', response["Content-Disposition"])
        text = pdf_text(response.content)
        for shown in ("Registre des activités de traitement", "Pharmacie Alpha",
                      "SELARL Pharmacie Alpha, représentée par Mme Martin",
                      "Cabinet Dupont, dpo@dupont.example", "Sommaire",
                      "1. Dispensation des médicaments et suivi des patients",
                      "Finalité", "Base légale", "Obligation légale", "Personnes concernées",
                      "Destinataires", "Transferts hors de l'Union européenne",
                      "Durées de conservation", "Code de la santé publique, art. R. 5132-10",
                      "Mesures de sécurité", "Éditeur LGO", "à vérifier",
                      "Code du travail, art. L. 3243-4",
                      "déclarés non mis en œuvre, non détaillés : Programme de fidélité"):
            self.assertIn(shown, text)
        self.assertNotIn("Traitement de Bravo", text)
        entry = AuditEntry.objects.get(action="privacy.register_exported")
        self.assertEqual(entry.details, {"format": "pdf", "traitements": 10})

    def test_it_is_for_the_readers(self):
        url = self.org_url("privacy_register_pdf")
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(AuditEntry.objects.filter(action="privacy.register_exported")
                         .exists())
