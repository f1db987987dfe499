from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from .. import audit
from ..access import org_view
from ..exports import csv_response
from ..forms import AuditFilterForm
from ..registry import ALL
from ..selectors import audit_entries_for

PAGE_SIZE = 50
CSV_HEADER = ["date", "auteur", "action", "événement", "objet", "identifiant", "détails",
              "adresse IP", "empreinte"]


def filtered_entries(request):
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries_for(request.organisation)
    if form.is_valid():
        entries = form.filter(entries)
    return form, entries


@org_view(manage=True, audience=ALL)
def audit_log(request):
    form, entries = filtered_entries(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(request, "core/audit_log.html", {
        "form": form, "page": page, "querystring": querystring.urlencode(),
    })


@org_view(manage=True, audience=ALL)
def audit_log_csv(request):
    _form, entries = filtered_entries(request)
    audit.record("audit.exported", request=request, organisation=request.organisation,
                 details={"filtres": dict(request.GET.items())})
    rows = ((
        timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_label, entry.action, entry.action_label,
        f"{entry.object_type} {entry.object_label}".strip(), entry.object_id,
        " ; ".join(f"{k} = {v}" for k, v in entry.details.items()),
        entry.ip_address or "", entry.entry_hash,
    ) for entry in entries.order_by("id").iterator(chunk_size=2000))
    return csv_response(CSV_HEADER, rows, stem=f"journal-{request.organisation.slug}")
