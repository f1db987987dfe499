"""Reads of the inventory: the snapshot the rules run on, the findings to show."""

from django.db.models import Prefetch

from .models import (
    Account,
    Backup,
    CpsCard,
    Device,
    Finding,
    RemovableMedium,
    Software,
    WifiNetwork,
)
from .rules import SEVERITY_LABELS, Snapshot


def snapshot(organisation) -> Snapshot:
    """The whole inventory of one organisation, for the rules: seven queries, whatever its
    size (the people an item points to come with it)."""
    return Snapshot(
        accounts=list(Account.objects.filter(organisation=organisation)
                      .select_related("holder")),
        devices=list(Device.objects.filter(organisation=organisation)),
        software=list(Software.objects.filter(organisation=organisation)),
        wifi=list(WifiNetwork.objects.filter(organisation=organisation)),
        media=list(RemovableMedium.objects.filter(organisation=organisation)),
        cards=list(CpsCard.objects.filter(organisation=organisation).select_related("holder")),
        backups=list(Backup.objects.filter(organisation=organisation)),
    )


def open_findings(organisation):
    return Finding.objects.filter(organisation=organisation, status=Finding.Status.OPEN)


def severity_label(finding) -> str:
    return SEVERITY_LABELS[finding.severity]


def software_with_devices(organisation):
    return Software.objects.filter(organisation=organisation).prefetch_related(
        Prefetch("devices", queryset=Device.objects.only("id", "name")))


def worst_open_findings(organisation, count=3):
    return list(open_findings(organisation).order_by("severity", "rule", "subject_label",
                                                      "id")[:count])


def dashboard_card(request) -> dict:
    """The dashboard's card: the worst open findings and how many there are. Two queries."""
    findings = worst_open_findings(request.organisation)
    from .rules import RULES_BY_ID

    for finding in findings:
        finding.rule_obj = RULES_BY_ID.get(finding.rule)
        finding.severity_label = SEVERITY_LABELS.get(finding.severity, "")
    return {"inventory": {"findings": findings,
                          "open_count": open_findings(request.organisation).count()
                          if findings else 0}}


def todo(request) -> list[tuple[str, str]]:
    """« À faire maintenant » : the critical findings, one line per rule."""
    from django.urls import reverse
    from django.utils.translation import ngettext

    from .rules import CRITICAL, RULES_BY_ID

    rows = (open_findings(request.organisation).filter(severity=CRITICAL)
            .values_list("rule", flat=True))
    per_rule = {}
    for rule in rows:
        per_rule[rule] = per_rule.get(rule, 0) + 1
    url = reverse("inventory_findings", args=[request.organisation.slug])
    items = []
    for rule_id, count in per_rule.items():
        rule = RULES_BY_ID.get(rule_id)
        if rule is not None:
            items.append((ngettext("Inventaire : %(title)s (%(n)d élément).",
                                   "Inventaire : %(title)s (%(n)d éléments).", count)
                          % {"title": rule.title, "n": count}, url))
    return items
