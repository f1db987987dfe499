"""Defensive checks of uploaded evidence files (framework-free).

- A short list of accepted types, each recognised by its structure, never by the name or the
  browser's Content-Type alone:
  - Office (docx, xlsx, pptx) and OpenDocument (odt, ods) files are zip containers: the
    archive must begin at byte 0 and its entries follow one another up to the central
    directory, with nothing before, between or over them (an executable with a document
    appended, or overlapping entries, is refused); the package must say what it is
    (`[Content_Types].xml` read with defusedxml, or the ODF `mimetype` entry);
  - zip bombs are refused from the sizes the archive declares, without extracting it;
  - text files are read to the end, by chunks;
  - a PDF must have its header, its end (`startxref`, `%%EOF`) and a cross-reference that
    leads to the document catalogue.
- Files are stored under a random name; the original name is kept only for display and
  for the download's Content-Disposition.

The streaming size limit and the settings live on the Django side, in core/files.py.
"""

import codecs
import re
import struct
import uuid
import zipfile
import zlib
from pathlib import PurePath
from urllib.parse import unquote

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from .messages import Message, _

CHUNK_BYTES = 64 * 1024

# Zip containers, judged on their central directory. A real Office document has tens to a
# few thousand entries; XML compresses 10 to 20 times, and 100 is Apache POI's own limit
# for Office files. Entries under the grace size are too small to matter whatever their ratio.
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_GRACE_BYTES = 100 * 1024
MAX_PACKAGE_DESCRIPTION_BYTES = 1024 * 1024  # [Content_Types].xml or mimetype, read in full

