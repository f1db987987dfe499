"""Writes of the inventory: items with their history, findings recomputed after each change
(and handed to the action plan), risks accepted.

Every write of an item goes through here, so that its history (who, when, before/after) and
the findings never miss a change, whether it comes from a form, a bulk action or an import.
"""

import datetime

from django.db import connections, router, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict, claim_revision

from . import selectors
from .kinds import KINDS_BY_MODEL, Kind
from .models import Finding, ItemChange
from .plan_source import plan_sync
from .rules import RULES, run_rules


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
            value = value.strftime("%d/%m/%Y")
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
    with transaction.atomic():
        existing = {(f.rule, f.subject): f for f in
                    Finding.objects.select_for_update().filter(organisation=organisation)}
        new, changed = [], []
        for key, (rule, hit) in hits.items():
            finding = existing.get(key)
            if finding is None:
                new.append(Finding(organisation_id=organisation.pk, rule=rule.id,
                                   subject=hit.subject, subject_label=hit.label,
                                   detail=hit.detail[:300], severity=rule.severity,
                                   first_seen=now, last_seen=now))
                continue
            before = _finding_values(finding)
            finding.last_seen, finding.detail = now, hit.detail[:300]
            finding.subject_label, finding.severity = hit.label, rule.severity
            if finding.status == Finding.Status.RESOLVED:
                finding.status, finding.resolved_at = Finding.Status.OPEN, None
                counts["opened"] += 1
            elif (finding.status == Finding.Status.ACCEPTED and finding.accepted_until
                    and finding.accepted_until < today):
                finding.status = Finding.Status.OPEN
                counts["opened"] += 1
            else:
                counts["still"] += 1
            changed.append((finding, before))
        for key, finding in existing.items():
            if key not in hits and finding.status != Finding.Status.RESOLVED:
                before = _finding_values(finding)
                finding.status, finding.resolved_at = Finding.Status.RESOLVED, now
                changed.append((finding, before))
                counts["resolved"] += 1
        insert_rows(Finding, new)
        counts["opened"] += len(new)
        _findings_update(changed)
        plan_sync(organisation=organisation, acting_user=acting_user)
    return counts


FINDING_UPDATED_FIELDS = ("last_seen", "detail", "subject_label", "severity", "status",
                          "resolved_at")


def _finding_values(finding) -> dict:
    return {name: getattr(finding, name) for name in FINDING_UPDATED_FIELDS}


def _findings_update(changed, chunk=500):
    """Write the recomputed findings: those whose fields changed the same way (every finding
    still seen gets the same last_seen, every one resolved the same status and date) in one
    UPDATE … WHERE id IN (…) per chunk, the few left with bulk_update. bulk_update alone
    builds a CASE per field and row, seconds for a few thousand findings."""
    groups, single = {}, []
    for finding, before in changed:
        values = tuple((name, value) for name, value in _finding_values(finding).items()
                       if value != before[name])
        if values:
            groups.setdefault(values, []).append(finding)
    for values, findings in groups.items():
        if len(findings) == 1:
            single.append((findings[0], values))
            continue
        for start in range(0, len(findings), chunk):
            Finding.objects.filter(pk__in=[f.pk for f in findings[start:start + chunk]]) \
                .update(**dict(values))
    if single:
        fields = sorted({name for _finding, values in single for name, _value in values})
        update_rows(Finding, [finding for finding, _values in single], fields)


# Field types whose Python value is already what the database driver takes.
_PLAIN_TYPES = {"CharField", "TextField", "BooleanField", "IntegerField", "BigIntegerField",
                "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
                "SmallIntegerField", "ForeignKey", "GenericIPAddressField"}


def _converter(field, connection, *, adding):
    """A function item -> database value for one column, as field.get_db_prep_save(
    field.pre_save(item, adding)) gives, without its per-call cost for the plain types
    (a million calls for an import of 100,000 accounts)."""
    internal = field.get_internal_type()
    auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    attname = field.attname
    if internal in _PLAIN_TYPES and not auto:
        if internal == "GenericIPAddressField":
            return lambda item: getattr(item, attname) or None
        return lambda item: getattr(item, attname)
    if adding or auto:
        return lambda item: field.get_db_prep_save(field.pre_save(item, adding), connection)
    return lambda item: field.get_db_prep_save(getattr(item, attname), connection)


def insert_rows(model, objects, batch_size=2000):
    """Insert `objects` (new instances of `model`) as `bulk_create(objects)` would, when
    their primary keys are not needed afterwards: one prepared INSERT run with executemany.
    bulk_create compiles its SQL again for every batch (at most 999 parameters on SQLite:
    70 rows of a dozen columns), which costs more than the database's work."""
    connection = connections[router.db_for_write(model)]
    meta, quote = model._meta, connection.ops.quote_name
    columns = [field for field in meta.concrete_fields
               if not field.primary_key and not getattr(field, "generated", False)]
    convert = [_converter(field, connection, adding=True) for field in columns]
    names = ", ".join(quote(field.column) for field in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with transaction.atomic(using=connection.alias, savepoint=False), \
            connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            cursor.executemany(sql, [[value(item) for value in convert]
                                     for item in objects[start:start + batch_size]])


def update_rows(model, objects, fields, batch_size=2000):
    """Save `fields` of each of `objects` (saved instances of `model`): what
    `bulk_update(objects, fields)` writes, as one prepared UPDATE … WHERE id = %s run with
    executemany. bulk_update builds a CASE WHEN per field and row, which costs about a
    millisecond per row; this costs microseconds. Like bulk_update, it calls no save() and
    sends no signal, and an auto_now field changes only if it is named."""
    connection = connections[router.db_for_write(model)]
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    # Only the model's own table and column names, quoted, go into the text; every value
    # is a parameter.
    table, key = quote(meta.db_table), quote(meta.pk.column)
    convert = [_converter(field, connection, adding=False) for field in columns]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608
    with transaction.atomic(using=connection.alias, savepoint=False), \
            connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            cursor.executemany(sql, [[value(item) for value in convert] + [item.pk]
                                     for item in objects[start:start + batch_size]])


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
