"""Writes of the inventory: items with their history, findings recomputed after each change
(and handed to the action plan), risks accepted.

Every write of an item goes through here, so that its history (who, when, before/after) and
the findings never miss a change, whether it comes from a form, a bulk action or an import.
"""

import datetime

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict, claim_revision
from pharmagarde.lib.bulk import insert_rows, update_rows

from . import selectors
from .kinds import KINDS_BY_MODEL, Kind
from .models import Finding, ItemChange
from .plan_source import plan_sync
from .rules import RULES, fr_date, run_rules


class ItemConflict(RevisionConflict):
    def __init__(self, current):
        super().__init__(current, _("Quelqu'un d'autre vient de modifier cet élément."))


def display_values(kind: Kind, item: Model) -> dict[str, str]:
    """{field label: value as shown}, for the history."""
    values = {}
    for name in kind.fields:
        field = kind.field(name)
        label = str(field.verbose_name)
        if field.many_to_many:
            if item.pk is None:
                values[label] = ""
            else:
                values[label] = ", ".join(sorted(str(d) for d in getattr(item, name).all()))
            continue
        value = getattr(item, name)
        if field.choices:
            value = getattr(item, f"get_{name}_display")()
        elif value is True:
            value = _("Oui")
        elif value is False:
            value = _("Non")
        elif value is None:
            value = ""
        elif isinstance(value, datetime.date):
            value = fr_date(value)
        values[label] = str(value)
    return values


def _record(item, action, actor, changes):
    ItemChange.objects.create(organisation_id=item.organisation_id,
                              item_type=item._meta.model_name, item_id=item.pk,
                              item_label=str(item)[:200], action=action, actor=actor,
                              changes=changes)


def item_save(*, acting_user, organisation, form, revision: int | None = None,
              request=None) -> Model:
    """Create or update the item of a bound, valid ModelForm of the inventory."""
    item = form.instance
    kind = KINDS_BY_MODEL[item._meta.model_name]
    with transaction.atomic():
        if item.pk is None:
            item.organisation = organisation
            form.save()
            after = display_values(kind, item)
            _record(item, ItemChange.Action.CREATED, acting_user,
                    {label: ["", value] for label, value in after.items() if value})
            code = "inventory.item_created"
        else:
            before = display_values(kind, type(item).objects.get(pk=item.pk))
            claim_revision(type(item).objects.filter(organisation=organisation), item.pk,
                           revision, conflict=ItemConflict)
            item.revision = (revision or item.revision) + 1
            form.save()
            after = display_values(kind, item)
            changes = {label: [before.get(label, ""), value] for label, value in after.items()
                       if before.get(label, "") != value}
            if changes:
                _record(item, ItemChange.Action.UPDATED, acting_user, changes)
            code = "inventory.item_updated"
        audit.record(code, actor=acting_user, organisation=organisation, obj=item,
                     request=request, details={"type": str(kind.model._meta.verbose_name)})
        findings_recompute(organisation=organisation, acting_user=acting_user)
    return item


def items_delete(*, acting_user, organisation, items, request=None) -> int:
    """Remove items (one, or a bulk selection) with their history entry."""
    items = list(items)
    if not items:
        return 0
    with transaction.atomic():
        for item in items:
            kind = KINDS_BY_MODEL[item._meta.model_name]
            _record(item, ItemChange.Action.DELETED, acting_user,
                    {label: [value, ""] for label, value in display_values(kind, item).items()
                     if value})
            item.delete()
        code = "inventory.item_deleted" if len(items) == 1 else "inventory.bulk_deleted"
        audit.record(code, actor=acting_user, organisation=organisation, request=request,
                     details={"éléments": len(items)})
        findings_recompute(organisation=organisation, acting_user=acting_user)
    return len(items)


