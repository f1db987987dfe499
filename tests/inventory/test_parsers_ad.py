"""Active Directory exports as people really make them: Get-ADUser | Export-Csv from Windows
PowerShell 5.1 (French and English, UTF-8, Windows-1252, ASCII, UTF-16), ADRecon's
Users.csv; admins, stale accounts and never-expiring passwords; one error per bad row."""

import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from pharmagarde.inventory.parsers.ad import is_admin_group, read_ad_export, split_member_of
from pharmagarde.inventory.parsers.errors import ImportFileError

FILES = Path(__file__).parent / "files" / "parsers"
FRENCH_EXPORTS = ["get-aduser-fr-utf8bom.csv", "get-aduser-fr-cp1252.csv",
                  "get-aduser-outfile-utf16.csv"]


def export_of(name):
    with open(FILES / name, "rb") as file:
        export = read_ad_export(file, filename=name)
        return export, {record.login: record for record in export.records()}


def export_of_bytes(data, filename="users.csv"):
    export = read_ad_export(io.BytesIO(data), filename=filename)
    return export, list(export.records())


@pytest.mark.parametrize("name", FRENCH_EXPORTS)
def test_french_get_aduser_export(name):
    export, records = export_of(name)
    assert export.format == "get-aduser"
    assert export.errors == [] and export.warnings == []
    assert list(records) == ["Administrateur", "Invité", "jdupont", "mlefevre", "fcaron",
                             "svc-sauvegarde", "stagiaire"]
    jean = records["jdupont"]
    assert jean.line == 5
    assert (jean.display_name, jean.first_name, jean.last_name) == (
        "Jean Dupont", "Jean", "Dupont")
    assert jean.email == "jdupont@pharmacie-centrale.fr"
    assert jean.user_principal_name == "jdupont@pharmacie-centrale.local"
    assert jean.enabled is True
    assert jean.last_logon == datetime(2025, 2, 1, 8, 15)
    assert jean.password_last_set == datetime(2025, 1, 6, 8, 3, 51)
    assert jean.password_never_expires is False
    assert jean.groups == ("Pharmaciens", "Admins du domaine")
    assert jean.is_admin
    assert jean.description == "Pharmacien titulaire"
    assert jean.created == datetime(2019, 9, 2, 10, 11)
    # Admins: by their groups, in French, the typographic apostrophe included.
    assert records["Administrateur"].groups[2] == "Administrateurs de l’entreprise"
    assert {login for login, record in records.items() if record.is_admin} == {
        "Administrateur", "jdupont", "svc-sauvegarde"}
    # What the inventory flags: a stale account, passwords that never expire, a disabled
    # guest, an account never used.
    assert records["fcaron"].last_logon == datetime(2023, 6, 17, 12, 1, 33)
    assert records["fcaron"].last_name == "Caron" and records["fcaron"].first_name == "François"
    assert {login for login, record in records.items() if record.password_never_expires} == {
        "Administrateur", "Invité", "svc-sauvegarde"}
    assert records["Invité"].enabled is False
    assert records["stagiaire"].last_logon is None
    assert records["stagiaire"].groups == () and not records["stagiaire"].is_admin
    assert records["stagiaire"].email == "stagiaire@pharmacie-centrale.fr"
    assert records["Administrateur"].email == ""


def test_ascii_export_still_finds_the_admins_and_says_how_to_keep_accents():
    export, records = export_of("get-aduser-fr-ascii.csv")
    assert records["mlefevre"].last_name == "Lef?vre"
    assert records["svc-sauvegarde"].groups == ("Op?rateurs de sauvegarde",)
    assert {login for login, record in records.items() if record.is_admin} == {
        "Administrateur", "jdupont", "svc-sauvegarde"}
    assert len(export.warnings) == 1
    assert "-Encoding UTF8" in export.warnings[0] and "ligne 4" in export.warnings[0]


