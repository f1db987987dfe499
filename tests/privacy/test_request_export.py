"""The Excel export of the log of people's requests: every request of the organisation
with its deadline and state, formulas neutralised, the export audited; the readers only."""

import datetime
import io

from django.utils import timezone
from openpyxl import load_workbook

from pharmagarde.core.models import AuditEntry
from pharmagarde.lib.dates import add_months
from pharmagarde.privacy.models import PersonRequest
from tests.base import BaseTestCase


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


class ExportTestCase(BaseTestCase):
    def url(self):
        return self.org_url("privacy_requests_xlsx")

    def setUp(self):
        PersonRequest.objects.create(
            organisation=self.org, number=1, requester_name='=HYPERLINK("http://x","y")',
            right="effacement", received_on=days_ago(50), channel="Courriel",
            answered_on=days_ago(20), outcome="refusee",
            answer_notes="Ordonnancier conservé dix ans.", handled_by=self.dora)
        PersonRequest.objects.create(organisation=self.org, number=2, requester_name="M. Martin",
                                     right="acces", received_on=days_ago(40))
        PersonRequest.objects.create(organisation=self.other_org, number=1,
                                     requester_name="Personne de Bravo", right="acces",
                                     received_on=days_ago(3))

    def test_every_request_with_deadline_and_state_formulas_neutralised(self):
        self.client.force_login(self.aude)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertIn('attachment; filename="demandes-droits-alpha',
                      response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        header = rows[0]
        self.assertEqual(header[:6], ("Numéro", "Reçue le", "Reçue par", "Qui demande",
                                      "Nom de la personne", "Droit exercé"))
        first, second = (dict(zip(header, row, strict=True)) for row in rows[1:])
        self.assertEqual(len(rows), 3, "Bravo's request is not there")
        self.assertEqual(first["Nom de la personne"], "'=HYPERLINK(\"http://x\",\"y\")")
        self.assertEqual(first["Reçue le"].date(), days_ago(50))
        self.assertEqual(first["Issue"], "Refusée, avec les motifs")
        self.assertEqual(first["Réponse apportée"], "Ordonnancier conservé dix ans.")
        self.assertEqual(first["Suivie par"], "dora@alpha.example")
        self.assertEqual(first["État"], "répondue")
        self.assertEqual(second["Numéro"], "D-002")
        self.assertEqual(second["État"], "en retard")
        self.assertEqual(second["Échéance"].date(), add_months(days_ago(40), 1))
        entry = AuditEntry.objects.get(action="privacy.requests_exported")
        self.assertEqual((entry.organisation, entry.actor), (self.org, self.aude))

    def test_access(self):
        self.client.force_login(self.colin)
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url()).status_code, 302)
        self.client.force_login(self.rita)
        self.assertEqual(self.client.post(self.url()).status_code, 405)
        self.assertFalse(AuditEntry.objects.filter(action="privacy.requests_exported")
                         .exists())
