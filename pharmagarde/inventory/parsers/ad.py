"""Active Directory accounts from the exports people really make.

Two formats, recognised by their columns (case-insensitive, as PowerShell reads them):

- "get-aduser": `Get-ADUser -Filter * -Properties … | Export-Csv` from Windows PowerShell
  5.1: a `#TYPE …ADUser` first line unless -NoTypeInformation, every value quoted, `,` or `;`
  (-UseCulture on a French Windows), ASCII by default (accents become "?"), UTF-8 with BOM
  with -Encoding UTF8, dates in the culture of the machine ("01/02/2025 08:15:00" in French,
  "2/1/2025 8:15:00 AM" in English), True/False. MemberOf is exported as the text
  "Microsoft.ActiveDirectory.Management.ADPropertyValueCollection" unless expanded
  (`@{n='MemberOf';e={$_.MemberOf -join ';'}}`): a warning says how to export it.
- "adrecon": ADRecon's Users.csv (columns "UserName", "Must Change Password at Logon",
  "Password Never Expires", "Last Logon Date", "Password LastSet", "AdminCount", "Email",
  "First Name", "Last Name", "DistinguishedName"…), written with `Export-Csv -Encoding
  Default` (Windows-1252). It lists no groups: admins are told by AdminCount.

An account is an admin when one of its groups (the CN of each MemberOf DN) is a privileged
built-in group, in English or in French, or when adminCount is 1.

A bad value (a date, a yes/no) makes an error for its row, collected in `AdExport.errors`
as (line, French message), one per row; such a row yields no record. `warnings` says what
the file lacks for a full inventory (no groups, no logon dates…); the warnings found in
the rows themselves are added while records() is iterated.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pharmagarde.lib.messages import Message, _

from .errors import ImportFileError
from .tabular import parse_bool, parse_datetime, read_table

GET_ADUSER, ADRECON = "get-aduser", "adrecon"

# The record's fields and the columns that can hold them, by preference.
COLUMNS = {
    GET_ADUSER: {
        "login": ("SamAccountName",),
        "display_name": ("DisplayName", "Name", "CN"),
        "first_name": ("GivenName",),
        "last_name": ("Surname", "sn"),
        "email": ("EmailAddress", "mail"),
        "user_principal_name": ("UserPrincipalName",),
        "enabled": ("Enabled",),
        "last_logon": ("LastLogonDate", "lastLogonTimestamp", "LastLogon"),
        "password_last_set": ("PasswordLastSet", "pwdLastSet"),
        "password_never_expires": ("PasswordNeverExpires",),
        "groups": ("MemberOf",),
        "description": ("Description",),
        "created": ("whenCreated", "Created"),
        "distinguished_name": ("DistinguishedName",),
        "admin_count": ("adminCount",),
        "user_account_control": ("userAccountControl",),
    },
    ADRECON: {
        "login": ("UserName",),
        "display_name": ("Name",),
        "first_name": ("First Name",),
        "last_name": ("Last Name",),
        "email": ("Email",),
        "user_principal_name": ("UserPrincipalName",),
        "enabled": ("Enabled",),
        "last_logon": ("Last Logon Date",),
        "password_last_set": ("Password LastSet",),
        "password_never_expires": ("Password Never Expires",),
        "groups": ("MemberOf",),
        "description": ("Description",),
        "created": ("whenCreated",),
        "distinguished_name": ("DistinguishedName", "Distinguished Name"),
        "admin_count": ("AdminCount",),
        "user_account_control": ("UserAccountControl",),
    },
}
ADRECON_MARKERS = ("must change password at logon", "password lastset", "never logged in",
                   "logon age (days)")

ADMIN_GROUPS = (
    "Domain Admins", "Admins du domaine",
    # French Windows writes a typographic apostrophe; people retype a straight one.
    "Enterprise Admins", "Administrateurs de l’entreprise", "Administrateurs de l'entreprise",
    "Schema Admins", "Administrateurs du schéma",
    "Administrators", "Administrateurs",
    "Account Operators", "Opérateurs de compte",
    "Backup Operators", "Opérateurs de sauvegarde",
    "Server Operators", "Opérateurs de serveur",
)
UNEXPANDED = ("Microsoft.ActiveDirectory.Management.ADPropertyValueCollection",
              "System.Object[]")
MEMBER_OF_RECIPE = "@{n='MemberOf';e={$_.MemberOf -join ';'}}"

# userAccountControl flags, for exports that only have the raw attribute.
UAC_DISABLED, UAC_DONT_EXPIRE_PASSWORD = 0x2, 0x10000
# FILETIME (100 ns since 1601) of lastLogonTimestamp, pwdLastSet; 0 and the maximum mean
# "never".
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
FILETIME_NEVER = (0, 0x7FFFFFFFFFFFFFFF)
# An accent that an ASCII export turned into "?": "Fran?ois", "Invit?" in a name, only
# inside a word in a description (which may end a question).
REPLACED_IN_NAME = re.compile(r"\w\?")
REPLACED_IN_TEXT = re.compile(r"\w\?\w")


@dataclass(frozen=True, slots=True)
class AccountRecord:
    line: int
    login: str
    display_name: str
    first_name: str
    last_name: str
    email: str
    enabled: bool | None
    last_logon: datetime | None
    password_last_set: datetime | None
    password_never_expires: bool | None
    groups: tuple[str, ...]
    is_admin: bool
    description: str
    user_principal_name: str = ""
    distinguished_name: str = ""
    created: datetime | None = None


@dataclass
class AdExport:
    format: str
    columns: dict[str, str]  # record field -> column of the file
    warnings: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    _table: object = field(default=None, repr=False)

    def records(self):
        """The AccountRecord of each valid row, lazily; `errors` is refilled on each pass."""
        self.errors.clear()
        return _records(self)


def read_ad_export(file, *, filename):
    """The AdExport of a CSV or xlsx file, or ImportFileError if it is not an AD export."""
    table = read_table(file, filename=filename)
    by_key = {column.casefold(): column for column in table.columns}
    if "username" in by_key and any(marker in by_key for marker in ADRECON_MARKERS):
        export_format = ADRECON
    elif "samaccountname" in by_key:
        export_format = GET_ADUSER
    else:
        raise ImportFileError(Message(
            _("Ce fichier ne ressemble pas à un export Active Directory : il n'a ni colonne "
              "« SamAccountName » (Get-ADUser | Export-Csv) ni colonne « UserName » (Users.csv "
              "d'ADRecon). Colonnes trouvées : %(columns)s."),
            columns=", ".join(f"« {column} »" for column in table.columns[:12])
            + (" …" if len(table.columns) > 12 else "")), line=1)
    columns = {}
    for name, candidates in COLUMNS[export_format].items():
        for candidate in candidates:
            if candidate.casefold() in by_key:
                columns[name] = by_key[candidate.casefold()]
                break
    export = AdExport(format=export_format, columns=columns, _table=table)
    export.warnings.extend(_header_warnings(export_format, columns))
    return export


def _header_warnings(export_format, columns):
    warnings = []
    if "groups" not in columns:
        if export_format == ADRECON:
            if "admin_count" in columns:
                warnings.append(Message(_(
                    "Le fichier Users.csv d'ADRecon ne liste pas les groupes : les comptes "
                    "administrateurs sont repérés par la colonne « AdminCount » seulement.")))
            else:
                warnings.append(Message(_(
                    "Le fichier n'a ni colonne « MemberOf » ni colonne « AdminCount » : les "
                    "comptes administrateurs ne peuvent pas être repérés.")))
        elif "admin_count" not in columns:
            warnings.append(Message(
                _("Le fichier n'a pas de colonne « MemberOf » : les comptes administrateurs ne "
                  "peuvent pas être repérés. Ajoutez-la à l'export : Get-ADUser -Filter * "
                  "-Properties MemberOf,… | Select-Object …,%(recipe)s | Export-Csv …"),
                recipe=MEMBER_OF_RECIPE))
    if "last_logon" not in columns:
        warnings.append(Message(
            _("Le fichier n'a pas de colonne « %(column)s » : les comptes inactifs ne peuvent "
              "pas être repérés."),
            column="LastLogonDate" if export_format == GET_ADUSER else "Last Logon Date"))
    if "password_last_set" not in columns and "password_never_expires" not in columns:
        warnings.append(Message(
            _("Le fichier n'a pas de colonne « %(column)s » : l'ancienneté des mots de passe "
              "ne peut pas être évaluée."),
            column="PasswordLastSet" if export_format == GET_ADUSER else "Password LastSet"))
    if "enabled" not in columns and "user_account_control" not in columns:
        warnings.append(Message(_(
            "Le fichier n'a pas de colonne « Enabled » : les comptes désactivés ne peuvent pas "
            "être distingués des comptes actifs.")))
    return warnings


def _records(export):
    columns = export.columns
    # A row's problems are told in the order of the file's columns.
    position = {column: index for index, column in enumerate(export._table.columns)}
    seen_logins = {}
    warned_unexpanded = warned_accents = False
    text_fields = ("login", "display_name", "first_name", "last_name", "email",
                   "user_principal_name", "description", "distinguished_name")
    for line, row in export._table.rows():
        values = {name: row[column] for name, column in columns.items()}
        problems = []

        def read(name, parse, values=values, problems=problems):
            text = values.get(name, "")
            try:
                return parse(text)
            except ValueError as error:
                problems.append((position[columns[name]], Message(
                    _("Colonne « %(column)s » : %(problem)s"), column=columns[name],
                    problem=error.args[0])))
                return None

        login = values.get("login", "")
        if not login:
            problems.append((position[columns["login"]], Message(
                _("Colonne « %(column)s » vide : chaque compte doit avoir un identifiant."),
                column=columns["login"])))
        else:
            key = login.casefold()
            if key in seen_logins:
                problems.append((position[columns["login"]], Message(
                    _("L'identifiant « %(login)s » figure déjà ligne %(line)d : supprimez le "
                      "doublon."), login=login, line=seen_logins[key])))
            else:
                seen_logins[key] = line
        enabled = read("enabled", parse_bool)
        never_expires = read("password_never_expires", parse_bool)
        last_logon = read("last_logon", _ad_datetime)
        password_last_set = read("password_last_set", _ad_datetime)
        created = read("created", _ad_datetime)
        flags = read("user_account_control", _optional_int)
        if flags is not None:
            if "enabled" not in columns:
                enabled = not flags & UAC_DISABLED
            if "password_never_expires" not in columns:
                never_expires = bool(flags & UAC_DONT_EXPIRE_PASSWORD)
        admin_count = read("admin_count", _optional_int)

        member_of = values.get("groups", "")
        if member_of in UNEXPANDED:
            groups = ()
            if not warned_unexpanded:
                warned_unexpanded = True
                _warn(export, Message(
                    _("La colonne « %(column)s » contient « %(value)s » au lieu des groupes "
                      "(ligne %(line)d et suivantes) : les comptes administrateurs ne peuvent "
                      "pas être repérés. Exportez à nouveau en développant les groupes : "
                      "Get-ADUser -Filter * -Properties MemberOf,… | Select-Object "
                      "SamAccountName,…,%(recipe)s | Export-Csv …"),
                    column=columns["groups"], value=member_of, line=line,
                    recipe=MEMBER_OF_RECIPE))
        else:
            groups = split_member_of(member_of)

        if not warned_accents and (
                # One search over the names joined by a character that is neither a
                # letter nor « ? »: the same matches as one search per name.
                REPLACED_IN_NAME.search("\x1f".join([
                    values.get("login", ""), values.get("display_name", ""),
                    values.get("first_name", ""), values.get("last_name", "")]))
                or REPLACED_IN_TEXT.search(values.get("description", ""))):
            warned_accents = True
            _warn(export, Message(
                _("Des lettres accentuées semblent remplacées par « ? » (ligne %(line)d) : "
                  "l'export a été fait en ASCII. Relancez Export-Csv avec « -Encoding UTF8 »."),
                line=line))

        if problems:
            export.errors.append((line, Message(_("%(problems)s"),
                                                problems=" ".join(
                                                    message for _position, message
                                                    in sorted(problems)))))
            continue
        texts = {name: values.get(name, "") for name in text_fields}
        yield AccountRecord(
            line=line, enabled=enabled, last_logon=last_logon,
            password_last_set=password_last_set, password_never_expires=never_expires,
            groups=groups, is_admin=admin_count == 1 or any(map(is_admin_group, groups)),
            created=created, **texts)


def _warn(export, message):
    """Once, however many passes over the rows."""
    if message not in export.warnings:
        export.warnings.append(message)


def _optional_int(text):
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(Message(_("« %(value)s » n'est pas un nombre entier."),
                                 value=text[:60])) from None


def _ad_datetime(text):
    """A date as Export-Csv writes it, or a raw FILETIME (lastLogonTimestamp, pwdLastSet)."""
    text = text.strip()
    if text.isdigit() and len(text) >= 15 or text == "0":
        value = int(text)
        if value in FILETIME_NEVER:
            return None
        return FILETIME_EPOCH + timedelta(microseconds=value // 10)
    value = parse_datetime(text)
    if value is not None and value.year <= 1601:  # DateTime 0, "never"
        return None
    return value


# --- Groups ------------------------------------------------------------------------------

# Separators between DNs (a DN holds commas of its own); a backslash escapes.
STRONG_SEPARATORS = re.compile(r"(?<!\\)[;|\r\n]+")
COMMA = re.compile(r"(?<!\\),")
HEX_ESCAPES = re.compile(r"(?:\\[0-9A-Fa-f]{2})+")
CHAR_ESCAPE = re.compile(r"\\(.)")


@functools.lru_cache(maxsize=4096)  # accounts share the same few sets of groups
def split_member_of(text):
    """The group names (CN of each DN) of a MemberOf cell, in order, without repeats.

    Accepts DNs joined by `;`, `|`, line breaks or `,` (then a new DN starts at a CN= after
    a DC=), and plain group names."""
    text = text.strip()
    if not text:
        return ()
    parts = [part.strip() for part in STRONG_SEPARATORS.split(text) if part.strip()]
    names = []
    for part in parts:
        components = [component.strip() for component in COMMA.split(part)]
        if not any("=" in component for component in components):
            names.extend(_unescape(component) for component in components if component)
            continue
        previous = None
        for component in components:
            key, _sep, value = component.partition("=")
            key = key.strip().upper()
            # A DN begins the part; with commas between DNs, a new one begins after its DC=.
            if previous is None or (previous == "DC" and key != "DC" and len(parts) == 1):
                names.append(_unescape(value.strip()) if value else _unescape(component))
            previous = key
    return tuple(dict.fromkeys(name for name in names if name))


def _unescape(value):
    if "\\" not in value:
        return value

    def hex_bytes(found):
        raw = bytes.fromhex(found.group(0).replace("\\", ""))
        return raw.decode("utf-8", errors="replace")

    return CHAR_ESCAPE.sub(r"\1", HEX_ESCAPES.sub(hex_bytes, value))


def _fold(name):
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


ADMIN_KEYS = frozenset(_fold(name) for name in ADMIN_GROUPS)
# The same names once an ASCII export has replaced their accents by "?".
ADMIN_ASCII_KEYS = frozenset(
    "".join(char if char.isascii() else "?" for char in name).casefold()
    for name in ADMIN_GROUPS)


@functools.lru_cache(maxsize=4096)
def is_admin_group(name):
    """A privileged built-in group of Active Directory, in English or French."""
    return _fold(name) in ADMIN_KEYS or name.casefold() in ADMIN_ASCII_KEYS
