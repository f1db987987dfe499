import ast
import io
import struct
import unittest
import zipfile
from pathlib import Path
from unittest import mock

from pharmagarde.lib import uploads
from pharmagarde.lib.uploads import UploadError, check_file, display_name, storage_name
from tests.sample_files import (
    CONTENT_TYPES,
    EXECUTABLE_STUB,
    OOXML_MAIN,
    WORD_MAIN,
    docx,
    odt,
    real_pdf,
    xlsx,
    zip_bytes,
)

MAX_BYTES = 10 * 1024 * 1024


class Upload(io.BytesIO):
    """What lib.uploads needs of an uploaded file: bytes, a name and a size."""

    def __init__(self, name, content):
        super().__init__(content)
        self.name, self.size = name, len(content)


def pptx():
    return zip_bytes([
        ("[Content_Types].xml", CONTENT_TYPES.format(
            part="ppt/presentation.xml",
            content_type=OOXML_MAIN.format("presentationml.presentation"))),
        ("ppt/presentation.xml", "<p:presentation/>"),
    ])


def xref_stream_pdf():
    """A PDF 1.5 whose cross-reference is a stream object (no `xref` table)."""
    body = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    body += b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    xref = len(body)
    body += (b"3 0 obj\n<< /Type /XRef /Size 4 /Root 1 0 R /W [1 2 1] /Length 0 >>\n"
             b"stream\n\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref)
    return body


def with_declared_size(content, name, size):
    """`content` with the uncompressed size of entry `name` rewritten, headers only."""
    data = bytearray(content)
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = data.find(signature)
        while start != -1:
            if data[start + name_at:start + name_at + len(encoded)] == encoded:
                data[start + size_at:start + size_at + 4] = struct.pack("<L", size)
            start = data.find(signature, start + 1)
    return bytes(data)


class UploadTestCase(unittest.TestCase):
    def check(self, name, content):
        return check_file(Upload(name, content), max_bytes=MAX_BYTES)

    def assertRefused(self, name, content, message):
        with self.assertRaises(UploadError) as ctx:
            self.check(name, content)
        self.assertIn(message, str(ctx.exception))


class CheckFileTestCase(UploadTestCase):
    def test_it_accepts_images(self):
        self.assertEqual(self.check("photo.jpg", b"\xff\xd8\xff\xe0rest"), "image/jpeg")
        self.assertEqual(self.check("a.png", b"\x89PNG\r\n\x1a\nrest"), "image/png")

    def test_it_refuses_unknown_extensions(self):
        self.assertRefused("script.html", b"<script>", "n'est pas accepté")
        self.assertRefused("sans-extension", real_pdf(), "n'est pas accepté")

    def test_it_refuses_an_empty_file(self):
        self.assertRefused("vide.pdf", b"", "vide")

    def test_it_asks_for_a_file(self):
        with self.assertRaisesRegex(UploadError, "Choisissez un fichier"):
            check_file(None, max_bytes=MAX_BYTES)

    def test_it_refuses_a_file_over_the_limit(self):
        with self.assertRaisesRegex(UploadError, "taille maximale de 0 Ko"):
            check_file(Upload("gros.pdf", real_pdf()), max_bytes=10)

    def test_it_refuses_when_the_stream_was_cut(self):
        with self.assertRaisesRegex(UploadError, "taille maximale"):
            check_file(None, max_bytes=MAX_BYTES, cut_short=True)

    def test_it_leaves_the_file_at_its_start(self):
        upload = Upload("procedure.docx", docx())
        check_file(upload, max_bytes=MAX_BYTES)
        self.assertEqual(upload.tell(), 0)


class OfficeTestCase(UploadTestCase):
    def test_it_accepts_real_office_documents(self):
        self.assertIn("wordprocessingml", self.check("procedure.docx", docx()))
        self.assertIn("spreadsheetml", self.check("inventaire.XLSX", xlsx()))
        self.assertIn("presentationml", self.check("formation.pptx", pptx()))

    def test_it_refuses_an_executable_with_a_document_appended(self):
        self.assertRefused("facture.docx", EXECUTABLE_STUB + docx(),
                           "données ajoutées autour du document")

    def test_it_refuses_an_executable_whose_zip_offsets_were_adjusted(self):
        # Written in append mode, the zip's offsets count from the start of the file (as
        # `zip -A` does for self-extracting archives): no inconsistency, yet data before.
        buffer = io.BytesIO(EXECUTABLE_STUB)
        with zipfile.ZipFile(buffer, "a") as archive, zipfile.ZipFile(io.BytesIO(docx())) as doc:
            for name in doc.namelist():
                archive.writestr(name, doc.read(name))
        self.assertRefused("facture.docx", buffer.getvalue(), "données ajoutées autour")

    def test_it_refuses_data_after_the_archive(self):
        self.assertRefused("facture.docx", docx() + EXECUTABLE_STUB, "données ajoutées autour")

    def test_it_refuses_overlapping_entries(self):
        data = bytearray(docx())
        second = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 1)
        data[second + 42:second + 46] = struct.pack("<L", 0)  # its bytes are the first's
        self.assertRefused("doc.docx", bytes(data), "ne correspond pas à un fichier DOCX")

    def test_it_refuses_a_zip_posing_as_a_word_document(self):
        self.assertRefused("doc.docx", zip_bytes([("payload.exe", "MZ")]), "ne correspond pas")

    def test_it_refuses_the_content_types_of_another_extension(self):
        self.assertRefused("inventaire.xlsx", docx(), "ne correspond pas à un fichier XLSX")

    def test_it_refuses_a_macro_enabled_document_renamed_docx(self):
        content = docx(content_type="application/vnd.ms-word.document.macroEnabled.main+xml")
        self.assertRefused("procedure.docx", content, "ne correspond pas")

    def test_it_refuses_a_main_part_that_is_not_in_the_package(self):
        content = zip_bytes([("[Content_Types].xml", CONTENT_TYPES.format(
            part="word/document.xml", content_type=WORD_MAIN))])
        self.assertRefused("procedure.docx", content, "ne correspond pas")

    def test_it_reads_content_types_without_expanding_entities(self):
        content = zip_bytes([
            ("[Content_Types].xml", '<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "aaaa">'
                                    '<!ENTITY b "&a;&a;&a;&a;">]><Types>&b;</Types>'),
            ("word/document.xml", "<w:document/>"),
        ])
        with mock.patch("xml.etree.ElementTree.XMLParser") as stdlib_parser:
            self.assertRefused("procedure.docx", content, "ne correspond pas")
        stdlib_parser.assert_not_called()

    def test_it_refuses_a_truncated_zip(self):
        self.assertRefused("doc.xlsx", xlsx()[:-30], "ne correspond pas")
        self.assertRefused("doc.xlsx", xlsx()[:30], "ne correspond pas")

    def test_it_says_when_a_document_is_protected_or_in_the_old_format(self):
        self.assertRefused("budget.xlsx", uploads.OLE_SIGNATURE + b"\x00" * 504,
                           "protégé par un mot de passe")


