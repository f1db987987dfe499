"""Imports into the inventory: an Active Directory export or an nmap scan becomes accounts or
devices, all or nothing.

An import runs in two steps. `prepare_*` reads the file (parsers/), matches each record with
what the inventory already holds, and stores the result in an ImportBatch: the preview shows
it (what will be added, updated, what is wrong) and nothing else is written. `batch_apply`
then writes the batch in one transaction, keeps each item's history, and recomputes the
findings once. The batch lives in the database, so the preview and the confirmation may be
served by two different processes or machines.

A re-import updates: accounts are matched on their login, devices on their MAC address,
then their IP address, then their name.
"""

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.db import connections, router, transaction
from django.utils import timezone

from pharmagarde.core import audit
from pharmagarde.core.models import Person
from pharmagarde.lib.bulk import insert_rows, update_rows

from . import tables
from .models import Account, Device, ImportBatch, ItemChange, account_label
from .parsers.ad import read_ad_export
from .parsers.errors import ImportFileError
from .parsers.nmap import read_nmap
from .rules import fr_date
from .services import findings_recompute

MAX_SHOWN_ERRORS = 50


@dataclass
class Prepared:
    """What an import would do: the batch to confirm, or the reasons it cannot be."""

    batch: ImportBatch | None = None
    errors: list[tuple[int | None, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())


def _date(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat()


class PeopleIndex:
    """The staff directory, to attach an account to its holder: by e-mail first, then by
    first and last name. A name shared by two people attaches to nobody (to be reviewed)."""

    def __init__(self, organisation):
        self.by_email, self.by_name, ambiguous = {}, {}, set()
        self.by_name_all = []
        # Positions in by_name_all by last name, and by the logins a name makes (« jdupont »,
        # « jeandupont »): candidates() looks a row up instead of reading the whole staff.
        self.by_last, self.by_login = {}, {}
        for person in Person.objects.filter(organisation=organisation):
            first, last = _fold(person.first_name), _fold(person.last_name)
            if last:
                position = len(self.by_name_all)
                self.by_last.setdefault(last, []).append(position)
                for login in {f"{first[:1]}{last}".replace(" ", ""),
                              f"{first}{last}".replace(" ", "")}:
                    self.by_login.setdefault(login, []).append(position)
            self.by_name_all.append(((first, last), person))
            if person.email:
                self.by_email[person.email.lower()] = person
            key = (_fold(person.first_name), _fold(person.last_name))
            if key in self.by_name:
                ambiguous.add(key)
            self.by_name[key] = person
        for key in ambiguous:
            self.by_name[key] = None

    def match(self, email, first_name, last_name) -> tuple[Person | None, str]:
        if email and email.lower() in self.by_email:
            return self.by_email[email.lower()], "e-mail"
        key = (_fold(first_name), _fold(last_name))
        if all(key) and self.by_name.get(key):
            return self.by_name[key], "nom"
        return None, ""

    def candidates(self, login, first_name, last_name) -> list[Person]:
        """People an unmatched account may belong to, for the person to choose: the same
        last name, or a login made of an initial and a last name (« jdupont »)."""
        login = _fold(login).replace(".", " ").replace(" ", "")
        last = _fold(last_name)
        positions = set(self.by_login.get(login, ()))
        if last:
            positions.update(self.by_last.get(last, ()))
        return [self.by_name_all[position][1] for position in sorted(positions)[:5]]


def prepare_ad(*, acting_user, organisation, file, filename) -> Prepared:
    try:
        export = read_ad_export(file, filename=filename)
        # The records are matched as they are read (a 100,000-row export is not held twice
        # in memory); the rows are dropped if the file turns out to be wrong.
        rows, counts = _ad_rows(export.records(), organisation)
    except ImportFileError as error:
        return Prepared(errors=[(error.line, error.message)])
    if export.errors:
        return Prepared(errors=export.errors[:MAX_SHOWN_ERRORS], warnings=export.warnings)
    batch = ImportBatch.objects.create(
        organisation=organisation, source=ImportBatch.Source.AD, filename=filename[:200],
        created_by=acting_user, rows=rows, summary={"format": export.format, **counts},
        warnings=export.warnings)
    return Prepared(batch=batch, warnings=export.warnings)


# An AD batch's rows are kept as lists of values in this order, not as dicts: a 100,000-row
# export weighs a third less in memory, and its JSON half as much (no keys repeated).
AD_ROW = ("line", "login", "name", "enabled", "is_admin", "last_used", "password_last_set",
          "password_never_expires", "holder", "holder_label", "matched_by", "candidates",
          "existing")
(_AD_LOGIN, _AD_ENABLED, _AD_IS_ADMIN, _AD_LAST_USED, _AD_PASSWORD_SET, _AD_NEVER_EXPIRES,
 _AD_HOLDER, _AD_EXISTING) = (AD_ROW.index(name) for name in (
    "login", "enabled", "is_admin", "last_used", "password_last_set", "password_never_expires",
    "holder", "existing"))


def pack_ad_row(row: dict) -> list:
    """The packed form of a row given as a dict (AD_ROW's order)."""
    return [row[name] for name in AD_ROW]


def ad_row(values) -> dict:
    """One row of an AD batch as a dict (a batch prepared before packing holds dicts)."""
    return values if isinstance(values, dict) else dict(zip(AD_ROW, values, strict=True))


def preview_rows(batch: ImportBatch, rows) -> list[dict]:
    """Rows of a batch (a page of them) as the preview shows them."""
    if batch.source == ImportBatch.Source.AD:
        return [ad_row(values) for values in rows]
    return list(rows)


def review_rows(batch: ImportBatch, limit: int) -> list[dict]:
    """The first `limit` rows of an AD batch whose holder is to be chosen."""
    found = []
    for values in batch.rows:
        row = ad_row(values)
        if row["candidates"]:
            found.append(row)
            if len(found) == limit:
                break
    return found


def _ad_rows(records, organisation) -> tuple[list[list], dict]:
    """The batch's rows (packed, see AD_ROW): each record with its holder (or the
    candidates) and the account it updates; and their counts for the summary."""
    existing = {login.lower(): pk for login, pk in Account.objects.filter(
        organisation=organisation, system=Account.System.WINDOWS).values_list("login", "pk")}
    people = PeopleIndex(organisation)
    rows, seen = [], set()
    summary = dict.fromkeys(("new", "updated", "admins", "unmatched", "to_review"), 0)
    for record in records:
        login = record.login.strip()
        if not login or login.lower() in seen:
            continue
        seen.add(login.lower())
        holder, matched_by = people.match(record.email, record.first_name, record.last_name)
        candidates = [] if holder else people.candidates(login, record.first_name,
                                                          record.last_name)
        current = existing.get(login.lower())
        # Packed as it is read (AD_ROW's order): a dict per row, even for a moment, would
        # be the peak of memory.
        rows.append([
            record.line, login, record.display_name, record.enabled, record.is_admin,
            _date(record.last_logon), _date(record.password_last_set),
            record.password_never_expires, holder.pk if holder else None,
            str(holder) if holder else "", matched_by,
            [[p.pk, str(p)] for p in candidates], current,
        ])
        summary["new" if current is None else "updated"] += 1
        summary["admins"] += bool(record.is_admin)
        summary["unmatched"] += holder is None
        summary["to_review"] += bool(candidates)
    return rows, summary


def prepare_nmap(*, acting_user, organisation, file, filename) -> Prepared:
    try:
        scan = read_nmap(file)
    except ImportFileError as error:
        return Prepared(errors=[(error.line, error.message)])
    devices = list(Device.objects.filter(organisation=organisation))
    by_mac = {d.mac_address.lower(): d for d in devices if d.mac_address}
    by_ip = {d.ip_address: d for d in devices if d.ip_address}
    by_name = {d.name.lower(): d for d in devices}
    rows = []
    for host in scan.hosts:
        if host.status != "up":
            continue
        name = (host.hostnames[0] if host.hostnames else "") or host.ipv4 or host.ipv6
        current = (by_mac.get(host.mac.lower()) if host.mac else None) \
            or by_ip.get(host.ipv4 or host.ipv6) or by_name.get(name.lower())
        rows.append({
            "name": name[:150], "ip": host.ipv4 or host.ipv6 or None, "mac": host.mac,
            "mac_vendor": host.mac_vendor[:100], "os": host.os_name[:150],
            "ports": [{"port": p.port, "protocol": p.protocol, "service": p.service,
                       "product": p.product, "version": p.version} for p in host.ports],
            "existing": current.pk if current else None,
        })
    warnings = []
    if not scan.complete:
        warnings.append(
            f"Le fichier est incomplet (le scan a été interrompu) : {scan.incomplete_reason} "
            f"Seuls les {len(rows)} appareils lus en entier seront importés ; "
            f"{scan.skipped_incomplete} appareil(s) coupé(s) sont laissés de côté.")
    batch = ImportBatch.objects.create(
        organisation=organisation, source=ImportBatch.Source.NMAP, filename=filename[:200],
        created_by=acting_user, rows=rows, warnings=warnings,
        summary={"new": sum(not r["existing"] for r in rows),
                 "updated": sum(bool(r["existing"]) for r in rows),
                 "ports": sum(len(r["ports"]) for r in rows), "complete": scan.complete})
    return Prepared(batch=batch, warnings=warnings)


def review_holders(batch: ImportBatch, choices: dict) -> None:
    """The people chosen on the preview for uncertain accounts: {login: person id}. Only a
    proposed candidate is accepted."""
    for values in batch.rows:
        row = ad_row(values)
        chosen = choices.get(row["login"])
        if chosen and int(chosen) in {pk for pk, _label in row.get("candidates") or ()}:
            if isinstance(values, dict):
                values["holder"] = int(chosen)
            else:
                values[_AD_HOLDER] = int(chosen)


def _insert_recorded(model, organisation, rows, *, label, change, chunk=5000) -> int:
    """Insert new items given as rows ({field: value}, import_key included) with one
    prepared statement (lib.bulk.insert_rows), then write their history rows in the
    database itself, one INSERT … SELECT per chunk of import keys (unique in a batch):
    100,000 accounts are not read back to name each in its history. `label`: (column,
    suffix), the item's name as str(item) gives it (the column's value then the suffix);
    `change`: the history entry of each (imported()). Returns the number of items."""
    insert_rows(model, rows)
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    history = ItemChange._meta
    at, changes = history.get_field("at"), history.get_field("changes")
    columns = ", ".join(quote(history.get_field(name).column) for name in (
        "organisation", "item_type", "item_id", "item_label", "action", "actor", "at",
        "changes"))
    table, key = quote(model._meta.db_table), quote("import_key")
    column, suffix = label
    constants = [model._meta.model_name, suffix, change["action"], change["actor_id"],
                 at.get_db_prep_save(timezone.now(), connection),
                 changes.get_db_prep_save(change["changes"], connection)]
    keys = [row["import_key"] for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start:start + chunk]
            # Only quoted table and column names and the caller's constant expression go
            # into the text; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {quote(history.db_table)} ({columns}) "  # noqa: S608
                f"SELECT {quote('organisation_id')}, %s, {quote('id')}, "
                f"SUBSTR({quote(column)} || %s, 1, 200), %s, %s, %s, %s FROM {table} "
                f"WHERE {quote('organisation_id')} = %s "
                f"AND {key} IN ({', '.join(['%s'] * len(part))})",
                [*constants, organisation.pk, *part])
    return len(rows)


def _merge(item, values, new, changed, history):
    """Set `values` on an imported item and sort it: new, changed (revision claimed, its
    history noted as {field: [before, after]}), or left as it was."""
    before = {name: getattr(item, name) for name in values}
    for name, value in values.items():
        setattr(item, name, value)
    if item.pk is None:
        new.append(item)
    elif before != values:
        item.revision += 1
        changed.append(item)
        history.append((item, {name: [_show(before[name]), _show(value)]
                               for name, value in values.items() if before[name] != value}))


AD_FIELDS = ("enabled", "is_admin", "last_used", "password_last_set", "password_never_expires",
             "import_key", "holder_id")


AD_CHUNK = 5000


def _apply_ad(batch, acting_user):
    """Write the accounts of an AD batch and their history: (how many were added, how
    many changed). Accounts are handled as lists of values, not instances, and written
    AD_CHUNK at a time: an export brings 100,000 of them."""
    organisation = batch.organisation
    # The organisation's Windows accounts (those prepare_ad matched the rows with), in one
    # query rather than 100,000 ids in chunks: [*AD_FIELDS, revision, pk, login].
    fields = len(AD_FIELDS)
    existing = {values[fields + 1]: list(values) for values in Account.objects.filter(
        organisation=organisation, system=Account.System.WINDOWS)
        .values_list(*AD_FIELDS, "revision", "pk", "login").order_by()}
    people = set(Person.objects.filter(organisation=organisation).values_list("pk", flat=True))
    system = account_label("", Account.System.WINDOWS)  # str(account): " (Windows…)"
    change = imported(batch, acting_user)
    enabled_at, holder_at = AD_FIELDS.index("enabled"), AD_FIELDS.index("holder_id")
    new, changed, history = [], [], []
    created = updated = 0

    def flush():
        nonlocal created, updated
        created += _insert_recorded(Account, organisation, new, label=("login", system),
                                    change=change)
        updated += update_rows(Account, changed, [*AD_FIELDS, "revision"])
        _record_changes(batch, acting_user, history)
        new.clear(), changed.clear(), history.clear()

    for packed in batch.rows:
        row = packed if isinstance(packed, list) else pack_ad_row(packed)
        login, holder = row[_AD_LOGIN], row[_AD_HOLDER]
        account = existing.get(row[_AD_EXISTING]) if row[_AD_EXISTING] else None
        if row[_AD_ENABLED] is not None:
            enabled = bool(row[_AD_ENABLED])
        else:  # not in the export: as it was, enabled for a new account
            enabled = account[enabled_at] if account is not None else True
        if holder not in people:
            holder = None
        if account is not None and account[holder_at] is not None:
            holder = account[holder_at]  # a holder is never taken away nor replaced
        values = (enabled, row[_AD_IS_ADMIN], _parse(row[_AD_LAST_USED]),
                  _parse(row[_AD_PASSWORD_SET]), row[_AD_NEVER_EXPIRES],
                  f"ad:{login.lower()}"[:200], holder)
        if account is None:
            new.append({"organisation_id": organisation.pk, "system": Account.System.WINDOWS,
                        "login": login, **dict(zip(AD_FIELDS, values, strict=True))})
            continue
        diff = {}
        for index, value in enumerate(values):
            if account[index] != value:
                diff[AD_FIELDS[index]] = [_show(account[index]), _show(value)]
                account[index] = value
        if diff:
            account[fields] += 1  # the revision, for concurrent edits
            changed.append(account)  # the fields, the revision, the pk (then the login)
            history.append(("account", account[fields + 1], f"{account[fields + 2]}{system}",
                            diff))
        if len(new) + len(changed) >= AD_CHUNK:
            flush()
    flush()
    return created, updated


def imported(batch, acting_user) -> dict:
    """The history entry of an item an import adds (ItemChange fields)."""
    return {"organisation_id": batch.organisation_id, "action": ItemChange.Action.IMPORTED,
            "actor_id": getattr(acting_user, "pk", None),
            "changes": {"source": ["", batch.filename]}}


def _record_changes(batch, acting_user, history) -> int:
    """Write the history rows of the items an import changed: [(item type, pk, label,
    {field: [before, after]})], a thousand at a time."""
    change = imported(batch, acting_user)
    del change["changes"]
    return insert_rows(ItemChange, ({**change, "item_type": item_type, "item_id": pk,
                                     "item_label": label[:200], "changes": diff}
                                    for item_type, pk, label, diff in history),
                       batch_size=1000)


def _record_created(batch, acting_user, items) -> int:
    """Write the history rows of the items an import added (saved instances)."""
    change = imported(batch, acting_user)  # one "changes" object: converted once (lib.bulk)
    insert_rows(ItemChange, [{**change, "item_type": item._meta.model_name,
                              "item_id": item.pk, "item_label": str(item)[:200]}
                             for item in items], batch_size=1000)
    return len(items)


def _apply_nmap(batch, acting_user):
    organisation = batch.organisation
    existing = _existing(Device, organisation, batch.rows)
    new, changed, history = [], [], []
    for row in batch.rows:
        device = existing.get(row["existing"]) or Device(
            organisation=organisation, name=row["name"], kind=_guess_kind(row))
        values = {"ip_address": row["ip"], "open_ports": row["ports"],
                  "import_key": f"nmap:{(row['mac'] or row['ip'] or row['name']).lower()}"}
        if row["mac"]:
            values["mac_address"] = row["mac"][:17]
        if row["mac_vendor"]:
            values["mac_vendor"] = row["mac_vendor"]
        if row["os"] and not device.os_name:
            values["os_name"] = row["os"]
        _merge(device, values, new, changed, history)
    Device.objects.bulk_create(new, batch_size=1000)
    update_rows(Device, changed, ["ip_address", "open_ports", "import_key", "mac_address",
                                  "mac_vendor", "os_name", "revision"])
    return (_record_created(batch, acting_user, new),
            _record_changes(batch, acting_user, _described(history)))


def _described(history) -> list[tuple[str, int, str, dict]]:
    """[(item type, pk, label, changes)] of [(item, changes)]."""
    return [(item._meta.model_name, item.pk, str(item)[:200], diff) for item, diff in history]


def _existing(model, organisation, rows, chunk=5000):
    """{pk: item} of the organisation's items that the rows were matched with, fetched in
    chunks (a single `pk IN (…)` of 100,000 ids passes the limit on parameters of most
    SQLite builds, 32,766)."""
    ids = [row["existing"] for row in rows if row["existing"]]
    existing = {}
    for start in range(0, len(ids), chunk):
        existing.update((item.pk, item) for item in model.objects.filter(
            organisation=organisation, pk__in=ids[start:start + chunk]))
    return existing


def _guess_kind(row) -> str:
    """A first guess from the MAC vendor and the open ports; people correct it."""
    vendor = (row.get("mac_vendor") or "").lower()
    ports = {p["port"] for p in row.get("ports", ())}
    if any(word in vendor for word in ("synology", "qnap", "western digital")):
        return Device.Kind.NAS
    if any(word in vendor for word in ("hikvision", "dahua", "axis")):
        return Device.Kind.CAMERA
    if any(word in vendor for word in ("brother", "epson", "canon", "lexmark", "kyocera")) \
            or 9100 in ports or 631 in ports:
        return Device.Kind.PRINTER
    if any(word in vendor for word in ("sagemcom", "technicolor", "arcadyan", "freebox")):
        return Device.Kind.ROUTER
    if 3389 in ports or 445 in ports:
        return Device.Kind.WORKSTATION
    return Device.Kind.OTHER


def _parse(value):
    return datetime.date.fromisoformat(value) if value else None


def _show(value):
    if value is True:
        return "Oui"
    if value is False:
        return "Non"
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return fr_date(value)
    if isinstance(value, list):
        return ", ".join(str(p.get("port")) for p in value if isinstance(p, dict))
    return str(value)


def batch_apply(*, acting_user, batch: ImportBatch, request=None,
                review: dict | None = None) -> dict:
    """Write a prepared batch, all or nothing, once. `review`: the holders chosen for the
    uncertain accounts of an AD export ({login: person id})."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.applied_at is not None:
            return batch.summary
        if review and batch.source == ImportBatch.Source.AD:
            review_holders(batch, review)
        if batch.source == ImportBatch.Source.TABLE:
            if batch.summary.get("stage") != "preview":
                return batch.summary  # columns not mapped and checked yet
            new, history = tables.apply_rows(batch)
            created = _record_created(batch, acting_user, new)
            changed = _record_changes(batch, acting_user, _described(history))
            new = history = ()
        else:
            apply = _apply_ad if batch.source == ImportBatch.Source.AD else _apply_nmap
            created, changed = apply(batch, acting_user)
        batch.applied_at = timezone.now()
        batch.summary = {**batch.summary, "created": created, "changed": changed}
        # Let the recomputation below reuse the memory of the rows.
        batch.rows = []
        batch.save(update_fields=["applied_at", "summary"])
        audit.record("inventory.imported", actor=acting_user, organisation=batch.organisation,
                     request=request, details={"source": batch.get_source_display(),
                                               "fichier": batch.filename,
                                               "ajoutés": batch.summary["created"],
                                               "modifiés": batch.summary["changed"]})
        findings_recompute(organisation=batch.organisation, acting_user=acting_user)
    return batch.summary
