"""Real files for the upload tests, built in memory: documents as their software writes
them, and the disguises that must be refused."""

import io
import zipfile

import openpyxl

OOXML_MAIN = "application/vnd.openxmlformats-officedocument.{}.main+xml"
WORD_MAIN = OOXML_MAIN.format("wordprocessingml.document")
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/{part}" ContentType="{content_type}"/>
</Types>"""
RELATIONSHIPS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="{part}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
WORD_DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>Charte informatique</w:t></w:r></w:p></w:body></w:document>"""

# The start of a Windows executable: the MZ header and its DOS stub.
EXECUTABLE_STUB = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
                   + b"\x00" * 44 + b"\x80\x00\x00\x00"
                   + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
                   + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 256)


def zip_bytes(entries, compression=zipfile.ZIP_DEFLATED):
    """A zip of [(name, data)], in that order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(content_type=WORD_MAIN, extra=()):
    return zip_bytes([
        ("[Content_Types].xml", CONTENT_TYPES.format(part="word/document.xml",
                                                     content_type=content_type)),
        ("_rels/.rels", RELATIONSHIPS.format(part="word/document.xml")),
        ("word/document.xml", WORD_DOCUMENT),
        *extra,
    ])


def xlsx():
    """A workbook saved by openpyxl, as the inventory exports are."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["Poste", "Système"])
    workbook.active.append(["Comptoir 1", "Windows 11"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt(mimetype="application/vnd.oasis.opendocument.text", mimetype_first=True):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def add_mimetype():
            archive.writestr(zipfile.ZipInfo("mimetype"), mimetype,
                             compress_type=zipfile.ZIP_STORED)
        if mimetype_first:
            add_mimetype()
        archive.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest='
                         '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
        archive.writestr("content.xml", "<office:document-content/>")
        if not mimetype_first:
            add_mimetype()
    return buffer.getvalue()


def real_pdf(text="Charte informatique"):
    """A small but complete PDF 1.4 document: one page, one line of text."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return body
