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
import itertools
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from pharmagarde.core import audit
from pharmagarde.core.models import Person

from . import tables
from .models import Account, Device, ImportBatch, ItemChange
from .parsers.ad import read_ad_export
from .parsers.errors import ImportFileError
from .parsers.nmap import read_nmap
from .services import findings_recompute, insert_rows, update_rows

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
        rows = _ad_rows(export.records(), organisation)
    except ImportFileError as error:
        return Prepared(errors=[(error.line, error.message)])
    if export.errors:
        return Prepared(errors=export.errors[:MAX_SHOWN_ERRORS], warnings=export.warnings)
    batch = ImportBatch.objects.create(
        organisation=organisation, source=ImportBatch.Source.AD, filename=filename[:200],
        created_by=acting_user, rows=rows,
        summary={"format": export.format, "new": sum(not r["existing"] for r in rows),
                 "updated": sum(bool(r["existing"]) for r in rows),
                 "admins": sum(r["is_admin"] for r in rows),
                 "unmatched": sum(r["holder"] is None for r in rows),
                 "to_review": sum(bool(r["candidates"]) for r in rows)},
        warnings=export.warnings)
    return Prepared(batch=batch, warnings=export.warnings)


def _ad_rows(records, organisation) -> list[dict]:
    """The batch's rows: each record with its holder (or the candidates) and the account
    it updates."""
    existing = {login.lower(): pk for login, pk in Account.objects.filter(
        organisation=organisation, system=Account.System.WINDOWS).values_list("login", "pk")}
    people = PeopleIndex(organisation)
    rows, seen = [], set()
    for record in records:
        login = record.login.strip()
        if not login or login.lower() in seen:
            continue
        seen.add(login.lower())
        holder, matched_by = people.match(record.email, record.first_name, record.last_name)
        candidates = [] if holder else people.candidates(login, record.first_name,
                                                          record.last_name)
        current = existing.get(login.lower())
        rows.append({
            "line": record.line, "login": login, "name": record.display_name,
            "enabled": record.enabled, "is_admin": record.is_admin,
            "last_used": _date(record.last_logon),
            "password_last_set": _date(record.password_last_set),
            "password_never_expires": record.password_never_expires,
            "holder": holder.pk if holder else None,
            "holder_label": str(holder) if holder else "", "matched_by": matched_by,
            "candidates": [[p.pk, str(p)] for p in candidates],
            "existing": current,
        })
    return rows


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
    for row in batch.rows:
        chosen = choices.get(row["login"])
        if chosen and int(chosen) in {pk for pk, _label in row.get("candidates", ())}:
            row["holder"] = int(chosen)


def _insert_with_keys(model, organisation, items, chunk=5000):
    """Insert new items with one prepared statement (services.insert_rows), then read
    their primary keys back by their import key, which is unique in a batch: bulk_create
    would cut 100,000 accounts into 1,700 statements on SQLite."""
    insert_rows(model, items)
    by_key = {item.import_key: item for item in items}
    keys = list(by_key)
    for start in range(0, len(keys), chunk):
        for key, pk in model.objects.filter(
                organisation=organisation, import_key__in=keys[start:start + chunk]) \
                .values_list("import_key", "pk"):
            by_key[key].pk = pk
            by_key[key]._state.adding = False


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


def _apply_ad(batch, acting_user):
    organisation = batch.organisation
    existing = _existing(Account, organisation, batch.rows)
    people = set(Person.objects.filter(organisation=organisation).values_list("pk", flat=True))
    new, changed, history = [], [], []
    for row in batch.rows:
        # organisation_id, not organisation: the descriptor's checks cost a second over
        # 100,000 rows.
        account = existing.get(row["existing"]) or Account(
            organisation_id=organisation.pk, system=Account.System.WINDOWS,
            login=row["login"])
        values = {
            "enabled": bool(row["enabled"]) if row["enabled"] is not None else account.enabled,
            "is_admin": row["is_admin"],
            "last_used": _parse(row["last_used"]), "password_last_set":
            _parse(row["password_last_set"]),
            "password_never_expires": row["password_never_expires"],
            "import_key": f"ad:{row['login'].lower()}"[:200],
        }
        if row["holder"] in people and account.holder_id is None:
            values["holder_id"] = row["holder"]
        _merge(account, values, new, changed, history)
    _insert_with_keys(Account, organisation, new)
    update_rows(Account, changed, ["enabled", "is_admin", "last_used", "password_last_set",
                                   "password_never_expires", "import_key", "holder_id",
                                   "revision"])
    return new, history


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
    return new, history


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
        return value.strftime("%d/%m/%Y")
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
        else:
            apply = _apply_ad if batch.source == ImportBatch.Source.AD else _apply_nmap
            new, history = apply(batch, acting_user)
        actor_id = getattr(acting_user, "pk", None)
        changes = itertools.chain(
            (ItemChange(organisation_id=batch.organisation_id,
                        item_type=item._meta.model_name, item_id=item.pk,
                        item_label=str(item)[:200], action=ItemChange.Action.IMPORTED,
                        actor_id=actor_id, changes={"source": ["", batch.filename]})
             for item in new),
            (ItemChange(organisation_id=batch.organisation_id,
                        item_type=item._meta.model_name, item_id=item.pk,
                        item_label=str(item)[:200], action=ItemChange.Action.IMPORTED,
                        actor_id=actor_id, changes=diff)
             for item, diff in history))
        # A thousand history rows at a time: 100,000 of them at once would weigh more than
        # the accounts they describe.
        while chunk := list(itertools.islice(changes, 1000)):
            insert_rows(ItemChange, chunk)
        batch.applied_at = timezone.now()
        batch.summary = {**batch.summary, "created": len(new), "changed": len(history)}
        # Let the recomputation below reuse the memory of the rows and items written.
        batch.rows, new, history = [], (), ()
        batch.save(update_fields=["applied_at", "summary"])
        audit.record("inventory.imported", actor=acting_user, organisation=batch.organisation,
                     request=request, details={"source": batch.get_source_display(),
                                               "fichier": batch.filename,
                                               "ajoutés": batch.summary["created"],
                                               "modifiés": batch.summary["changed"]})
        findings_recompute(organisation=batch.organisation, acting_user=acting_user)
    return batch.summary
