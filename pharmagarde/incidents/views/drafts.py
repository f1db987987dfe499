"""The documents made from the records, for the people who handle incidents
(roles.REGISTER_ROLES): the drafts of each declaration, as text to paste field by field
into the portal or as PDF, and the breach register as Excel and PDF.

The HTML page and the PDF of a draft share one template (incidents/draft_sections.html).
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from pharmagarde.core import audit, documents
from pharmagarde.core.access import org_view
from pharmagarde.core.exports import attachment

from .. import drafts, exports
from ..access import get_incident_or_404
from ..roles import REGISTER_ROLES

# The PDF of the register shows this many breaches, newest first (WeasyPrint lays out
# about ten a second on one core); the Excel file has them all.
PDF_REGISTER_LIMIT = 200


def _draft(request, incident_id, slug):
    incident = get_incident_or_404(request, incident_id)
    if slug not in drafts.KINDS:
        raise Http404
    facts = drafts.facts_for(incident, now=timezone.now())
    return incident, drafts.build(slug, facts)


def _pdf_response(request, template, context, *, stem, audit_code, obj=None, details):
    """The PDF of `template`, audited once made; a French page (503) if this server
    cannot make PDF."""
    return documents.pdf_response(
        request, template, context, stem=stem,
        audited=lambda: audit.record(audit_code, request=request,
                                     organisation=request.organisation, obj=obj,
                                     details=details))


@org_view(roles=REGISTER_ROLES)
def incident_drafts(request, incident_id):
    incident = get_incident_or_404(request, incident_id)
    applicable, others = drafts.available(drafts.facts_for(incident, now=timezone.now()))
    return render(request, "incidents/draft_list.html",
                  {"incident": incident, "applicable": applicable, "others": others})


@org_view(roles=REGISTER_ROLES)
def incident_draft(request, incident_id, draft):
    incident, built = _draft(request, incident_id, draft)
    return render(request, "incidents/draft_detail.html", {"incident": incident,
                                                           "draft": built})


@org_view(roles=REGISTER_ROLES)
@require_safe
def incident_draft_pdf(request, incident_id, draft):
    incident, built = _draft(request, incident_id, draft)
    return _pdf_response(request, "incidents/pdf/draft.html",
                         {"incident": incident, "draft": built, "now": timezone.now()},
                         stem=f"{built.slug}-{incident.reference.lower()}",
                         audit_code="incident.draft_downloaded", obj=incident,
                         details={"brouillon": built.title})


def _register_stem(request):
    return f"registre-violations-{request.organisation.slug}"


@org_view(roles=REGISTER_ROLES)
@require_safe
def breach_export_xlsx(request):
    audit.record("breach.exported", request=request, organisation=request.organisation,
                 details={"format": "xlsx"})
    breaches = exports.register(request.organisation).iterator(chunk_size=exports.CHUNK)
    content = exports.register_xlsx(breaches, title=request.organisation.name)
    response = HttpResponse(content, content_type=documents.XLSX_TYPE)
    response["Content-Disposition"] = attachment(_register_stem(request), "xlsx")
    return response


@org_view(roles=REGISTER_ROLES)
@require_safe
def breach_export_pdf(request):
    breaches = exports.register(request.organisation)
    total = breaches.count()
    entries = exports.register_entries(breaches[:PDF_REGISTER_LIMIT])
    return _pdf_response(request, "incidents/pdf/register.html",
                         {"entries": entries, "total": total, "now": timezone.now(),
                          "limit": PDF_REGISTER_LIMIT}, stem=_register_stem(request),
                         audit_code="breach.exported",
                         details={"format": "pdf", "fiches": min(total, PDF_REGISTER_LIMIT)})


urlpatterns = [
    path("<int:incident_id>/brouillons/", incident_drafts, name="incident_drafts"),
    path("<int:incident_id>/brouillons/<slug:draft>/", incident_draft, name="incident_draft"),
    path("<int:incident_id>/brouillons/<slug:draft>.pdf", incident_draft_pdf,
         name="incident_draft_pdf"),
    path("registre/export.xlsx", breach_export_xlsx, name="breach_export_xlsx"),
    path("registre/export.pdf", breach_export_pdf, name="breach_export_pdf"),
]
