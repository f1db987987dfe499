"""Each regime's pack for the demo officine, read back from the PDF (pdftotext) and the
DOCX: the items the regime asks for are there, with their dates and freshness (judged
thirteen months later, the CaRE pack says the last restore test is stale)."""

import io
import shutil
import unittest

from django.test import TestCase
from django.utils import timezone

from pharmagarde.core.models import Organisation
from pharmagarde.core.packs import PackRequest
from pharmagarde.lib.dates import add_months
from pharmagarde.reports import builder, production, word
from tests.core.test_demo import OFFICINE, run_demo
from tests.reports.test_documents import pdf_pages

# What each pack must say, in the PDF and in the DOCX.
EXPECTED = {
    "general": ["État de la sécurité", "Liste de vérification", "La structure",
                "Membres et accès", "Diagnostic de sécurité", "Plan d'action",
                "Constats de l'inventaire", "Incidents de sécurité",
                "Registre des violations de données", "Plan de continuité d'activité",
                "Tests de restauration", "Formation du personnel",
                "Exercices d'hameçonnage", "Guide d'hygiène ANSSI, mesure 37"],
    "cnil": ["Contrôle de la CNIL", "Registre des traitements",
             "Registre des violations de données", "Sous-traitants et contrats",
             "Demandes d'exercice des droits", "Analyses d'impact",
             "Information des personnes et du personnel", "RGPD, art. 30",
             "RGPD, art. 33(5)", "RGPD, art. 28(3)", "Guide CNIL–CNOP (2023)"],
    "dqo": ["Démarche qualité à l'officine", "notre lecture", "Kit du mode dégradé",
            "Formation du personnel"],
    "cofrac": ["ISO 15189:2022 § 7.6.2", "ISO 15189:2022 § 7.6.4", "ISO 15189:2022 § 7.6.5",
               "ISO 15189:2022 § 7.8", "Sous-traitants et contrats"],
    "care": ["Programme CaRE, domaine 2", "CaRE D2 — test de restauration",
             "CaRE D2 — règle 3-2-1", "Sauvegardes", "Exercices de crise"],
    "nis2": ["NIS 2, art. 20", "NIS 2, art. 21(2)(c)", "NIS 2, art. 21(2)(j)",
             "NIS 2, art. 23", "Approbation du plan par la direction",
             "Notification des incidents importants (NIS 2)"],
}


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def docx_text(content: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows
              for cell in row.cells]
    return flat("\n".join(parts))


class PackPerRegimeTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo()
        cls.officine = Organisation.objects.get(name=OFFICINE)
        cls.today = timezone.localdate()

    def document(self, regime, today=None):
        return builder.collect(PackRequest(self.officine, regime, today or self.today))

    def test_the_docx_of_every_regime_has_its_items(self):
        for regime, expected in EXPECTED.items():
            with self.subTest(regime):
                text = docx_text(word.render_docx(self.document(regime)))
                for item in expected:
                    self.assertIn(item, text)
                self.assertIn(OFFICINE, text)

    @unittest.skipUnless(shutil.which("pdftotext"), "pdftotext (poppler-utils) is not installed")
    def test_the_pdf_of_every_regime_has_its_items(self):
        for regime, expected in EXPECTED.items():
            with self.subTest(regime):
                content, _pages = production.render_pdf(self.document(regime))
                text = flat(" ".join(pdf_pages(content)))
                for item in expected:
                    self.assertIn(item, text)

    @unittest.skipUnless(shutil.which("pdftotext"), "pdftotext (poppler-utils) is not installed")
    def test_the_care_pack_says_when_the_last_restore_test_was_and_that_it_is_stale(self):
        later = add_months(self.today, 13)
        document = self.document("care", later)
        content, _pages = production.render_pdf(document)
        text = flat(" ".join(pdf_pages(content)))
        self.assertRegex(text, r"Le dernier test de restauration date du \d\d/\d\d/\d{4}, il "
                               r"y a plus de douze mois : cette preuve est ancienne")
        self.assertRegex(text, r"Dernier test de restauration réussi \d\d/\d\d/\d{4} ⚠ ancienne")
        fresh = flat(" ".join(pdf_pages(production.render_pdf(self.document("care"))[0])))
        self.assertRegex(fresh, r"Le dernier test de restauration date du \d\d/\d\d/\d{4} : "
                                r"moins de douze mois, cette preuve est à jour")
        self.assertNotIn("cette preuve est ancienne", fresh)

    def test_the_checklist_states_follow_the_demo_data(self):
        document = self.document("care", add_months(self.today, 13))
        text = docx_text(word.render_docx(document))
        self.assertIn("Au moins un test technique de sauvegarde et de restauration a été fait.",
                      text)
        self.assertNotIn("Aucune preuve enregistrée dans Pharmagarde", text)