# The main part each Office extension must declare in its [Content_Types].xml. The
# macro-enabled variants (docm, xlsm…) declare other types and are refused.
OFFICE_TYPES = {
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
              ".main+xml"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
              "application/vnd.openxmlformats-officedocument.presentationml.presentation"
              ".main+xml"),
}
CONTENT_TYPES_NAMESPACE = "{http://schemas.openxmlformats.org/package/2006/content-types}"
OPEN_DOCUMENT_TYPES = {
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
MAGIC_TYPES = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
PDF_TYPES = {".pdf": "application/pdf"}
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv"}
ACCEPTED_EXTENSIONS = sorted({*OFFICE_TYPES, *OPEN_DOCUMENT_TYPES, *MAGIC_TYPES, *PDF_TYPES,
                              *TEXT_TYPES})
ACCEPT_ATTRIBUTE = ",".join(ACCEPTED_EXTENSIONS)

ZIP_LOCAL_HEADER = struct.Struct("<4s2B4H3L2H")
ZIP_LOCAL_SIGNATURE = b"PK\x03\x04"
ZIP_DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
ZIP_END_SIGNATURE, ZIP_END_RECORD_BYTES = b"PK\x05\x06", 22
ZIP_ENCRYPTED, ZIP_DATA_DESCRIPTOR = 0x01, 0x08
# A data descriptor: CRC then both sizes on 4 or 8 bytes (zip64), with or without signature.
ZIP_DESCRIPTOR_LENGTHS = (12, 16, 20, 24)
# Password-protected Office files, and the old .doc/.xls, are OLE compound files.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Control characters that no text file holds (tab, line feed, form feed and carriage
# return are text); UTF-8 and Windows-1252 both keep them as single bytes.
BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
TEXT_ENCODINGS = ("utf-8", "cp1252")

PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
# Readers look for the end marker in the last 1024 bytes; the trailer dictionary sits just
# before it, and the first object just after the header.
PDF_END_BYTES = 1024
PDF_WINDOW_BYTES = 64 * 1024
PDF_END = re.compile(rb"startxref\s+(\d{1,10})\s+%%EOF")
PDF_XREF = re.compile(rb"\s*(?:xref\b|\d{1,10}\s+\d{1,5}\s+obj\b)")
PDF_OBJECT = re.compile(rb"\d{1,10}\s+\d{1,5}\s+obj\b")


class UploadError(Exception):
    """The file cannot be accepted; the message says why and what to do, in French."""


def human_size(size):
    if size >= 1024 * 1024:
        return Message(_("%(count)d Mo"), count=round(size / (1024 * 1024)))
    return Message(_("%(count)d Ko"), count=size // 1024)


def _label(extension):
    return extension.lstrip(".").upper()


def _not_valid(extension):
    return UploadError(Message(
        _("Le contenu du fichier ne correspond pas à un fichier %(format)s valide. "
          "Enregistrez-le à nouveau depuis son logiciel d'origine."),
        format=_label(extension)))


def _read_at(uploaded, offset, size):
    uploaded.seek(offset)
    return uploaded.read(size)


# --- Zip containers ----------------------------------------------------------------------

def _open_zip(extension, uploaded):
    """The archive and its entries in file order, once its layout is a document's."""
    head = _read_at(uploaded, 0, len(OLE_SIGNATURE))
    if head == OLE_SIGNATURE:
        raise UploadError(Message(
            _("Ce fichier %(format)s est protégé par un mot de passe ou enregistré dans "
              "l'ancien format Office, ce qui empêche de le vérifier. Enregistrez-le sans "
              "mot de passe au format %(format)s, ou exportez-le en PDF."),
            format=_label(extension)))
    try:
        archive = zipfile.ZipFile(uploaded)
        entries = sorted(archive.infolist(), key=lambda entry: entry.header_offset)
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, EOFError,
            struct.error) as error:
        raise _not_valid(extension) from error
    if not entries:
        raise _not_valid(extension)
    # The archive fills the file: its first entry at byte 0, its end record (and comment)
    # at the very end.
    end_record = ZIP_END_RECORD_BYTES + len(archive.comment)
    if (not head.startswith(ZIP_LOCAL_SIGNATURE) or entries[0].header_offset != 0
            or _read_at(uploaded, uploaded.size - end_record, 4) != ZIP_END_SIGNATURE):
        raise UploadError(Message(
            _("Le fichier %(format)s contient des données ajoutées autour du document, "
              "comme un programme déguisé en document. Enregistrez-le à nouveau depuis son "
              "logiciel d'origine."),
            format=_label(extension)))
    _check_declared_sizes(extension, entries)
    _check_layout(extension, uploaded, entries, archive.start_dir)
    return archive, entries


def _check_declared_sizes(extension, entries):
    """Zip bombs, from the central directory alone: nothing is decompressed."""
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UploadError(Message(
            _("Le document %(format)s contient bien plus d'éléments qu'un document "
              "ordinaire. Divisez-le en plusieurs fichiers ou exportez-le en PDF."),
            format=_label(extension)))
    if sum(entry.file_size for entry in entries) > MAX_ZIP_UNCOMPRESSED_BYTES:
        raise UploadError(Message(
            _("Le document %(format)s occuperait plus de %(size)s une fois décompressé. "
              "Divisez-le en plusieurs fichiers ou exportez-le en PDF."),
            format=_label(extension), size=human_size(MAX_ZIP_UNCOMPRESSED_BYTES)))
    for entry in entries:
        if (entry.file_size > RATIO_GRACE_BYTES
                and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1)):
            raise UploadError(Message(
                _("Le document %(format)s est compressé de façon anormale (plus de %(ratio)d "
                  "fois), comme une archive piégée. Enregistrez-le à nouveau depuis son "
                  "logiciel d'origine, ou exportez-le en PDF."),
                format=_label(extension), ratio=MAX_COMPRESSION_RATIO))