class ZipBombTestCase(UploadTestCase):
    def test_it_refuses_a_huge_declared_size_without_extracting(self):
        content = with_declared_size(docx(extra=[("word/media/scan.bin", b"x" * 1000)]),
                                     "word/media/scan.bin", 0xFFFFFFF0)
        with mock.patch.object(zipfile.ZipFile, "open", side_effect=AssertionError):
            self.assertRefused("rapport.docx", content, "plus de 200 Mo une fois décompressé")

    def test_it_refuses_an_entry_compressed_like_a_bomb(self):
        content = docx(extra=[("word/media/zeros.bin", bytes(20 * 1024 * 1024))])
        self.assertLess(len(content), 100_000)
        self.assertRefused("rapport.docx", content, "compressé de façon anormale")

    def test_it_accepts_well_compressed_xml(self):
        rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(20_000))
        self.assertIn("wordprocessingml",
                      self.check("rapport.docx", docx(extra=[("word/sheet.xml", rows)])))

    def test_it_refuses_too_many_entries(self):
        entries = [(f"word/media/{n}.xml", "") for n in range(uploads.MAX_ZIP_ENTRIES)]
        self.assertRefused("rapport.docx", docx(extra=entries),
                           "bien plus d'éléments qu'un document ordinaire")


class OpenDocumentTestCase(UploadTestCase):
    def test_it_accepts_an_open_document_text(self):
        self.assertEqual(self.check("procedure.odt", odt()),
                         "application/vnd.oasis.opendocument.text")

    def test_it_refuses_mimetype_when_it_is_not_first(self):
        self.assertRefused("procedure.odt", odt(mimetype_first=False),
                           "ne correspond pas à un fichier ODT")

    def test_it_refuses_a_compressed_mimetype(self):
        content = zip_bytes([("mimetype", "application/vnd.oasis.opendocument.text"),
                             ("content.xml", "<office:document-content/>")])
        self.assertRefused("procedure.odt", content, "ne correspond pas")

    def test_it_refuses_the_mimetype_of_another_extension(self):
        self.assertRefused("tableau.ods", odt(), "ne correspond pas à un fichier ODS")
        self.assertRefused("procedure.odt", odt(mimetype="application/x-msdownload"),
                           "ne correspond pas")


