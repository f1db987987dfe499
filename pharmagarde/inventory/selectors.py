"""Reads of the inventory: the snapshot the rules run on, the findings to show."""

import datetime
from dataclasses import dataclass
from typing import ClassVar

from django.db.models import Prefetch
from django.utils.translation import gettext

from .models import (
    Account,
    Backup,
    CpsCard,
    Device,
    Finding,
    RemovableMedium,
    Software,
    WifiNetwork,
    account_label,
)
from .rules import SEVERITY_LABELS, Snapshot


def snapshot(organisation) -> Snapshot:
    """The whole inventory of one organisation, for the rules: seven queries, whatever its
    size (the people an item points to come with it)."""
    return Snapshot(
        accounts=account_facts(organisation),
        devices=list(Device.objects.filter(organisation=organisation)),
        software=list(Software.objects.filter(organisation=organisation)),
        wifi=list(WifiNetwork.objects.filter(organisation=organisation)),
        media=list(RemovableMedium.objects.filter(organisation=organisation)),
        cards=list(CpsCard.objects.filter(organisation=organisation).select_related("holder")),
        backups=list(Backup.objects.filter(organisation=organisation)),
    )


@dataclass(slots=True)
class HolderFacts:
    first_name: str
    last_name: str
    departure_date: datetime.date | None

    def __str__(self):
        return f"{self.first_name} {self.last_name}"  # as Person.__str__


@dataclass(slots=True)
class AccountFacts:
    """An account as the rules read it: what an Account instance gives them (the same
    attributes, str() and _meta), read as a row. An import brings 100,000 accounts, and a
    model instance costs several times a row to build."""

    pk: int
    system: str
    login: str
    holder_kind: str
    is_admin: bool
    mfa: bool | None
    enabled: bool
    last_used: datetime.date | None
    password_last_set: datetime.date | None
    password_never_expires: bool | None
    holder: HolderFacts | None
    label: str
    _meta: ClassVar = Account._meta

    def __str__(self):
        return self.label


def account_facts(organisation) -> list[AccountFacts]:
    """The organisation's accounts for the rules, with their holders (one query)."""
    labels, holders, facts = {}, {}, []
    for (pk, system, login, holder_kind, is_admin, mfa, enabled, last_used, password_set,
         never_expires, holder_id, first, last, departure) in Account.objects.filter(
            organisation=organisation).values_list(
            "pk", "system", "login", "holder_kind", "is_admin", "mfa", "enabled", "last_used",
            "password_last_set", "password_never_expires", "holder_id", "holder__first_name",
            "holder__last_name", "holder__departure_date").order_by():
        if system not in labels:
            labels[system] = account_label("", system)  # " (Windows…)", translated once
        holder = None
        if holder_id is not None:
            holder = holders.get(holder_id)
            if holder is None:
                holder = holders[holder_id] = HolderFacts(first, last, departure)
        facts.append(AccountFacts(pk, system, login, holder_kind, is_admin, mfa, enabled,
                                  last_used, password_set, never_expires, holder,
                                  f"{login}{labels[system]}"))
    return facts


def open_findings(organisation):
    return Finding.objects.filter(organisation=organisation, status=Finding.Status.OPEN)


def severity_label(finding) -> str:
    return gettext(SEVERITY_LABELS[finding.severity])


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
        label = SEVERITY_LABELS.get(finding.severity)
        finding.severity_label = gettext(label) if label else ""
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
