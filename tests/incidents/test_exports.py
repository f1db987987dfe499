"""The register's exports: Excel (every field of art. 33(5), formulas neutralised) and PDF
(the organisation, the date and the page numbers on every page), for the register's roles."""

import datetime
import io
import re
import zlib

from django.utils import timezone
from openpyxl import load_workbook

from pharmagarde.core.models import AuditEntry
from pharmagarde.incidents.exports import COLUMNS
from pharmagarde.incidents.models import Breach, Incident, Obligation
from tests.base import BaseTestCase


def at(day, hour=9, minute=0):
    return timezone.make_aware(datetime.datetime(2026, 11, day, hour, minute))


def pdf_objects(content: bytes) -> bytes:
    """The PDF's objects as text: WeasyPrint deflates them into object streams. Enough to
    read the document's metadata and page count without a PDF library."""
    parts = [content]
    for match in re.finditer(rb"stream\r?\n", content):
        try:
            parts.append(zlib.decompressobj().decompress(content[match.end():]))
        except zlib.error:
            continue
    return b"".join(parts)


def render_for(template, context, *, user, organisation):
    """The HTML a PDF is made from, as the view renders it for `user`."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user, request.organisation = user, organisation
    return render_to_string(template, context, request=request)


def assert_pdf(case, response, filename):
    """A PDF download of Pharmacie Alpha whose file name starts with `filename`."""
    case.assertEqual(response.status_code, 200)
    case.assertEqual(response["Content-Type"], "application/pdf")
    case.assertIn(f'attachment; filename="{filename}', response["Content-Disposition"])
    case.assertTrue(response.content.startswith(b"%PDF-"))
    case.assertIn(b"/Author (Pharmacie Alpha)", pdf_objects(response.content))


def page_count(content: bytes) -> int:
    counts = re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages",
                        pdf_objects(content))
    return max(int(a or b) for a, b in counts)


class RegisterTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.incident = Incident.objects.create(
            organisation=cls.org, number=1, kind=Incident.Kind.DATA_LEAK,
            description="Ordonnances envoyées au mauvais patient.", noticed_at=at(6, 23),
            started_at=at(6, 18))
        cls.breach = Breach.objects.create(
            organisation=cls.org, number=1, incident=cls.incident, aware_at=at(6, 23),
            facts='=HYPERLINK("http://evil.example","Cliquez")', origin="mauvais-destinataire",
            cause="interne-accident", confidentiality=True, people_categories="Patients",
            people_count=12, records_count=30, data_types=["identite", "sante"],
            health_data=True, media="Messagerie", consequences="Divulgation de traitements.",
            measures_taken="Rappel du message.", measures_planned="Contrôle du destinataire.",
            contact="+33 1 23 45 67 89", decision=Breach.Decision.NOTIFY,
            decision_reasons="Données de santé.", decided_at=at(7, 10))
        Obligation.objects.create(organisation=cls.org, incident=cls.incident,
                                  code="cnil_initial", done_at=at(10, 8),
                                  reference="CNIL-2026-123",
                                  delay_reason="Le DPO était injoignable.")
        cls.other_breach = Breach.objects.create(organisation=cls.other_org, number=1,
                                                 aware_at=at(5), facts="Fiche de Bravo")

    def make_breach(self, i):
        incident = Incident.objects.create(
            organisation=self.org, number=100 + i, kind=Incident.Kind.LOST_DEVICE,
            description=f"Tablette {i}", noticed_at=at(1, 8))
        Breach.objects.create(organisation=self.org, number=100 + i, incident=incident,
                              aware_at=at(1, 8), facts=f"Tablette {i} perdue")
        Obligation.objects.create(organisation=self.org, incident=incident,
                                  code="cnil_initial", done_at=at(2))


class RegisterXlsxTestCase(RegisterTestCase):
    url_name = "breach_export_xlsx"

    def sheet(self, user=None):
        self.client.force_login(user or self.alice)
        response = self.client.get(self.org_url(self.url_name))
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response["Content-Type"])
        self.assertIn('attachment; filename="registre-violations-alpha-',
                      response["Content-Disposition"])
        return load_workbook(io.BytesIO(response.content)).active

    def row(self, sheet, number=2):
        header = [cell.value for cell in sheet[1]]
        return dict(zip(header, list(sheet[number]), strict=True))

    def test_one_row_per_breach_with_every_field_of_the_register(self):
        sheet = self.sheet()
        self.assertEqual([cell.value for cell in sheet[1]], [str(c.label) for c in COLUMNS])
        self.assertEqual(sheet.max_row, 2)
        row = self.row(sheet)
        self.assertEqual(row["Fiche"].value, "VDP-0001")
        self.assertEqual(row["Incident"].value, "INC-0001")
        self.assertEqual(row["Origine"].value, "Envoi au mauvais destinataire")
        self.assertEqual(row["Cause"].value, "Interne, accidentelle")
        self.assertEqual(row["Perte de confidentialité"].value, "Oui")
        self.assertEqual(row["Perte d'intégrité"].value, "Non")
        self.assertEqual(row["Nombre approximatif de personnes"].value, 12)
        self.assertEqual(row["Types de données"].value,
                         "Identité (nom, prénom, date de naissance), Données de santé "
                         "(ordonnances, traitements, résultats)")
        self.assertEqual(row["Données de santé"].value, "Oui")
        self.assertEqual(row["Mesures prévues"].value, "Contrôle du destinataire.")
        self.assertEqual(row["Décision"].value, "Notifier la CNIL")
        self.assertEqual(row["Raisons de la décision"].value, "Données de santé.")
        self.assertEqual(row["Numéro de la notification CNIL"].value, "CNIL-2026-123")
        self.assertEqual(row["Raison du retard de notification"].value,
                         "Le DPO était injoignable.")
        self.assertEqual(row["État"].value, "En cours")

    def test_dates_are_real_local_dates(self):
        row = self.row(self.sheet())
        self.assertEqual(row["Connaissance de la violation"].value,
                         datetime.datetime(2026, 11, 6, 23, 0))
        self.assertEqual(row["Notifiée à la CNIL le"].value, datetime.datetime(2026, 11, 10, 8))
        self.assertEqual(row["Notifiée à la CNIL le"].number_format, "DD/MM/YYYY HH:MM")
        self.assertIsNone(row["Close le"].value)

    def test_a_formula_looking_value_is_neutralised(self):
        row = self.row(self.sheet())
        self.assertEqual(row["Les faits"].value, '\'=HYPERLINK("http://evil.example","Cliquez")')
        self.assertEqual(row["Les faits"].data_type, "s")
        self.assertEqual(row["Point de contact"].value, "'+33 1 23 45 67 89")

    def test_it_never_exports_another_organisation_and_audits(self):
        sheet = self.sheet(self.dora)
        self.assertNotIn("Fiche de Bravo", [cell.value for cell in sheet["E"]])
        entry = AuditEntry.objects.get(action="breach.exported")
        self.assertEqual((entry.organisation, entry.actor, entry.details["format"]),
                         (self.org, self.dora, "xlsx"))

    def test_the_auditor_may_export(self):
        self.assertEqual(self.sheet(self.aude).max_row, 2)

    def test_roles_outsiders_and_anonymous(self):
        url = self.org_url(self.url_name)
        self.assertEqual(self.client.get(url).status_code, 302)
        self.assertTrue(self.client.get(url)["Location"].startswith("/comptes/login/"))
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.force_login(self.aude)
        self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post(url).status_code, 405)
        self.assertFalse(AuditEntry.objects.filter(action="breach.exported").exists())

    def test_its_query_count_does_not_grow_with_the_register(self):
        self.client.force_login(self.alice)
        self.assertQueriesConstant(self.org_url(self.url_name), self.make_breach)


class RegisterPdfTestCase(RegisterTestCase):
    url_name = "breach_export_pdf"

    def get(self, user=None):
        self.client.force_login(user or self.alice)
        return self.client.get(self.org_url(self.url_name))

    def test_it_is_a_pdf_named_after_the_organisation(self):
        response = self.get()
        assert_pdf(self, response, "registre-violations-alpha-")
        self.assertGreaterEqual(page_count(response.content), 1)

    def test_its_pages_carry_the_organisation_the_date_and_the_page_numbers(self):
        from pharmagarde.incidents import exports

        html = render_for("incidents/pdf/register.html", {
            "entries": exports.register_entries(exports.register(self.org)), "total": 1,
            "limit": 200, "now": at(12, 14, 30)}, user=self.alice, organisation=self.org)
        self.assertIn("position: running(page-header)", html)
        self.assertIn("counter(page)", html)
        self.assertIn("counter(pages)", html)
        header = re.search(r'<div class="page-header">(.*?)</div>', html, re.S).group(1)
        self.assertIn("Pharmacie Alpha", header)
        self.assertIn("12/11/2026 à 14:30", header)
        # The register's content: every field, the decision and its reasons.
        self.assertIn("Envoi au mauvais destinataire", html)
        self.assertIn("Le DPO était injoignable.", html)
        self.assertIn("Données de santé.", html)
        self.assertNotIn("Fiche de Bravo", html)

    def test_it_audits(self):
        self.get(self.aude)
        entry = AuditEntry.objects.get(action="breach.exported")
        self.assertEqual((entry.actor, entry.details["format"], entry.details["fiches"]),
                         (self.aude, "pdf", 1))

    def test_roles_outsiders_and_anonymous(self):
        url = self.org_url(self.url_name)
        self.assertTrue(self.client.get(url)["Location"].startswith("/comptes/login/"))
        self.assertEqual(self.get(self.colin).status_code, 403)
        self.assertEqual(self.get(self.oscar).status_code, 404)
        self.assertEqual(self.get(self.dora).status_code, 200)

    def test_a_long_register_runs_over_several_pages(self):
        for i in range(8):
            self.make_breach(i)
        self.assertGreater(page_count(self.get().content), 2)

    def test_its_query_count_does_not_grow_with_the_register(self):
        self.client.force_login(self.alice)
        self.assertQueriesConstant(self.org_url(self.url_name), self.make_breach)


class RegisterLinksTestCase(RegisterTestCase):
    def test_the_register_links_to_its_exports(self):
        self.client.force_login(self.aude)
        page = self.client.get(self.org_url("breach_list"))
        self.assertContains(page, self.org_url("breach_export_pdf"))
        self.assertContains(page, self.org_url("breach_export_xlsx"))