class TextTestCase(UploadTestCase):
    def test_it_accepts_windows_1252_text(self):
        content = "Nom;Fonction\nHélène;Préparatrice\n".encode("cp1252")
        self.assertEqual(self.check("equipe.csv", content), "text/csv")

    def test_it_accepts_utf8_across_chunks(self):
        content = b"a" * (uploads.CHUNK_BYTES - 1) + "é\tcomptoir\r\n".encode() * 3
        self.assertEqual(self.check("notes.txt", content), "text/plain")

    def test_it_refuses_binary_posing_as_text(self):
        self.assertRefused("notes.txt", b"abc\x00def", "pas du texte")

    def test_it_reads_past_the_first_8_kib(self):
        self.assertRefused("equipe.csv", b"Nom;Fonction\n" * 700 + b"\x00MZ",
                           "caractères qui ne sont pas du texte")
        self.assertRefused("equipe.csv", b"a;b\n" * 100_000 + b"\x01", "pas du texte")

    def test_it_refuses_utf16(self):
        self.assertRefused("notes.txt", "Mot de passe Wi-Fi".encode("utf-16"), "en UTF-8")

    def test_it_refuses_text_in_neither_encoding(self):
        self.assertRefused("notes.txt", "Hélène".encode("cp1252") + b"\x81",
                           "ni UTF-8, ni Windows-1252")


class PdfTestCase(UploadTestCase):
    def test_it_accepts_a_minimal_pdf(self):
        self.assertEqual(self.check("charte.PDF", real_pdf()), "application/pdf")

    def test_it_accepts_a_cross_reference_stream(self):
        self.assertEqual(self.check("charte.pdf", xref_stream_pdf()), "application/pdf")

    def test_it_accepts_a_few_bytes_after_the_end(self):
        self.assertEqual(self.check("scan.pdf", real_pdf() + b"\r\n\x00\x00"), "application/pdf")

    def test_it_refuses_a_renamed_executable(self):
        self.assertRefused("facture.pdf", b"MZ\x90\x00", "ne correspond pas à un fichier PDF")
        self.assertRefused("facture.pdf", EXECUTABLE_STUB + real_pdf(), "ne correspond pas")

    def test_it_refuses_a_truncated_pdf(self):
        pdf = real_pdf()
        for cut in (len(pdf) - 7, len(pdf) // 2, 20):
            self.assertRefused("charte.pdf", pdf[:cut], "Ce PDF est incomplet")

    def test_it_refuses_a_header_alone(self):
        self.assertRefused("charte.pdf", b"%PDF-1.7\n...", "Ce PDF est incomplet")

    def test_it_refuses_a_cross_reference_that_leads_nowhere(self):
        pdf = real_pdf()
        offset = pdf[pdf.rindex(b"startxref") + 10:pdf.rindex(b"%%EOF")].strip()
        for wrong in (b"99999999", b"0", b"12"):
            self.assertRefused("charte.pdf", pdf.replace(b"\n" + offset + b"\n",
                                                         b"\n" + wrong + b"\n"), "incomplet")

    def test_it_refuses_a_document_without_catalogue(self):
        self.assertRefused("charte.pdf", real_pdf().replace(b"/Root", b"/Rien"), "incomplet")

    def test_it_refuses_an_end_marker_far_from_the_end(self):
        self.assertRefused("charte.pdf", real_pdf() + b"x" * 2048, "incomplet")


class NamesTestCase(unittest.TestCase):
    def test_it_stores_under_a_random_name(self):
        name = storage_name("../../etc/passwd.PDF")
        self.assertRegex(name, r"^[0-9a-f]{32}\.pdf$")

    def test_it_strips_folders_from_display_names(self):
        self.assertEqual(display_name("C:\\Users\\x\\Mes documents\\charte.pdf"), "charte.pdf")
        self.assertEqual(display_name("../../secret.pdf"), "secret.pdf")
        self.assertEqual(display_name(""), "fichier")


class FrameworkFreeTestCase(unittest.TestCase):
    def test_it_imports_nothing_from_django(self):
        tree = ast.parse(Path(uploads.__file__).read_text(encoding="utf-8"))
        imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names]
        imported += [node.module for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module]
        self.assertEqual([name for name in imported if name.startswith("django")], [])
