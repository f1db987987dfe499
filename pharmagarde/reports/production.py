"""Building a pack, in the worker (reports.tasks.build_pack): collect the sections, render
the PDF, the DOCX and the XLSX, keep them with the pack.

The pack's row says where it is (status, progress 0–100, step), which its page polls.
Only the worker that moves it from « queued » to « running » builds it: a task run twice
builds once. Any error marks it failed with a French message, and is logged.
"""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pharmagarde.core import documents
from pharmagarde.core.packs import PackRequest

from .builder import Document, collect
from .models import Pack
from .sheets import render_xlsx
from .word import render_docx

logger = logging.getLogger(__name__)

TEMPLATE = "reports/document.html"
# Where each stage ends on the progress bar.
SECTIONS_START, SECTIONS_END, PDF_END, DOCX_END = 5, 60, 85, 93


def render_pdf(document: Document) -> tuple[bytes, int]:
    """The PDF and its number of pages (core.documents.PdfUnavailable without Pango)."""
    return documents.render_pdf_pages(TEMPLATE, {
        "document": document, "current_organisation": document.organisation,
        "now": document.generated_at})


def _step(pack_id: int, progress: int, step: str) -> None:
    Pack.objects.filter(pk=pack_id).update(progress=progress, step=step[:200])


def _file_name(pack: Pack, extension: str) -> str:
    return f"dossier-{pack.regime}-{pack.as_of.isoformat()}.{extension}"


def _collect(pack: Pack) -> Document:
    span = SECTIONS_END - SECTIONS_START

    def progress(done, total, what):
        _step(pack.pk, SECTIONS_START + span * done // max(total, 1),
              _("Sections : %(app)s") % {"app": what})

    return collect(PackRequest(pack.organisation, pack.regime, pack.as_of), progress)


def build(pack_id: int) -> bool:
    """Build the pack if it is still queued: True once it is done."""
    claimed = Pack.objects.filter(pk=pack_id, status=Pack.Status.QUEUED).update(
        status=Pack.Status.RUNNING, started_at=timezone.now(), progress=SECTIONS_START,
        step=_("Préparation"))
    if not claimed:
        return False
    pack = Pack.objects.select_related("organisation").get(pk=pack_id)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            document = _collect(pack)
            _step(pack_id, SECTIONS_END, _("Mise en page du PDF"))
            pdf, pages = render_pdf(document)
            _step(pack_id, PDF_END, _("Document Word"))
            docx = render_docx(document)
            _step(pack_id, DOCX_END, _("Classeur Excel"))
            xlsx = render_xlsx(document)
            for field, content in (("pdf", pdf), ("docx", docx), ("xlsx", xlsx)):
                getattr(pack, field).save(_file_name(pack, field), ContentFile(content),
                                          save=False)
            pack.pages = pages
            pack.summary = {**document.counts, "to_fix": len(document.to_fix),
                            "sections": len(document.parts)}
            pack.status, pack.progress, pack.step = Pack.Status.DONE, 100, _("Prêt")
            pack.finished_at = timezone.now()
            pack.save(update_fields=["pdf", "docx", "xlsx", "pages", "summary", "status",
                                     "progress", "step", "finished_at"])
    except Exception as error:
        logger.exception("Dossier de preuves %s : échec de la préparation", pack_id)
        _fail(pack, error)
        return False
    return True


def _fail(pack: Pack, error: Exception) -> None:
    for field in ("pdf", "docx", "xlsx"):
        stored = getattr(pack, field)
        if stored.name:
            stored.storage.delete(stored.name)
    if isinstance(error, documents.PdfUnavailable):
        message = str(error)
    else:
        message = _("La préparation du dossier a échoué à cause d'une erreur inattendue, "
                    "enregistrée dans le journal du serveur. Réessayez ; si l'erreur "
                    "revient, prévenez l'administrateur de Pharmagarde.")
    Pack.objects.filter(pk=pack.pk).update(
        status=Pack.Status.FAILED, error=message, step="", finished_at=timezone.now(),
        pdf="", docx="", xlsx="")
