"""Spreadsheet imports (CSV or Excel) of people, accounts and devices, with a column mapping
step remembered per organisation, a downloadable template, one error per row, and all or
nothing.

1. `read_upload` reads the file (parsers/tabular.py) into an ImportBatch: its columns and
   raw rows. Nothing else is written.
2. The person maps each field of the target to a column of the file; `guess_mapping`
   pre-fills it from the organisation's last mapping (ColumnMapping), then from the column
   titles.
3. `check_rows` turns the raw rows into values with the mapping: any error (a date that is
   not one, an unknown type) is reported with its line, and the import cannot go on until
   the file is fixed. Otherwise the batch holds the rows to write and their effect (added,
   updated), for the preview.
4. `apply_rows` writes them in one transaction (importers.batch_apply).

A re-import updates: people are matched on their e-mail, then first and last name;
accounts on their system and login; devices on their name.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from pharmagarde.core.models import Person
from pharmagarde.lib.spreadsheet import csv_lines

from .models import Account, ColumnMapping, Device, ImportBatch
from .parsers.errors import ImportFileError
from .parsers.tabular import parse_bool, parse_datetime, read_table

MAX_ROWS = 50_000
MAX_SHOWN_ERRORS = 50


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # the template's column title, and what the mapping step shows
    kind: str = "text"  # text, bool, date, choice, email
    required: bool = False
    aliases: tuple[str, ...] = ()  # other column titles that mean this field


TARGETS = {
    "personnel": (
        Field("last_name", "Nom", required=True, aliases=("surname", "nom de famille")),
        Field("first_name", "Prénom", required=True, aliases=("givenname", "prenom")),
        Field("email", "Adresse e-mail", "email", aliases=("email", "mail", "courriel",
                                                          "emailaddress")),
        Field("job", "Fonction", aliases=("poste", "metier", "title")),
        Field("arrival_date", "Date d'arrivée", "date", aliases=("arrivee", "entree")),
        Field("departure_date", "Date de départ", "date", aliases=("depart", "sortie")),
    ),
    "comptes": (
        Field("login", "Identifiant", required=True, aliases=("login", "samaccountname",
                                                             "utilisateur", "compte")),
        Field("system", "Système", "choice", aliases=("application", "logiciel")),
        Field("holder_email", "E-mail du titulaire", "email", aliases=("email", "mail")),
        Field("is_admin", "Administrateur", "bool", aliases=("admin",)),
        Field("mfa", "Double authentification", "bool", aliases=("mfa", "2fa")),
        Field("enabled", "Actif", "bool", aliases=("enabled", "active")),
        Field("last_used", "Dernière utilisation", "date", aliases=("lastlogondate",
                                                                   "derniere connexion")),
    ),
    "appareils": (
        Field("name", "Nom", required=True, aliases=("hostname", "nom de l'appareil",
                                                    "ordinateur")),
        Field("kind", "Type", "choice"),
        Field("os_name", "Système", aliases=("os", "operatingsystem", "systeme d'exploitation")),
        Field("os_version", "Version du système", aliases=("version", "operatingsystemversion")),
        Field("last_update", "Dernière mise à jour", "date", aliases=("mise a jour",)),
        Field("disk_encrypted", "Disque chiffré", "bool", aliases=("bitlocker", "chiffrement")),
        Field("antivirus", "Antivirus", "bool"),
        Field("location", "Emplacement", aliases=("lieu", "site")),
        Field("ip_address", "Adresse IP", aliases=("ip", "ipv4address", "adresse")),
        Field("mac_address", "Adresse MAC", aliases=("mac",)),
    ),
}
TARGET_LABELS = {"personnel": _("Personnel"), "comptes": _("Comptes"),
                 "appareils": _("Appareils")}
CHOICES = {("comptes", "system"): Account.System, ("appareils", "kind"): Device.Kind}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


def template_csv(target: str):
    """The lines of an empty template: the column titles, as French Excel opens them."""
    return csv_lines([field.label for field in TARGETS[target]], [])


def read_upload(*, acting_user, organisation, target, file, filename) -> ImportBatch:
    """Read the file into a batch (raw rows); ImportFileError if it cannot be read."""
    table = read_table(file, filename=filename, max_rows=MAX_ROWS)
    rows = [{"line": line, "cells": values} for line, values in table.rows()]
    if not rows:
        raise ImportFileError(_("Le fichier ne contient aucune ligne après les titres des "
                                "colonnes."))
    return ImportBatch.objects.create(
        organisation=organisation, source=ImportBatch.Source.TABLE, filename=filename[:200],
        created_by=acting_user, rows=rows,
        summary={"target": target, "columns": table.columns, "stage": "mapping"})


def guess_mapping(organisation, target, columns) -> dict[str, str]:
    """{field name: column, or "" for « ne pas importer »}: the organisation's last mapping
    where its columns are still there, then the columns whose title matches a field's label
    or aliases."""
    remembered = ColumnMapping.objects.filter(organisation=organisation, target=target).first()
    mapping = {}
    if remembered:
        # A field the person chose not to import ("") stays so.
        mapping = {name: column for name, column in remembered.mapping.items()
                   if column == "" or column in columns}
    by_title = {_fold(column): column for column in columns}
    for field in TARGETS[target]:
        if field.name in mapping:
            continue
        for title in (field.label, field.name, *field.aliases):
            if _fold(title) in by_title:
                mapping[field.name] = by_title[_fold(title)]
                break
    return mapping


def _value(field, target, raw):
    raw = (raw or "").strip()
    if field.kind == "bool":
        return parse_bool(raw)
    if field.kind == "date":
        value = parse_datetime(raw)
        if isinstance(value, datetime.datetime):
            value = value.date()
        return value.isoformat() if value else None
    if field.kind == "choice":
        if not raw:
            return None
        choices = CHOICES[(target, field.name)]
        for value, label in choices.choices:
            if _fold(raw) in (_fold(value), _fold(label)):
                return value
        raise ValueError(_("« %(value)s » n'est pas un %(field)s connu ; valeurs possibles : "
                           "%(choices)s.") % {
            "value": raw[:40], "field": field.label.lower(),
            "choices": ", ".join(str(label) for _value, label in choices.choices)})
    if field.kind == "email" and raw and "@" not in raw:
        raise ValueError(_("« %(value)s » n'est pas une adresse e-mail.") % {"value": raw[:60]})
    # A cell that looks like a formula (=, +, -, @) is kept as text: it is never run here,
    # and every export escapes it again (lib/spreadsheet.py).
    return raw[:150]


def check_rows(batch: ImportBatch, mapping: dict[str, str]) -> list[tuple[int, str]]:
    """Convert the batch's raw rows with the mapping; store them ready to write and return
    [] when every row is right, else [(line, French message)] and store nothing."""
    target = batch.summary["target"]
    fields = TARGETS[target]
    errors = []
    for field in fields:
        if field.required and not mapping.get(field.name):
            errors.append((None, _("Choisissez la colonne de « %(field)s » : elle est "
                                   "obligatoire.") % {"field": field.label}))
    if errors:
        return errors
    converted = []
    for row in batch.rows:
        values, problems = {}, []
        for field in fields:
            column = mapping.get(field.name)
            if not column:
                continue
            try:
                values[field.name] = _value(field, target, row["cells"].get(column, ""))
            except ValueError as error:
                problems.append(f"{field.label} : {error}")
        for field in fields:
            if field.required and not values.get(field.name):
                problems.append(_("%(field)s : obligatoire, la cellule est vide.")
                                % {"field": field.label})
        if problems:
            errors.append((row["line"], " ; ".join(problems)))
            if len(errors) >= MAX_SHOWN_ERRORS:
                break
        converted.append({"line": row["line"], "values": values})
    if errors:
        return errors
    _match(batch.organisation, target, converted)
    batch.rows = converted
    batch.summary = {**batch.summary, "stage": "preview", "mapping": mapping,
                     "new": sum(not r["existing"] for r in converted),
                     "updated": sum(bool(r["existing"]) for r in converted)}
    batch.save(update_fields=["rows", "summary"])
    ColumnMapping.objects.update_or_create(organisation=batch.organisation, target=target,
                                           defaults={"mapping": mapping})
    return []


def _match(organisation, target, rows):
    """Give each row the id of the item it updates, or None; two rows for the same item
    keep the last one."""
    if target == "personnel":
        people = list(Person.objects.filter(organisation=organisation))
        by_email = {p.email.lower(): p.pk for p in people if p.email}
        by_name = {(_fold(p.first_name), _fold(p.last_name)): p.pk for p in people}
        for row in rows:
            v = row["values"]
            row["existing"] = by_email.get((v.get("email") or "").lower()) or by_name.get(
                (_fold(v.get("first_name")), _fold(v.get("last_name"))))
    elif target == "comptes":
        accounts = {(a.system, a.login.lower()): a.pk
                    for a in Account.objects.filter(organisation=organisation)}
        for row in rows:
            v = row["values"]
            row["existing"] = accounts.get((v.get("system") or Account.System.AUTRE,
                                            v["login"].lower()))
    else:
        devices = {d.name.lower(): d.pk for d in Device.objects.filter(organisation=organisation)}
        for row in rows:
            row["existing"] = devices.get(row["values"]["name"].lower())


def apply_rows(batch: ImportBatch):
    """Write the checked rows of a batch: (new items, [(item, {field: [before, after]})]).
    Called by importers.batch_apply, inside its transaction."""
    target = batch.summary["target"]
    organisation = batch.organisation
    model = {"personnel": Person, "comptes": Account, "appareils": Device}[target]
    existing = {item.pk: item for item in model.objects.filter(
        organisation=organisation, pk__in=[r["existing"] for r in batch.rows if r["existing"]])}
    people = {}
    if target == "comptes":
        people = {p.email.lower(): p.pk for p in Person.objects.filter(organisation=organisation)
                  if p.email}
    new, history = [], []
    for row in batch.rows:
        values = dict(row["values"])
        if target == "comptes":
            email = (values.pop("holder_email", None) or "").lower()
            if email in people:
                values["holder_id"] = people[email]
            values.setdefault("system", None)
            values["system"] = values["system"] or Account.System.AUTRE
        for name in [n for n, v in values.items() if v is None]:
            field = model._meta.get_field(name.removesuffix("_id"))
            if not field.null:
                values.pop(name)  # an empty cell leaves the default (or the current value)
        for name, value in list(values.items()):
            if value and model._meta.get_field(name.removesuffix("_id")).get_internal_type() \
                    == "DateField":
                values[name] = datetime.date.fromisoformat(value)
        item = existing.get(row["existing"]) or model(organisation=organisation)
        before = {name: getattr(item, name) for name in values}
        for name, value in values.items():
            setattr(item, name, value)
        if item.pk is None:
            item.save()
            new.append(item)
        elif before != values:
            if hasattr(item, "revision"):
                item.revision += 1
            item.save()
            history.append((item, {name: [str(before[name] or ""), str(value or "")]
                                   for name, value in values.items()
                                   if before[name] != value}))
    return new, history