def test_unexpanded_member_of_is_a_warning_that_says_how_to_export():
    export, records = export_of("get-aduser-unexpanded-memberof.csv")
    assert export.format == "get-aduser"
    assert export.errors == []
    assert all(record.groups == () and not record.is_admin for record in records.values())
    unexpanded = [warning for warning in export.warnings if "MemberOf" in warning]
    assert len(unexpanded) == 1
    assert "Microsoft.ActiveDirectory.Management.ADPropertyValueCollection" in unexpanded[0]
    assert "@{n='MemberOf';e={$_.MemberOf -join ';'}}" in unexpanded[0]
    # English-locale dates, M/d/yyyy h:mm:ss tt.
    assert records["jdupont"].last_logon == datetime(2025, 2, 1, 8, 15)
    assert records["Administrateur"].last_logon == datetime(2025, 1, 28, 17, 42, 10)
    assert records["jdupont"].display_name == "Jean Dupont"


def test_a_second_pass_neither_repeats_warnings_nor_errors():
    with open(FILES / "get-aduser-unexpanded-memberof.csv", "rb") as file:
        export = read_ad_export(file, filename=file.name)
        first = list(export.records())  # the preview
        warnings = list(export.warnings)
        assert list(export.records()) == first  # the import
    assert export.warnings == warnings and len(warnings) == 2


def test_adrecon_users_csv():
    export, records = export_of("adrecon-users.csv")
    assert export.format == "adrecon"
    assert export.errors == []
    assert export.columns["login"] == "UserName"
    assert export.columns["last_logon"] == "Last Logon Date"
    assert len(export.warnings) == 1 and "AdminCount" in export.warnings[0]
    marie = records["mlefevre"]
    assert (marie.display_name, marie.first_name, marie.last_name) == (
        "Marie Lefèvre", "Marie", "Lefèvre")
    assert marie.email == "mlefevre@pharmacie-centrale.fr"
    assert marie.last_logon == datetime(2025, 1, 31, 18, 59, 2)
    assert marie.password_last_set == datetime(2024, 11, 12, 14, 20)
    assert marie.distinguished_name == (
        "CN=Marie Lefèvre,OU=Utilisateurs,DC=pharmacie-centrale,DC=local")
    assert {login for login, record in records.items() if record.is_admin} == {
        "Administrateur", "jdupont", "svc-sauvegarde"}
    assert records["svc-sauvegarde"].password_never_expires is True
    assert records["stagiaire"].last_logon is None


def test_each_bad_row_gets_one_french_error_and_no_record():
    data = (
        '"SamAccountName";"Enabled";"LastLogonDate";"PasswordNeverExpires";"MemberOf"\r\n'
        '"jdupont";"True";"01/02/2025 08:15:00";"False";""\r\n'
        '"mlefevre";"True";"hier";"peut-être";""\r\n'
        '"fcaron";"Oui";"31/02/2023 10:00:00";"Non";""\r\n'
        '"JDUPONT";"True";"";"False";""\r\n'
        '"";"True";"";"False";""\r\n'
        '"svc";"Faux";"";"Vrai";"CN=Backup Operators,CN=Builtin,DC=x,DC=local"\r\n'
    ).encode()
    export, records = export_of_bytes(data)
    assert [record.login for record in records] == ["jdupont", "svc"]
    assert records[1].enabled is False and records[1].is_admin
    assert [line for line, _message in export.errors] == [3, 4, 5, 6]
    messages = dict(export.errors)
    assert messages[3] == (
        "Colonne « LastLogonDate » : « hier » n'est pas une date reconnue (attendu : "
        "jj/mm/aaaa, éventuellement suivi de hh:mm:ss, ou aaaa-mm-jj). Colonne "
        "« PasswordNeverExpires » : « peut-être » n'est pas une valeur oui/non reconnue "
        "(attendu : Vrai ou Faux, Oui ou Non, True ou False, 1 ou 0).")
    assert "« peut-être »" in messages[3]
    assert "« 31/02/2023 10:00:00 »" in messages[4]
    assert "figure déjà ligne 2" in messages[5]
    assert "vide" in messages[6]
    # A second pass (preview, then import) finds the same errors, not twice as many.
    assert len(list(export.records())) == 2 and len(export.errors) == 4


def test_warnings_say_what_the_export_lacks():
    export, records = export_of_bytes(b'"SamAccountName","Name"\r\n"jdupont","Jean"\r\n')
    assert len(records) == 1 and records[0].enabled is None
    text = " ".join(export.warnings)
    for column in ("MemberOf", "LastLogonDate", "PasswordLastSet", "Enabled"):
        assert f"« {column} »" in text


