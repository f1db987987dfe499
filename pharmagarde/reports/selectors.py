"""Reads of the reports app: the plan as a responsable approves it (frozen in a SignOff),
the packs of an organisation by regime.

The plan is read through pharmagarde.actions (models and selectors, read only): reports
depends on actions, never the other way round (tests/test_layering.py).
"""

import hashlib
import json

from django.db.models import Count

from pharmagarde.actions.models import Action
from pharmagarde.core.models import Organisation

from .models import Pack, SignOff

# The latest packs shown beside each regime on the home page.
LATEST_PER_REGIME = 3


def plan_summary(organisation: Organisation) -> dict:
    """The plan as it stands, in two queries whatever its size: counts by status and by
    criticality (its priority level), and the open actions' titles and due dates, by
    priority. JSON-able, the same for the same plan (its digest says if it changed)."""
    actions = Action.objects.filter(organisation=organisation).order_by()
    by_status, by_criticality = {}, {}
    for row in actions.values("status", "criticality").annotate(n=Count("id")):
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        if row["status"] in Action.OPEN_STATUSES:
            by_criticality[row["criticality"]] = (by_criticality.get(row["criticality"], 0)
                                                  + row["n"])
    open_items = [
        {"id": pk, "title": title, "status": status, "criticality": criticality,
         "due": due.isoformat() if due else None}
        for pk, title, status, criticality, due in actions.filter(
            status__in=Action.OPEN_STATUSES).order_by("priority", "due_date", "id")
        .values_list("id", "title", "status", "criticality", "due_date")]
    return {"total": sum(by_status.values()),
            "by_status": dict(sorted(by_status.items())),
            "open_by_criticality": dict(sorted(by_criticality.items())),
            "open": open_items}


def plan_digest(summary: dict) -> str:
    """sha256 of the summary's canonical JSON: equal digests, equal plans."""
    text = json.dumps(summary, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def latest_signoff(organisation: Organisation) -> SignOff | None:
    return (SignOff.objects.filter(organisation=organisation).select_related("approved_by")
            .first())


def latest_packs(organisation: Organisation, regimes) -> dict:
    """{regime key: its LATEST_PER_REGIME latest packs}, in one query whatever the number
    of packs and regimes."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    ranked = (Pack.objects.filter(organisation=organisation,
                                  regime__in=[r.key for r in regimes])
              .annotate(rank=Window(RowNumber(), partition_by=[F("regime")],
                                    order_by=[F("requested_at").desc(), F("id").desc()])))
    found = {r.key: [] for r in regimes}
    for pack in (ranked.filter(rank__lte=LATEST_PER_REGIME).select_related("requested_by")
                 .order_by("-requested_at", "-id")):
        found[pack.regime].append(pack)
    return found


def packs_for(organisation: Organisation):
    return Pack.objects.filter(organisation=organisation).select_related("requested_by")


def summary_rows(summary: dict) -> dict:
    """A plan summary's counts worded for a page: {"by_status": [(label, n)],
    "open_by_criticality": [(label, n)]}."""
    from django.utils.translation import gettext as _

    statuses = dict(Action.Status.choices)
    criticalities = {"critique": _("Critique"), "majeure": _("Majeure"),
                     "normale": _("Normale")}
    return {
        "by_status": [(str(statuses.get(key, key)), n)
                      for key, n in summary.get("by_status", {}).items()],
        "open_by_criticality": [(str(criticalities.get(key, key)), n)
                                for key, n in summary.get("open_by_criticality", {}).items()],
    }
