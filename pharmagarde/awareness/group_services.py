"""Staff groups: saving one by hand, and importing the directory's groups from a CSV file.

The CSV has two columns, « groupe ; adresse e-mail » (or « groupe,email »): what an Active
Directory or Excel export gives. French Excel writes `;` and Windows-1252, so both
separators and both encodings are read. Each address must be a person of the staff
directory (core.Person.email, case ignored). The import is all or nothing: one bad line and
nothing changes, every error given with its line number. A group named in the file becomes
exactly the people the file lists for it (kind « annuaire »); other groups are untouched.

A cell is only ever read as text: a « =FORMULE » is never evaluated, and its leading
formula characters are dropped so that a later spreadsheet export cannot run it either."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.models import Person

from .models import StaffGroup

MAX_BYTES = 1_000_000
MAX_ROWS = 20_000
FORMULA_START = "=+-@\t\r"


class GroupNameTaken(ValidationError):
    pass


def group_save(*, acting_user, organisation, name: str, kind: str, members,
               group: StaffGroup | None = None, request=None) -> StaffGroup:
    """Create or update a group with exactly `members` (people of the organisation)."""
    if any(person.organisation_id != organisation.pk for person in members):
        raise ValueError("Les membres doivent être du personnel de la structure.")
    try:
        with transaction.atomic():
            if group is None:
                group = StaffGroup.objects.create(organisation=organisation, name=name,
                                                  kind=kind)
            elif (group.name, group.kind) != (name, kind):
                group.name, group.kind = name, kind
                group.save(update_fields=["name", "kind"])
            group.members.set(members)
            audit.record("awareness.group_saved", actor=acting_user,
                         organisation=organisation, obj=group, request=request,
                         details={"nom": name, "membres": len(members)})
    except IntegrityError:
        raise GroupNameTaken(_("Un groupe de ce type porte déjà ce nom.")) from None
    return group


@dataclass
class GroupChange:
    name: str
    new: bool
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    total: int = 0


@dataclass
class ImportPlan:
    """What the file asks for: each group's members (person ids), or the errors."""

    members: dict[str, set[int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rows: int = 0
    changes: list[GroupChange] = field(default_factory=list)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without its mark), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cell(value: str) -> str:
    return value.strip().lstrip(FORMULA_START).strip()


def _is_header(row: list[str]) -> bool:
    return len(row) >= 2 and "@" not in row[1]


def import_plan(text: str, organisation) -> ImportPlan:
    """Read the file's text and compare it with the groups of now. Two queries, and one
    per group of the file for the current members."""
    plan = ImportPlan()
    if len(text.encode()) > MAX_BYTES:
        plan.errors.append(_("Le fichier dépasse 1 Mo : découpez-le."))
        return plan
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > MAX_ROWS:
        plan.errors.append(_("Plus de %(n)s lignes : découpez le fichier.") % {"n": MAX_ROWS})
        return plan
    people = {}
    for pk, email in Person.objects.filter(organisation=organisation).exclude(email="") \
            .values_list("pk", "email"):
        people.setdefault(email.strip().lower(), pk)
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if number == 1 and _is_header(row):
            continue
        plan.rows += 1
        if len(row) < 2:
            plan.errors.append(_("Ligne %(n)s : il faut deux colonnes, le groupe puis "
                                 "l'adresse e-mail.") % {"n": number})
            continue
        name, address = _cell(row[0])[:150], row[1].strip().lower()
        if not name:
            plan.errors.append(_("Ligne %(n)s : le nom du groupe est vide.") % {"n": number})
            continue
        try:
            validate_email(address)
        except ValidationError:
            plan.errors.append(_("Ligne %(n)s : « %(address)s » n'est pas une adresse "
                                 "e-mail.") % {"n": number, "address": _cell(row[1])[:100]})
            continue
        if address not in people:
            plan.errors.append(_("Ligne %(n)s : personne du personnel n'a l'adresse "
                                 "%(address)s. Ajoutez-la d'abord au personnel.")
                               % {"n": number, "address": address})
            continue
        plan.members.setdefault(name, set()).add(people[address])
    if not plan.errors and not plan.members:
        plan.errors.append(_("Le fichier ne contient aucune ligne « groupe ; adresse "
                             "e-mail »."))
    if not plan.errors:
        plan.changes = _changes(plan.members, organisation)
    return plan


def _changes(members: dict[str, set[int]], organisation) -> list[GroupChange]:
    existing = {group.name: group for group in StaffGroup.objects.filter(
        organisation=organisation, kind=StaffGroup.Kind.DIRECTORY,
        name__in=list(members)).prefetch_related("members")}
    wanted = set().union(*members.values())
    names = {person.pk: f"{person.first_name} {person.last_name}" for person in
             Person.objects.filter(pk__in=wanted).only("pk", "first_name", "last_name")}
    changes = []
    for name in sorted(members, key=str.casefold):
        group = existing.get(name)
        now = {person.pk: f"{person.first_name} {person.last_name}"
               for person in group.members.all()} if group else {}
        names.update(now)
        changes.append(GroupChange(
            name=name, new=group is None, total=len(members[name]),
            added=sorted(names[pk] for pk in members[name] - set(now)),
            removed=sorted(names[pk] for pk in set(now) - members[name])))
    return changes


def groups_import(*, acting_user, organisation, plan: ImportPlan, request=None) -> int:
    """Apply a plan without errors: each group of the file gets exactly its members. The
    number of groups written."""
    if plan.errors:
        raise ValueError("Un fichier avec des erreurs ne s'importe pas.")
    with transaction.atomic():
        for name, person_ids in plan.members.items():
            group, _created = StaffGroup.objects.get_or_create(
                organisation=organisation, kind=StaffGroup.Kind.DIRECTORY, name=name)
            group.members.set(person_ids)
        audit.record("awareness.groups_imported", actor=acting_user,
                     organisation=organisation, request=request,
                     details={"groupes": len(plan.members), "lignes": plan.rows})
    return len(plan.members)
