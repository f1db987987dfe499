"""Audit packs: the regimes that apply with their latest packs, asking for one, its page
(progress while the worker builds it, then the files), every pack of the organisation,
the downloads (audited) and the preview of a regime's content as a page.

Readers (roles.READERS) see and download; requesters (roles.REQUESTERS) ask.
"""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from pharmagarde.core.access import org_view
from pharmagarde.core.files import download_response
from pharmagarde.core.packs import PackRequest, regime, regimes_for

from .. import selectors, services
from ..access import get_pack_or_404
from ..builder import collect
from ..models import Pack
from ..roles import READERS, REQUESTERS

PAGE_SIZE = 25
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _can_request(request) -> bool:
    return request.membership.role in REQUESTERS


@org_view(roles=READERS)
def reports_home(request):
    regimes = regimes_for(request.organisation)
    latest = selectors.latest_packs(request.organisation, regimes)
    return render(request, "reports/home.html", {
        "rows": [(item, latest[item.key]) for item in regimes],
        "can_request": _can_request(request),
        "can_sign": request.membership.can_manage,
        "signoff": selectors.latest_signoff(request.organisation),
    })


@org_view(roles=REQUESTERS, write=True)
@require_POST
def reports_pack_request(request):
    try:
        pack = services.pack_request(organisation=request.organisation,
                                     regime=request.POST.get("regime", ""),
                                     acting_user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports_home", request.organisation.slug)
    return redirect("reports_pack", request.organisation.slug, pack.pk)


def _pack_context(request, pack: Pack) -> dict:
    now = timezone.now()
    # Read only: a stalled pack is marked failed by the next request, never by a GET.
    return {"pack": pack, "regime": regime(pack.regime), "can_request": _can_request(request),
            "stalled": pack.is_stalled(now), "worker_hint": pack.is_waiting_long(now)}


@org_view(roles=READERS)
def reports_pack(request, pack_id):
    pack = get_pack_or_404(request, pack_id)
    return render(request, "reports/pack.html", _pack_context(request, pack))


@org_view(roles=READERS)
def reports_pack_state(request, pack_id):
    """The pack's state alone, which its page polls while the worker builds it."""
    pack = get_pack_or_404(request, pack_id)
    return render(request, "reports/_pack_state.html", _pack_context(request, pack))


@org_view(roles=READERS)
def reports_pack_list(request):
    page = Paginator(selectors.packs_for(request.organisation), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "reports/pack_list.html", {
        "page": page, "regimes": {r.key: r for r in regimes_for(request.organisation)}})


@org_view(roles=READERS)
def reports_pack_download(request, pack_id, file_format):
    pack = get_pack_or_404(request, pack_id)
    stored = getattr(pack, file_format, None) if file_format in CONTENT_TYPES else None
    if pack.status != Pack.Status.DONE or not stored:
        raise Http404
    response = download_response(SimpleNamespace(
        file=stored, content_type=CONTENT_TYPES[file_format],
        original_name=f"dossier-{pack.regime}-{pack.as_of.isoformat()}.{file_format}"))
    services.pack_downloaded(pack=pack, file_format=file_format, acting_user=request.user,
                             request=request)
    return response


@org_view(roles=READERS)
def reports_preview(request, regime_key):
    chosen = regime(regime_key)
    if chosen is None or chosen not in regimes_for(request.organisation):
        raise Http404
    document = collect(PackRequest(request.organisation, chosen.key, timezone.localdate()))
    return render(request, "reports/preview.html", {
        "document": document, "regime": chosen, "can_request": _can_request(request)})


urlpatterns = [
    path("", reports_home, name="reports_home"),
    path("demander/", reports_pack_request, name="reports_pack_request"),
    path("tous/", reports_pack_list, name="reports_pack_list"),
    path("<int:pack_id>/", reports_pack, name="reports_pack"),
    path("<int:pack_id>/etat/", reports_pack_state, name="reports_pack_state"),
    path("<int:pack_id>/<str:file_format>/", reports_pack_download,
         name="reports_pack_download"),
    path("apercu/<slug:regime_key>/", reports_preview, name="reports_preview"),
]
