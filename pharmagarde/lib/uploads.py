"""Defensive handling of uploaded evidence files.

- A size limit enforced while the upload streams in (SizeLimitUploadHandler), so a huge
  upload is cut short instead of filling the disk, and a clear French message afterwards.
- A short list of accepted types, each recognised by its content (magic bytes, zip
  structure, text decoding), never by the name or the browser's Content-Type alone.
- Files are stored under a random name; the original name is kept only for display and
  for the download's Content-Disposition.
"""

import uuid
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from .messages import Message, _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 8192

OFFICE_TYPES = {
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "word/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xl/"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
              "ppt/"),
}
OPEN_DOCUMENT_TYPES = {
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
MAGIC_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv"}
ACCEPTED_EXTENSIONS = sorted({*OFFICE_TYPES, *OPEN_DOCUMENT_TYPES, *MAGIC_TYPES, *TEXT_TYPES})
ACCEPT_ATTRIBUTE = ",".join(ACCEPTED_EXTENSIONS)


class UploadError(Exception):
    """The file cannot be accepted; the message says why and what to do, in French."""


def max_upload_bytes():
    return getattr(settings, "MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES)


def human_size(size):
    if size >= 1024 * 1024:
        return Message(_("%(count)d Mo"), count=round(size / (1024 * 1024)))
    return Message(_("%(count)d Ko"), count=size // 1024)


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an upload once it passes MAX_UPLOAD_BYTES and flags the request."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        self.request.upload_too_large = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_upload_bytes():
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _head(uploaded):
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    return head


def _zip_names(uploaded):
    try:
        with zipfile.ZipFile(uploaded) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        uploaded.seek(0)


def _office_type(extension, uploaded):
    names = _zip_names(uploaded)
    if names is None:
        return None
    if extension in OFFICE_TYPES:
        content_type, folder = OFFICE_TYPES[extension]
        ok = "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
        return content_type if ok else None
    return OPEN_DOCUMENT_TYPES[extension] if "mimetype" in names else None


def _text_type(extension, uploaded):
    head = _head(uploaded)
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return TEXT_TYPES[extension]
    return None


def detect_type(extension, uploaded):
    """The content type the file really has for its extension, or None."""
    if extension in MAGIC_TYPES:
        content_type, magics = MAGIC_TYPES[extension]
        head = _head(uploaded)
        return content_type if head.startswith(magics) else None
    if extension in OFFICE_TYPES or extension in OPEN_DOCUMENT_TYPES:
        return _office_type(extension, uploaded)
    if extension in TEXT_TYPES:
        return _text_type(extension, uploaded)
    return None


def check_upload(request, uploaded):
    """Validate an uploaded file; returns its content type or raises UploadError."""
    limit = max_upload_bytes()
    if getattr(request, "upload_too_large", False) or (uploaded and uploaded.size > limit):
        raise UploadError(Message(_(
            "Le fichier dépasse la taille maximale de %(size)s. Réduisez-le (PDF "
            "compressé, photo moins lourde) ou joignez-en un extrait."),
            size=human_size(limit)))
    if uploaded is None:
        raise UploadError(Message(_("Choisissez un fichier à joindre.")))
    if uploaded.size == 0:
        raise UploadError(Message(_("Le fichier est vide.")))
    extension = PurePath(uploaded.name or "").suffix.lower()
    if extension not in ACCEPTED_EXTENSIONS:
        raise UploadError(Message(
            _("Ce type de fichier n'est pas accepté. Formats possibles : %(formats)s."),
            formats=", ".join(e.lstrip(".").upper() for e in ACCEPTED_EXTENSIONS)))
    content_type = detect_type(extension, uploaded)
    if content_type is None:
        raise UploadError(Message(
            _("Le contenu du fichier ne correspond pas à un fichier %(format)s valide. "
              "Enregistrez-le à nouveau depuis son logiciel d'origine."),
            format=extension.lstrip(".").upper()))
    return content_type


def storage_name(original_name):
    """A random file name that keeps only the (already checked) extension."""
    return uuid.uuid4().hex + PurePath(original_name).suffix.lower()


def display_name(original_name):
    """The original name, without any folder part, bounded in length."""
    name = PurePath(str(original_name).replace("\\", "/")).name or "fichier"
    return name[-150:]