def findings_recompute(*, organisation, acting_user=None, today: datetime.date | None = None,
                       rules=RULES) -> dict:
    """Run every rule over the inventory and bring the stored findings in line:
    a new hit opens a finding, a hit already known refreshes it (a resolved one reopens),
    a known finding no longer hit is resolved, an accepted risk past its date reopens.
    Then the open findings go to the action plan. Returns the counts."""
    now = timezone.now()
    today = today or timezone.localdate()
    hits = run_rules(selectors.snapshot(organisation), today, rules)
    counts = {"opened": 0, "resolved": 0, "still": 0}
    open_, resolved, accepted = (Finding.Status.OPEN, Finding.Status.RESOLVED,
                                 Finding.Status.ACCEPTED)
    with transaction.atomic():
        # Rows, not instances: an import of 100,000 accounts brings as many findings.
        # Each: (pk, accepted_until, then the FINDING_UPDATED_FIELDS). last_seen is not
        # read: a finding seen again gets the new time, one no longer seen keeps its own.
        existing = {(rule, subject): (pk, until, _NOT_READ, *values)
                    for rule, subject, pk, until, *values in
                    Finding.objects.select_for_update().filter(organisation=organisation)
                    .values_list("rule", "subject", "pk", "accepted_until",
                                 *FINDING_UPDATED_FIELDS[1:]).order_by()}
        new, changed = [], []
        for key, (rule, hit) in hits.items():
            row = existing.get(key)
            if row is None:
                new.append({"organisation_id": organisation.pk, "rule": rule.id,
                            "subject": hit.subject, "subject_label": hit.label,
                            "detail": hit.detail[:300], "severity": rule.severity,
                            "first_seen": now, "last_seen": now})
                continue
            pk, accepted_until, *before = row
            status, resolved_at = before[STATUS], before[RESOLVED_AT]
            if status == resolved:
                status, resolved_at = open_, None
                counts["opened"] += 1
            elif status == accepted and accepted_until and accepted_until < today:
                status = open_
                counts["opened"] += 1
            else:
                counts["still"] += 1
            changed.append((pk, before, (now, hit.detail[:300], hit.label, rule.severity,
                                         status, resolved_at)))
        for key, (pk, _until, *before) in existing.items():
            if key not in hits and before[STATUS] != resolved:
                after = list(before)
                after[STATUS], after[RESOLVED_AT] = resolved, now
                changed.append((pk, before, after))
                counts["resolved"] += 1
        existing = None  # let the rows go before the writes
        insert_rows(Finding, new)
        counts["opened"] += len(new)
        _findings_update(changed)
        plan_sync(organisation=organisation, acting_user=acting_user)
    return counts


FINDING_UPDATED_FIELDS = ("last_seen", "detail", "subject_label", "severity", "status",
                          "resolved_at")
STATUS, RESOLVED_AT = (FINDING_UPDATED_FIELDS.index(name) for name in ("status", "resolved_at"))
_NOT_READ = object()


def _findings_update(changed, chunk=500):
    """Write the recomputed findings, given as (pk, values before, values after) in the
    order of FINDING_UPDATED_FIELDS: those whose fields changed the same way (every
    finding still seen gets the same last_seen, every one resolved the same status and
    date) in one UPDATE … WHERE id IN (…) per chunk, the few left one prepared UPDATE per
    set of fields changed (lib.bulk.update_rows): only the fields that changed are
    written. bulk_update alone builds a CASE per field and row, seconds for
    a few thousand findings."""
    groups, single = {}, []
    for pk, before, after in changed:
        values = tuple((name, value) for name, old, value in
                       zip(FINDING_UPDATED_FIELDS, before, after, strict=True) if value != old)
        if values:
            groups.setdefault(values, []).append((pk, after))
    for values, findings in groups.items():
        if len(findings) == 1:
            single.append((findings[0], values))
            continue
        for start in range(0, len(findings), chunk):
            Finding.objects.filter(pk__in=[pk for pk, _after in findings[start:start + chunk]]) \
                .update(**dict(values))
    by_fields = {}
    for (pk, _after), values in single:
        by_fields.setdefault(tuple(name for name, _value in values), []).append(
            {"pk": pk, **dict(values)})
    for fields, rows in by_fields.items():
        update_rows(Finding, rows, fields)


def finding_accept(*, acting_user, finding: Finding, reason: str, owner, until,
                   request=None) -> Finding:
    """Accept an open finding as a risk, with a reason, an owner and an end date, after
    which it opens again."""
    with transaction.atomic():
        finding.status = Finding.Status.ACCEPTED
        finding.accepted_reason, finding.accepted_owner = reason, owner
        finding.accepted_until, finding.accepted_by = until, acting_user
        finding.save()
        audit.record("inventory.finding_accepted", actor=acting_user,
                     organisation=finding.organisation, obj=finding, request=request,
                     details={"règle": finding.rule, "jusqu'au": until.isoformat()})
        plan_sync(organisation=finding.organisation, acting_user=acting_user)
    return finding


def finding_reopen(*, acting_user, finding: Finding, request=None) -> Finding:
    with transaction.atomic():
        finding.status = Finding.Status.OPEN
        finding.save(update_fields=["status"])
        audit.record("inventory.finding_reopened", actor=acting_user,
                     organisation=finding.organisation, obj=finding, request=request,
                     details={"règle": finding.rule})
        plan_sync(organisation=finding.organisation, acting_user=acting_user)
    return finding