def test_raw_attributes_filetime_user_account_control_and_admin_count():
    data = (
        b"samaccountname,lastLogonTimestamp,pwdLastSet,userAccountControl,adminCount,mail\r\n"
        b"jdupont,133828449000000000,0,66048,1,jean@pharmacie.fr\r\n"
        b"ancien,9223372036854775807,133000000000000000,514,,\r\n"
    )
    export, records = export_of_bytes(data)
    assert export.errors == []
    jean, old = records
    assert jean.last_logon == datetime(2025, 2, 1, 0, 55, tzinfo=UTC)
    assert jean.password_last_set is None  # 0: must change at next logon
    assert jean.enabled is True and jean.password_never_expires is True
    assert jean.is_admin and jean.email == "jean@pharmacie.fr"
    assert old.last_logon is None and old.enabled is False
    assert old.password_last_set.year == 2022 and not old.is_admin


def test_an_xlsx_export_is_read_too():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["SamAccountName", "Enabled", "LastLogonDate", "MemberOf"])
    sheet.append(["jdupont", True, datetime(2025, 2, 1, 8, 15),
                  "CN=Admins du domaine,CN=Users,DC=x,DC=local"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _export, records = export_of_bytes(buffer.getvalue(), "comptes.xlsx")
    assert records[0].enabled is True and records[0].is_admin
    assert records[0].last_logon == datetime(2025, 2, 1, 8, 15)


def test_a_file_that_is_not_an_ad_export_is_refused():
    with open(FILES / "devices-comma.csv", "rb") as file, \
            pytest.raises(ImportFileError) as caught:
        read_ad_export(file, filename="devices-comma.csv")
    message = caught.value.message
    assert "ne ressemble pas à un export Active Directory" in message
    assert "« Nom », « Type »" in message


def test_structural_problems_of_the_file_still_raise():
    with open(FILES / "hostile" / "nul-bytes.csv", "rb") as file, \
            pytest.raises(ImportFileError):
        read_ad_export(file, filename="x.csv")


@pytest.mark.parametrize(("text", "groups"), [
    ("", ()),
    ("CN=Domain Admins,CN=Users,DC=corp,DC=local;CN=Compta,OU=Groupes,DC=corp,DC=local",
     ("Domain Admins", "Compta")),
    # -join ',' (DNs hold commas: a new DN starts at the CN= after a DC=)
    ("CN=Domain Admins,CN=Users,DC=corp,DC=local,CN=Smith\\, J,OU=G,DC=corp,DC=local",
     ("Domain Admins", "Smith, J")),
    ("CN=A,OU=G,DC=x | CN=B,OU=G,DC=x", ("A", "B")),
    ("CN=A,OU=G,DC=x\r\nCN=Op\\C3\\A9rateurs de compte,CN=Builtin,DC=x",
     ("A", "Opérateurs de compte")),
    ("Admins du domaine;Pharmaciens;Admins du domaine", ("Admins du domaine", "Pharmaciens")),
    ("Domain Admins,Pharmaciens", ("Domain Admins", "Pharmaciens")),
])
def test_split_member_of(text, groups):
    assert split_member_of(text) == groups


@pytest.mark.parametrize(("name", "admin"), [
    ("Domain Admins", True), ("admins du domaine", True), ("Enterprise Admins", True),
    ("Administrateurs de l’entreprise", True), ("Administrateurs de l'entreprise", True),
    ("Administrateurs de l?entreprise", True), ("Schema Admins", True),
    ("Administrateurs du schéma", True), ("Administrateurs du sch?ma", True),
    ("ADMINISTRATEURS DU SCHEMA", True), ("Administrators", True), ("Administrateurs", True),
    ("Account Operators", True), ("Opérateurs de compte", True), ("Backup Operators", True),
    ("Opérateurs de sauvegarde", True), ("Server Operators", True),
    ("Opérateurs de serveur", True), ("Utilisateurs du domaine", False),
    ("Pharmaciens", False), ("Administrateurs DNS", False), ("Administrateur", False),
])
def test_is_admin_group(name, admin):
    assert is_admin_group(name) is admin
