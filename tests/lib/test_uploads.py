import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings

from pharmagarde.lib.uploads import (
    UploadError,
    check_upload,
    display_name,
    storage_name,
)


class Request:
    upload_too_large = False


def upload(name, content):
    return SimpleUploadedFile(name, content)


def office_file(folder="word/"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(folder + "document.xml", "<doc/>")
    return buffer.getvalue()


class CheckUploadTestCase(SimpleTestCase):
    def check(self, name, content):
        return check_upload(Request(), upload(name, content))

    def assertRefused(self, name, content, message):
        with self.assertRaises(UploadError) as ctx:
            self.check(name, content)
        self.assertIn(message, str(ctx.exception))

    def test_it_accepts_a_pdf(self):
        self.assertEqual(self.check("charte.PDF", b"%PDF-1.7\n..."), "application/pdf")

    def test_it_accepts_images(self):
        self.assertEqual(self.check("photo.jpg", b"\xff\xd8\xff\xe0rest"), "image/jpeg")
        self.assertEqual(self.check("a.png", b"\x89PNG\r\n\x1a\nrest"), "image/png")

    def test_it_accepts_office_documents(self):
        self.assertIn("wordprocessingml", self.check("procedure.docx", office_file()))
        self.assertIn("spreadsheetml", self.check("inventaire.xlsx", office_file("xl/")))

    def test_it_accepts_windows_1252_text(self):
        content = "Nom;Fonction\nHélène;Préparatrice\n".encode("cp1252")
        self.assertEqual(self.check("equipe.csv", content), "text/csv")

    def test_it_refuses_a_renamed_executable(self):
        self.assertRefused("facture.pdf", b"MZ\x90\x00", "ne correspond pas à un fichier PDF")

    def test_it_refuses_a_zip_posing_as_a_word_document(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("payload.exe", "MZ")
        self.assertRefused("doc.docx", buffer.getvalue(), "ne correspond pas")

    def test_it_refuses_a_truncated_zip(self):
        self.assertRefused("doc.xlsx", office_file("xl/")[:30], "ne correspond pas")

    def test_it_refuses_unknown_extensions(self):
        self.assertRefused("script.html", b"<script>", "n'est pas accepté")
        self.assertRefused("sans-extension", b"%PDF-", "n'est pas accepté")

    def test_it_refuses_binary_posing_as_text(self):
        self.assertRefused("notes.txt", b"abc\x00def", "ne correspond pas")

    def test_it_refuses_an_empty_file(self):
        self.assertRefused("vide.pdf", b"", "vide")

    def test_it_asks_for_a_file(self):
        with self.assertRaisesMessage(UploadError, "Choisissez un fichier"):
            check_upload(Request(), None)

    @override_settings(MAX_UPLOAD_BYTES=10)
    def test_it_refuses_a_file_over_the_limit(self):
        self.assertRefused("gros.pdf", b"%PDF-" + b"x" * 20, "taille maximale")

    def test_it_refuses_when_the_stream_was_cut(self):
        request = Request()
        request.upload_too_large = True
        with self.assertRaisesMessage(UploadError, "taille maximale"):
            check_upload(request, None)


class NamesTestCase(SimpleTestCase):
    def test_it_stores_under_a_random_name(self):
        name = storage_name("../../etc/passwd.PDF")
        self.assertRegex(name, r"^[0-9a-f]{32}\.pdf$")

    def test_it_strips_folders_from_display_names(self):
        self.assertEqual(display_name("C:\\Users\\x\\Mes documents\\charte.pdf"), "charte.pdf")
        self.assertEqual(display_name("../../secret.pdf"), "secret.pdf")
        self.assertEqual(display_name(""), "fichier")
