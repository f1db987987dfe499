"""The three files of a pack, read back: the PDF's text (pdftotext) has the organisation
and the date on every page, the table of contents with its page numbers, the page
numbers, stale evidence in words; the DOCX has real Word headings and tables; the XLSX a
sheet per table, unique names of at most 31 characters, and a formula left as text."""

import datetime
import io
import re
import shutil
import subprocess
import unittest
from unittest import mock

from django.utils import timezone

from pharmagarde.core.packs import (
    Checklist,
    Evidence,
    Facts,
    Figure,
    PackRequest,
    Paragraph,
    Section,
    Table,
)
from pharmagarde.reports import builder, production, sheets, word
from tests.base import BaseTestCase

TODAY = datetime.date(2026, 6, 15)
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" role="img">'
       '<rect width="120" height="20"/><text x="2" y="35">Score 62</text></svg>')
LONG_NAME = "Un tableau au nom bien trop long pour une feuille Excel"


def sections():
    rows = tuple((f"Poste {i}", i, datetime.date(2026, 1, 1 + i % 28)) for i in range(90))
    return [
        Section("x.first", "Première partie", 20, [
            Paragraph("Texte <b>échappé</b>."),
            Facts((("Score global", "62 / 100"),)),
            Figure(SVG, "Score par domaine"),
            Table(("Poste", "Rang", "Date"), rows, caption=LONG_NAME),
        ], [Evidence("Test de restauration", datetime.date(2024, 2, 1), 12),
            Evidence("Diagnostic", datetime.date(2026, 5, 1), 12)]),
        Section("x.second", "Deuxième partie", 30, [
            Table(("Compte", "Note"), (("=HYPERLINK(\"http://x\")", "ok"),),
                  caption=LONG_NAME),
            Checklist((("Une exigence", "ANSSI 38", "met", "Diagnostic"),
                       ("Une autre", "NIS 2, art. 21", "unmet", "—"))),
        ], [Evidence("Plan de continuité", None)]),
    ]


def pdf_pages(content: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content,
                          capture_output=True, check=True).stdout.decode()
    pages = text.split("\f")
    return [" ".join(page.replace("\u00a0", " ").replace("\u202f", " ").split())
            for page in pages if page.strip()]


class DocumentFilesTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with mock.patch.object(builder, "providers",
                               return_value=[("Test", lambda pack: sections())]):
            cls.document = builder.collect(PackRequest(cls.org, "general", TODAY))

    @unittest.skipUnless(shutil.which("pdftotext"), "pdftotext (poppler-utils) is not installed")
    def test_the_pdf_has_the_organisation_the_date_the_contents_and_page_numbers(self):
        content, count = production.render_pdf(self.document)
        pages = pdf_pages(content)
        self.assertEqual(len(pages), count)
        self.assertGreater(count, 4)
        day = timezone.localdate(self.document.generated_at).strftime("%d/%m/%Y")
        for number, page in enumerate(pages, start=1):
            self.assertIn("Pharmacie Alpha", page, number)
            self.assertIn(f"Édité le {day}", page, number)
            self.assertIn(f"page {number} / {count}", page, number)
        contents = next(page for page in pages if "Sommaire" in page)
        first = next(i for i, page in enumerate(pages, start=1)
                     if page.count("Première partie") and "Sommaire" not in page
                     and "Texte <b>échappé</b>." in page)
        self.assertRegex(contents, rf"Première partie[ .]+{first}\b")
        self.assertRegex(contents, r"Les preuves et leur fraîcheur[ .]+\d+")
        whole = " ".join(pages)
        self.assertIn("Texte <b>échappé</b>.", whole)
        self.assertIn("À corriger avant l'audit", whole)
        self.assertRegex(whole, r"Test de restauration 01/02/2024 ⚠ ancienne")
        self.assertRegex(whole, r"Plan de continuité — ⚠ absente")
        self.assertIn("À jour : 1 ; anciennes : 1 ; absentes : ", whole)
        self.assertIn("Score par domaine", whole)

    def test_the_docx_has_word_headings_tables_and_the_evidence(self):
        from docx import Document

        document = Document(io.BytesIO(word.render_docx(self.document)))
        headings = [(p.style.name, p.text) for p in document.paragraphs
                    if p.style.name.startswith(("Heading", "Title"))]
        self.assertIn(("Title", "État de la sécurité"), headings)
        self.assertIn(("Heading 1", "Première partie"), headings)
        self.assertIn(("Heading 2", "À corriger avant l'audit"), headings)
        text = "\n".join(p.text for p in document.paragraphs)
        self.assertIn("Structure : Pharmacie Alpha", text)
        self.assertIn("Score global : 62 / 100", text)
        self.assertIn("Valeurs du graphique : Score 62", text)
        cells = [[cell.text for cell in row.cells] for table in document.tables
                 for row in table.rows]
        self.assertIn(["Poste 3", "3", "04/01/2026"], cells)
        self.assertIn(["Test de restauration", "01/02/2024", "⚠ ancienne",
                       "Première partie"], cells)
        self.assertIn(["Une autre", "NIS 2, art. 21", "non satisfaite", "—"], cells)
        self.assertIn("Pharmacie Alpha", document.sections[0].footer.paragraphs[0].text)
        self.assertIn('TOC \\o "1-2"', document.element.xml)

    def test_the_xlsx_has_the_evidence_and_one_sheet_per_table(self):
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(sheets.render_xlsx(self.document)))
        names = workbook.sheetnames
        self.assertEqual(names[0], "Preuves")
        self.assertEqual(len(names), len({name.casefold() for name in names}))
        self.assertTrue(all(len(name) <= 31 for name in names), names)
        long_ones = [name for name in names if name.startswith(LONG_NAME[:20])]
        self.assertEqual(len(long_ones), 2, names)
        proofs = [[cell.value for cell in row] for row in workbook["Preuves"].iter_rows()]
        self.assertEqual(proofs[0][:4], ["Preuve", "Date", "Fraîcheur", "Partie"])
        self.assertIn(["Test de restauration", datetime.datetime(2024, 2, 1), "ancienne",
                       "Première partie", None], proofs)
        second = workbook[long_ones[1]]
        self.assertEqual(second["A2"].value, "'=HYPERLINK(\"http://x\")")
        self.assertEqual(second["A2"].data_type, "s")
        first = workbook[long_ones[0]]
        self.assertEqual(first.max_row, 91)
        self.assertEqual(first["B4"].value, 2)

    def test_sheet_names_are_made_acceptable_and_unique(self):
        taken = set()
        self.assertEqual(sheets.unique_name("a/b:c*?", taken), "a b c")
        self.assertEqual(sheets.unique_name("A B C", taken), "A B C (2)")
        self.assertEqual(sheets.unique_name("=SUM", taken), "SUM")
        self.assertEqual(sheets.unique_name("x" * 40, taken), "x" * 31)
        self.assertEqual(sheets.unique_name("x" * 40, taken), "x" * 27 + " (2)")
        self.assertEqual(sheets.unique_name("///", taken), "Tableau")
        self.assertTrue(re.fullmatch(r"[^\[\]:*?/\\]+", sheets.unique_name("[x]", taken)))


class ControlCharactersTestCase(BaseTestCase):
    """A control character pasted into any text (here an action's title) made every pack
    fail: openpyxl and python-docx refuse what XML cannot hold. It is dropped."""

    def test_a_title_with_a_control_character_builds_every_file_and_reads_back(self):
        from docx import Document
        from openpyxl import load_workbook

        from pharmagarde.actions.models import Action

        Action.objects.create(organisation=self.org, title="Pare-feu\x0bà jour",
                              criticality="critique")
        document = builder.collect(PackRequest(self.org, "general", timezone.localdate()))
        content, _count = production.render_pdf(document)
        self.assertTrue(content.startswith(b"%PDF-"))
        if shutil.which("pdftotext"):
            self.assertIn("Pare-feuà jour", " ".join(pdf_pages(content)))
        docx = Document(io.BytesIO(word.render_docx(document)))
        cells = [cell.text for table in docx.tables for row in table.rows
                 for cell in row.cells]
        self.assertIn("Pare-feuà jour", cells)
        workbook = load_workbook(io.BytesIO(sheets.render_xlsx(document)))
        values = [cell.value for sheet in workbook for row in sheet.iter_rows()
                  for cell in row]
        self.assertIn("Pare-feuà jour", values)
