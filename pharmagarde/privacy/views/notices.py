"""The information notices, for everyone of the organisation: the patients' notice to
display or hand out, the staff notice; each as a page that prints on its own and as a PDF."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from pharmagarde.core import audit
from pharmagarde.core.access import org_view
from pharmagarde.core.documents import pdf_response

from .. import notices
from ..roles import NOTICE_ROLES, WRITE_ROLES

STEMS = {notices.PATIENTS: "notice-patients", notices.STAFF: "notice-personnel"}


def _notice(request, audience):
    if audience not in notices.AUDIENCES:
        raise Http404
    return {"notice": notices.notice(request.organisation, audience),
            "audience": audience, "now": timezone.localtime(),
            "can_edit": request.membership.role in WRITE_ROLES}


@org_view(roles=NOTICE_ROLES)
@require_safe
def privacy_notices(request):
    return render(request, "privacy/notice_list.html", {
        "patients": notices.notice(request.organisation, notices.PATIENTS),
        "staff": notices.notice(request.organisation, notices.STAFF),
        "can_edit": request.membership.role in WRITE_ROLES,
    })


@org_view(roles=NOTICE_ROLES)
@require_safe
def privacy_notice(request, audience):
    return render(request, "privacy/notice_detail.html", _notice(request, audience))


@org_view(roles=NOTICE_ROLES)
@require_safe
def privacy_notice_pdf(request, audience):
    context = _notice(request, audience)
    return pdf_response(
        request, "privacy/pdf/notice.html", context,
        stem=f"{STEMS[audience]}-{request.organisation.slug}",
        audited=lambda: audit.record("privacy.notice_printed", actor=request.user,
                                     organisation=request.organisation, request=request,
                                     details={"notice": str(context["notice"].title)}))


urlpatterns = [
    path("notices/", privacy_notices, name="privacy_notices"),
    path("notices/<slug:audience>/", privacy_notice, name="privacy_notice"),
    path("notices/<slug:audience>.pdf", privacy_notice_pdf, name="privacy_notice_pdf"),
]
