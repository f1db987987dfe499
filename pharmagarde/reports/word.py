"""The DOCX of an audit pack: the same content as the PDF, editable in Word or LibreOffice
(python-docx, docs/decisions/0007-python-docx.md).

Headings use Word's own « Heading n » styles, so that the reader's table of contents,
navigation pane and outline work; a TOC field is inserted that Word fills when the
document is opened (« Mettre à jour la table »). A figure becomes its caption and the
texts its SVG carries (labels and values): no image conversion.
"""

import io

from defusedxml import ElementTree
from django.utils.translation import gettext as _

from pharmagarde.core.documents import printable

from .builder import Document, Part, cell_text
from .checklists import STATE_LABELS

SVG_TEXT = "{http://www.w3.org/2000/svg}text"


def _text(value) -> str:
    """Every text this module hands python-docx, which refuses (ValueError) the control
    characters XML cannot hold: one pasted into an action's title would fail the pack."""
    return printable(value)


def _toc(document) -> None:
    """A TOC field Word computes on opening (python-docx cannot paginate)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.add_paragraph()
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, 'TOC \\o "1-2" \\h \\z \\u'),
                       ("separate", None), (None, None), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = _("Sommaire : ouvrez le document dans Word et mettez la table à "
                             "jour (clic droit, « Mettre à jour les champs »).")
        run._r.append(element)


def _table(document, columns, rows, caption: str = "") -> None:
    if caption:
        document.add_paragraph(_text(caption), style="Caption")
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(_text(column)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            cell.text = _text(cell_text(value))


def _svg_texts(svg: str) -> list[str]:
    try:
        root = ElementTree.fromstring(svg)
    except Exception:  # noqa: BLE001 - a figure that does not parse keeps its caption
        return []
    return [" ".join("".join(node.itertext()).split()) for node in root.iter(SVG_TEXT)
            if "".join(node.itertext()).strip()]


def _block(document, block) -> None:
    data = block.data
    if block.kind == "paragraph":
        document.add_paragraph(_text(data.text))
    elif block.kind == "facts":
        for label, value in data.items:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(_text(f"{label} : ")).bold = True
            paragraph.add_run(_text(cell_text(value)))
    elif block.kind == "table":
        if data.rows:
            _table(document, data.columns, data.rows, str(data.caption))
        else:
            document.add_paragraph(_text(data.empty or _("Rien n'est enregistré.")))
    elif block.kind == "figure":
        document.add_paragraph(_text(data.caption), style="Caption")
        texts = _svg_texts(data.svg)
        if texts:
            document.add_paragraph(_text(_("Valeurs du graphique : ") + " ; ".join(texts)))
    elif block.kind == "checklist":
        _table(document, (_("Exigence"), _("Référence"), _("État"), _("Où en est la preuve")),
               [(text, reference, str(STATE_LABELS.get(state, state)), where)
                for text, reference, state, where in data.items])


def _proofs(document, proofs, *, with_part: bool) -> None:
    columns = [_("Preuve"), _("Date"), _("État")] + ([_("Partie")] if with_part else [])
    rows = [(f"{proof.label} — {proof.note}" if proof.note else proof.label,
             proof.evidence.date,
             ("⚠ " if proof.to_fix else "") + proof.freshness_label)
            + ((proof.section_title,) if with_part else ()) for proof in proofs]
    _table(document, columns, rows)


def _part(document, part: Part) -> None:
    document.add_heading(_text(part.title), level=1)
    if part.section.references:
        document.add_paragraph(_text(_("Références :") + " "
                                     + " ; ".join(part.section.references)))
    for block in part.blocks:
        _block(document, block)
    if part.proofs:
        document.add_paragraph(_("Preuves de cette partie"), style="Caption")
        _proofs(document, part.proofs, with_part=False)


def render_docx(pack: Document) -> bytes:
    from docx import Document as Docx

    document = Docx()
    properties = document.core_properties
    properties.title = _text(f"{pack.title} — {pack.organisation.name}")
    properties.author = _text(pack.organisation.name)
    properties.language = "fr-FR"
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = _text(f"{pack.organisation.name} — {pack.title} — " + _(
        "édité le %(date)s") % {"date": pack.date_label})
    document.add_heading(_text(pack.title), level=0)
    for label, value in pack.cover:
        paragraph = document.add_paragraph()
        paragraph.add_run(_text(f"{label} : ")).bold = True
        paragraph.add_run(_text(value))
    document.add_page_break()
    document.add_heading(_("Sommaire"), level=1)
    _toc(document)
    document.add_page_break()
    counts = pack.counts
    document.add_heading(_("Les preuves et leur fraîcheur"), level=1)
    document.add_paragraph(_("À jour : %(fresh)s ; anciennes : %(stale)s ; absentes : "
                             "%(missing)s ; non conformes : %(failed)s.") % counts)
    if pack.to_fix:
        document.add_heading(_("À corriger avant l'audit"), level=2)
        _proofs(document, pack.to_fix, with_part=True)
    for part in pack.parts:
        _part(document, part)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