def _check_layout(extension, uploaded, entries, central_directory):
    """Each entry where the previous one ends, the last one at the central directory.

    Office readers and zipfile may read a crafted archive differently (data hidden between
    entries, two entries over the same bytes, a local header that says other sizes than
    the central directory); a document as its software writes it has none of that.
    """
    names = {entry.filename.lower() for entry in entries}
    if len(names) != len(entries):
        raise _not_valid(extension)
    ends = [entry.header_offset for entry in entries[1:]] + [central_directory]
    for entry, next_start in zip(entries, ends, strict=True):
        if entry.flag_bits & ZIP_ENCRYPTED or entry.compress_type not in (
                zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_valid(extension)
        header = _read_at(uploaded, entry.header_offset, ZIP_LOCAL_HEADER.size)
        if len(header) != ZIP_LOCAL_HEADER.size:
            raise _not_valid(extension)
        (signature, _version, _system, flags, _method, _time, _date, crc, compress_size,
         file_size, name_length, extra_length) = ZIP_LOCAL_HEADER.unpack(header)
        data_end = (entry.header_offset + ZIP_LOCAL_HEADER.size + name_length + extra_length
                    + entry.compress_size)
        if signature != ZIP_LOCAL_SIGNATURE:
            raise _not_valid(extension)
        if flags & ZIP_DATA_DESCRIPTOR:
            if not _is_descriptor(uploaded, entry, data_end, next_start - data_end):
                raise _not_valid(extension)
        elif next_start != data_end or (
                compress_size != 0xFFFFFFFF  # zip64: the real sizes are in the extra field
                and (crc, compress_size, file_size)
                != (entry.CRC, entry.compress_size, entry.file_size)):
            raise _not_valid(extension)


def _is_descriptor(uploaded, entry, offset, length):
    if length not in ZIP_DESCRIPTOR_LENGTHS:
        return False
    descriptor = _read_at(uploaded, offset, length)
    if len(descriptor) != length:
        return False
    if length in (16, 24):
        if not descriptor.startswith(ZIP_DESCRIPTOR_SIGNATURE):
            return False
        descriptor = descriptor[4:]
    return int.from_bytes(descriptor[:4], "little") == entry.CRC


def _read_entry(extension, archive, entry):
    """A small entry in full; its declared size is checked, and not trusted."""
    if entry.file_size > MAX_PACKAGE_DESCRIPTION_BYTES:
        raise _not_valid(extension)
    try:
        with archive.open(entry) as handle:
            data = handle.read(MAX_PACKAGE_DESCRIPTION_BYTES + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, EOFError,
            zlib.error) as error:
        raise _not_valid(extension) from error
    if len(data) > MAX_PACKAGE_DESCRIPTION_BYTES:
        raise _not_valid(extension)
    return data


def _office_type(extension, uploaded):
    content_type, main_part_type = OFFICE_TYPES[extension]
    archive, entries = _open_zip(extension, uploaded)
    by_name = {entry.filename.lower(): entry for entry in entries}
    description = by_name.get("[content_types].xml")
    if description is None:
        raise _not_valid(extension)
    try:
        types = ElementTree.fromstring(_read_entry(extension, archive, description))
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise _not_valid(extension) from error
    if types.tag != CONTENT_TYPES_NAMESPACE + "Types":
        raise _not_valid(extension)
    main_parts = [unquote(override.get("PartName", "")).lstrip("/").lower()
                  for override in types.iter(CONTENT_TYPES_NAMESPACE + "Override")
                  if override.get("ContentType", "").strip().lower() == main_part_type]
    if not any(part in by_name for part in main_parts):
        raise _not_valid(extension)
    return content_type


def _open_document_type(extension, uploaded):
    # ODF: "mimetype" is the first entry, stored uncompressed, so that its type can be
    # read at a fixed place in the file.
    content_type = OPEN_DOCUMENT_TYPES[extension]
    archive, entries = _open_zip(extension, uploaded)
    first = entries[0]
    if first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED:
        raise _not_valid(extension)
    if _read_entry(extension, archive, first) != content_type.encode("ascii"):
        raise _not_valid(extension)
    return content_type


# --- Text, PDF, images -------------------------------------------------------------------

def _text_type(extension, uploaded):
    """Text to the end: no binary byte, and readable as UTF-8 or as Windows-1252."""
    decoders = {name: codecs.getincrementaldecoder(name)() for name in TEXT_ENCODINGS}
    uploaded.seek(0)
    while chunk := uploaded.read(CHUNK_BYTES):
        if BINARY_BYTES.search(chunk):
            raise UploadError(Message(
                _("Le fichier %(format)s contient des caractères qui ne sont pas du texte "
                  "(données binaires). Enregistrez-le en texte brut, en UTF-8, depuis votre "
                  "éditeur ou votre tableur."),
                format=_label(extension)))
        for name, decoder in list(decoders.items()):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                del decoders[name]
    for name, decoder in list(decoders.items()):
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
    if not decoders:
        raise UploadError(Message(
            _("Le fichier %(format)s n'est pas un texte lisible (ni UTF-8, ni Windows-1252). "
              "Enregistrez-le en UTF-8 depuis votre éditeur ou votre tableur."),
            format=_label(extension)))
    return TEXT_TYPES[extension]


def _pdf_type(extension, uploaded):
    """Header, end marker, and a cross-reference inside the file that names the catalogue."""
    size = uploaded.size
    head = _read_at(uploaded, 0, PDF_WINDOW_BYTES)
    tail = _read_at(uploaded, max(size - PDF_WINDOW_BYTES, 0), PDF_WINDOW_BYTES)
    if not PDF_HEADER.match(head):
        raise _not_valid(extension)
    ends = list(PDF_END.finditer(tail))
    if not ends or ends[-1].end() < len(tail) - PDF_END_BYTES:
        raise _incomplete_pdf()
    xref_offset = int(ends[-1].group(1))
    if not PDF_OBJECT.search(head) or not 0 < xref_offset < size:
        raise _incomplete_pdf()
    at_xref = _read_at(uploaded, xref_offset, PDF_WINDOW_BYTES)
    if not PDF_XREF.match(at_xref):
        raise _incomplete_pdf()
    # The catalogue (/Root) is named by the trailer before startxref (classic table), by
    # the cross-reference stream's dictionary, or, in a linearised file, by the trailer of
    # the first-page table that startxref points to.
    if b"/Root" not in tail[:ends[-1].start()] and b"/Root" not in at_xref:
        raise _incomplete_pdf()
    return PDF_TYPES[extension]


def _incomplete_pdf():
    return UploadError(Message(_(
        "Ce PDF est incomplet ou endommagé (sa fin ou sa table des objets manque), par "
        "exemple après un téléchargement interrompu. Enregistrez-le ou exportez-le à "
        "nouveau en PDF, puis joignez-le.")))


def _magic_type(extension, uploaded):
    content_type, magics = MAGIC_TYPES[extension]
    if not _read_at(uploaded, 0, 16).startswith(magics):
        raise _not_valid(extension)
    return content_type


CHECKS = {
    **dict.fromkeys(OFFICE_TYPES, _office_type),
    **dict.fromkeys(OPEN_DOCUMENT_TYPES, _open_document_type),
    **dict.fromkeys(TEXT_TYPES, _text_type),
    **dict.fromkeys(PDF_TYPES, _pdf_type),
    **dict.fromkeys(MAGIC_TYPES, _magic_type),
}


def check_file(uploaded, *, max_bytes, cut_short=False):
    """The content type of `uploaded`, or UploadError saying what to fix.

    `uploaded` is a binary file object with `name` and `size` (Django's UploadedFile);
    `cut_short` says the upload was stopped on its way in for being over `max_bytes`.
    """
    if cut_short or (uploaded is not None and uploaded.size > max_bytes):
        raise UploadError(Message(_(
            "Le fichier dépasse la taille maximale de %(size)s. Réduisez-le (PDF "
            "compressé, photo moins lourde) ou joignez-en un extrait."),
            size=human_size(max_bytes)))
    if uploaded is None:
        raise UploadError(Message(_("Choisissez un fichier à joindre.")))
    if uploaded.size == 0:
        raise UploadError(Message(_("Le fichier est vide.")))
    extension = PurePath(uploaded.name or "").suffix.lower()
    if extension not in CHECKS:
        raise UploadError(Message(
            _("Ce type de fichier n'est pas accepté. Formats possibles : %(formats)s."),
            formats=", ".join(_label(e) for e in ACCEPTED_EXTENSIONS)))
    try:
        return CHECKS[extension](extension, uploaded)
    finally:
        uploaded.seek(0)


def storage_name(original_name):
    """A random file name that keeps only the (already checked) extension."""
    return uuid.uuid4().hex + PurePath(original_name).suffix.lower()


def display_name(original_name):
    """The original name, without any folder part, bounded in length."""
    name = PurePath(str(original_name).replace("\\", "/")).name or "fichier"
    return name[-150:]
