"""Tables from CSV and xlsx files, streamed, with what people's exports really hold.

CSV (.csv, .txt):
- encoding: UTF-8 with or without BOM, UTF-16 with BOM (PowerShell's `Out-File`,
  `Export-Csv -Encoding Unicode`), else Windows-1252 (Excel's "CSV" on a French Windows,
  `Export-Csv -Encoding Default`). The file is read once by chunks to decide (an accent may
  first appear on line 90 000) and to refuse binary content, then streamed again, through
  io.TextIOWrapper, each time rows() is iterated;
- delimiter: `,`, `;` or tab, whichever the header line holds most of (outside quotes);
- a first line `#TYPE …`, written by Windows PowerShell 5.1's Export-Csv, is skipped.

xlsx: the container is checked first by lib.uploads.check_file (layout, zip bombs from the
declared sizes), then the first worksheet is read with openpyxl in read-only mode. Values
come back as text; formulas are never evaluated: a formula cell gives its formula
("=SUM(A1:A3)") as literal text, as does any text starting with = + - @: the caller escapes
them when it exports them again (lib.spreadsheet.escape_formula).

Refused with ImportFileError: binary content (NUL bytes included, with the line), empty file,
no header, an empty or duplicated column title, more than `max_rows` rows, a row with more
cells than the header (with the line).
"""

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import PurePath

from pharmagarde.lib.messages import Message, _
from pharmagarde.lib.uploads import UploadError, check_file

from .errors import ImportFileError

CHUNK_BYTES = 64 * 1024
MAX_COLUMNS = 1_000
# The xlsx container: what check_file accepts, within this size; and openpyxl holds all the
# shared strings in memory, so their part is bounded on its own.
MAX_XLSX_BYTES = 100 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024

CSV_EXTENSIONS = (".csv", ".txt")
XLSX_EXTENSIONS = (".xlsx",)
DELIMITERS = (";", ",", "\t")  # on a tie, the French one first
DELIMITER_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}

UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ZIP_SIGNATURE = b"PK\x03\x04"
# Control characters that no text holds (tab, line feed, form feed and carriage return are
# text); single bytes in UTF-8 and Windows-1252 alike.
BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
BINARY_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
TYPE_LINE = "#TYPE"


def _thousands(number):
    """12 345, as French writes it."""
    return f"{number:,}".replace(",", " ")


# --- Tables ------------------------------------------------------------------------------

@dataclass
class Table:
    """A table read from a file. `rows()` reads the file again each time it is iterated.

    `delimiter` and `encoding` are None for xlsx; `type_name` is the type named by a
    PowerShell `#TYPE` first line ("Microsoft.ActiveDirectory.Management.ADUser"), if any.
    """

    columns: list[str]
    delimiter: str | None
    encoding: str | None
    type_name: str | None = None
    _source: object = field(default=None, repr=False)

    def rows(self):
        """(line number in the file, {column: text}) for each non-blank row, lazily.

        Cells are stripped of surrounding spaces; a row shorter than the header is padded
        with "". Raises ImportFileError (with its line) for a row with more cells than the
        header, a malformed row, or one row too many."""
        return self._source.rows(self.columns)


def read_table(file, *, filename, max_rows=200_000):
    """The Table of a .csv, .txt or .xlsx binary file object, or ImportFileError."""
    extension = PurePath(filename or "").suffix.lower()
    if extension in CSV_EXTENSIONS:
        source = _CsvSource(file, max_rows)
    elif extension in XLSX_EXTENSIONS:
        source = _XlsxSource(file, filename, max_rows)
    else:
        raise ImportFileError(Message(_(
            "Ce type de fichier n'est pas accepté pour un import. Enregistrez le tableau au "
            "format CSV (.csv) ou Excel (.xlsx).")))
    columns, type_name = source.header()
    return Table(columns=columns, delimiter=source.delimiter, encoding=source.encoding,
                 type_name=type_name, _source=source)


def _check_header(cells, line):
    """The column titles, stripped; trailing empty titles dropped (extra separators)."""
    columns = [cell.strip().lstrip("\ufeff").strip() for cell in cells]
    while columns and not columns[-1]:
        columns.pop()
    if not columns:
        raise ImportFileError(Message(_(
            "Le fichier ne contient pas de ligne d'en-tête. La première ligne doit donner le "
            "titre de chaque colonne.")), line=line)
    if len(columns) > MAX_COLUMNS:
        raise ImportFileError(Message(
            _("La ligne d'en-tête compte %(count)s colonnes, au-delà des %(limit)s acceptées. "
              "Ne gardez que les colonnes utiles."),
            count=_thousands(len(columns)), limit=_thousands(MAX_COLUMNS)), line=line)
    for position, title in enumerate(columns, start=1):
        if not title:
            raise ImportFileError(Message(
                _("La colonne n° %(position)d de la ligne d'en-tête (ligne %(line)d) n'a pas "
                  "de titre. Donnez-lui un titre ou supprimez-la."),
                position=position, line=line), line=line)
    seen, duplicates = set(), []
    for title in columns:
        key = title.casefold()
        if key in seen and title not in duplicates:
            duplicates.append(title)
        seen.add(key)
    if duplicates:
        raise ImportFileError(Message(
            _("La ligne d'en-tête (ligne %(line)d) contient plusieurs colonnes du même nom : "
              "%(names)s. Renommez ou supprimez les colonnes en double."),
            line=line, names=", ".join(f"« {name} »" for name in duplicates)), line=line)
    return columns


def _too_many_cells(line, count, width):
    return ImportFileError(Message(
        _("La ligne %(line)d contient %(count)d cellules alors que l'en-tête compte "
          "%(width)d colonnes. Vérifiez le séparateur et les guillemets de cette ligne."),
        line=line, count=count, width=width), line=line)


def _too_many_rows(line, max_rows):
    return ImportFileError(Message(
        _("Le fichier contient plus de %(limit)s lignes (limite atteinte ligne %(line)d). "
          "Divisez-le en plusieurs fichiers."),
        limit=_thousands(max_rows), line=line), line=line)


def _record(columns, cells, line):
    width = len(columns)
    if len(cells) > width:
        if any(cell.strip() for cell in cells[width:]):
            raise _too_many_cells(line, len(cells), width)
        cells = cells[:width]
    elif len(cells) < width:
        cells = [*cells, *([""] * (width - len(cells)))]
    return dict(zip(columns, [cell.strip() for cell in cells], strict=True))


# --- CSV ---------------------------------------------------------------------------------

class _CsvSource:
    def __init__(self, file, max_rows):
        self.file = file
        self.max_rows = max_rows
        self.encoding, head_text = self._scan()
        self.delimiter = _sniff_delimiter(head_text)

    def _scan(self):
        """The encoding, and the first chunk as text; refuses binary and unreadable files."""
        self.file.seek(0)
        head = self.file.read(CHUNK_BYTES)
        if not head.strip(b" \t\r\n" + UTF8_BOM):
            raise ImportFileError(Message(_("Le fichier est vide.")))
        if head.startswith(ZIP_SIGNATURE):
            raise ImportFileError(Message(_(
                "Ce fichier est un classeur Excel (ou une archive), pas un fichier CSV. "
                "Importez-le avec l'extension .xlsx, ou enregistrez-le au format CSV.")))
        if head.startswith(UTF8_BOM):
            candidates = ("utf-8-sig",)
        elif head.startswith(UTF16_BOMS):
            candidates = ("utf-16",)
        else:
            candidates = ("utf-8", "cp1252")
        decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
        wide = candidates == ("utf-16",)  # control characters are judged on the text
        lines = 1
        self.file.seek(0)
        while chunk := self.file.read(CHUNK_BYTES):
            if not wide:
                found = BINARY_BYTES.search(chunk)
                if found:
                    raise _binary(lines + chunk.count(b"\n", 0, found.start()),
                                  chunk[found.start()] == 0)
            for name, decoder in list(decoders.items()):
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError:
                    del decoders[name]
                    continue
                if wide:
                    found = BINARY_TEXT.search(text)
                    if found:
                        raise _binary(lines + text.count("\n", 0, found.start()),
                                      text[found.start()] == "\x00")
                    lines += text.count("\n")
            if not wide:
                lines += chunk.count(b"\n")
        for name, decoder in list(decoders.items()):
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                del decoders[name]
        if not decoders:
            raise ImportFileError(Message(_(
                "Le fichier n'est pas un texte lisible (ni UTF-8, ni UTF-16, ni Windows-1252). "
                "Enregistrez-le au format CSV UTF-8 depuis votre tableur.")))
        encoding = next(iter(decoders))
        head_text = head.decode(encoding, errors="replace")
        return encoding, head_text

    def _open(self):
        self.file.seek(0)
        return io.TextIOWrapper(self.file, encoding=self.encoding, newline="")

    def _reader(self, text):
        # strict: a stray quote is an error with its line rather than a silently merged row.
        return csv.reader(text, delimiter=self.delimiter, quotechar='"', doublequote=True,
                          strict=True)

    def _header(self, reader):
        """(columns, type name) with the reader just past the header."""
        type_name = None
        while True:
            cells = self._next(reader)
            if cells is None:
                raise ImportFileError(Message(_(
                    "Le fichier ne contient pas de ligne d'en-tête. La première ligne doit "
                    "donner le titre de chaque colonne.")))
            if not any(cell.strip() for cell in cells):
                continue
            if (reader.line_num == 1 and type_name is None
                    and cells[0].lstrip("\ufeff").startswith(TYPE_LINE)):
                type_name = self.delimiter.join(cells)[len(TYPE_LINE) + 1:].strip()
                continue
            return _check_header(cells, reader.line_num), type_name

    def _next(self, reader):
        line = reader.line_num + 1
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            raise _malformed(line, error) from error

    def header(self):
        text = self._open()
        try:
            return self._header(self._reader(text))
        finally:
            text.detach()

    def rows(self, columns):
        text = self._open()
        try:
            reader = self._reader(text)
            self._header(reader)
            count = 0
            while True:
                line = reader.line_num + 1
                cells = self._next(reader)
                if cells is None:
                    return
                if not cells or not any(cell.strip() for cell in cells):
                    continue
                count += 1
                if count > self.max_rows:
                    raise _too_many_rows(line, self.max_rows)
                yield line, _record(columns, cells, line)
        finally:
            text.detach()


def _binary(line, nul):
    if nul:
        return ImportFileError(Message(
            _("Le fichier contient des caractères nuls (NUL) ligne %(line)d : ce n'est pas un "
              "texte. S'il vient de PowerShell, exportez-le avec « -Encoding UTF8 » ; sinon "
              "enregistrez-le au format CSV UTF-8 depuis votre tableur."),
            line=line), line=line)
    return ImportFileError(Message(
        _("Le fichier contient des données binaires ligne %(line)d : ce n'est pas un fichier "
          "CSV. Enregistrez le tableau au format CSV UTF-8 depuis votre tableur."),
        line=line), line=line)


def _malformed(line, error):
    if "field larger than field limit" in str(error):
        return ImportFileError(Message(
            _("Une cellule de la ligne %(line)d dépasse %(limit)s caractères. Vérifiez les "
              "guillemets de cette ligne : un guillemet non fermé englobe la suite du fichier."),
            line=line, limit=_thousands(csv.field_size_limit())), line=line)
    return ImportFileError(Message(
        _("La ligne %(line)d est mal formée (guillemet mal placé ou non fermé). Corrigez-la, "
          "ou enregistrez à nouveau le fichier depuis votre tableur."),
        line=line), line=line)


def _sniff_delimiter(head_text):
    """The delimiter that the header line holds most of, outside quotes."""
    text = head_text.lstrip("\ufeff")
    for raw in re.split(r"\r\n|\r|\n", text):
        if not raw.strip() or raw.startswith(TYPE_LINE):
            continue
        counts = dict.fromkeys(DELIMITERS, 0)
        quoted = False
        for char in raw:
            if char == '"':
                quoted = not quoted
            elif not quoted and char in counts:
                counts[char] += 1
        best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","
    return ","


# --- xlsx --------------------------------------------------------------------------------

class _NamedFile:
    """The name and size that check_file reads, over any binary file object."""

    def __init__(self, file, name):
        self._file = file
        self.name = name
        file.seek(0, io.SEEK_END)
        self.size = file.tell()
        file.seek(0)

    def __getattr__(self, attribute):
        return getattr(self._file, attribute)


class _XlsxSource:
    delimiter = None
    encoding = None

    def __init__(self, file, filename, max_rows):
        self.file = file
        self.max_rows = max_rows
        named = _NamedFile(file, PurePath(filename).name)
        if named.size == 0:
            raise ImportFileError(Message(_("Le fichier est vide.")))
        try:
            check_file(named, max_bytes=MAX_XLSX_BYTES)
        except UploadError as error:
            raise ImportFileError(error.args[0]) from error
        self._check_shared_strings()

    def _check_shared_strings(self):
        self.file.seek(0)
        with zipfile.ZipFile(self.file) as archive:
            for entry in archive.infolist():
                if (entry.filename.lower().endswith("sharedstrings.xml")
                        and entry.file_size > MAX_SHARED_STRINGS_BYTES):
                    raise ImportFileError(Message(
                        _("Le classeur contient plus de %(size)d Mo de texte. Divisez-le en "
                          "plusieurs fichiers, ou enregistrez-le au format CSV."),
                        size=MAX_SHARED_STRINGS_BYTES // (1024 * 1024)))
        self.file.seek(0)

    def _values(self):
        """(line, [text…]) of the first worksheet, every row, numbered as Excel does."""
        import openpyxl  # only xlsx imports pay for loading it

        self.file.seek(0)
        try:
            workbook = openpyxl.load_workbook(self.file, read_only=True, data_only=False,
                                              keep_links=False)
        except Exception as error:  # openpyxl raises anything on a damaged package
            raise _bad_workbook() from error
        try:
            if not workbook.worksheets:
                raise _bad_workbook()
            sheet = workbook.worksheets[0]
            # The declared dimensions may lie (and would cut the reading short).
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
            line = 0
            while True:
                try:
                    values = next(rows)
                except StopIteration:
                    return
                except Exception as error:
                    raise _bad_workbook(line + 1) from error
                line += 1
                if line > 2 * self.max_rows + 1:
                    raise _too_many_rows(line, self.max_rows)
                yield line, [_cell_text(value) for value in values]
        finally:
            workbook.close()

    def header(self):
        for line, cells in self._values():
            if any(cell.strip() for cell in cells):
                return _check_header(cells, line), None
        raise ImportFileError(Message(_(
            "Le classeur est vide : sa première feuille ne contient aucune ligne. La première "
            "ligne doit donner le titre de chaque colonne.")))

    def rows(self, columns):
        values = self._values()
        for _line, cells in values:
            if any(cell.strip() for cell in cells):
                break
        count = 0
        for line, cells in values:
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > self.max_rows:
                raise _too_many_rows(line, self.max_rows)
            yield line, _record(columns, cells, line)


def _bad_workbook(line=None):
    if line is None:
        return ImportFileError(Message(_(
            "Le classeur Excel est endommagé ou illisible. Enregistrez-le à nouveau au format "
            ".xlsx depuis Excel ou LibreOffice, ou au format CSV.")))
    return ImportFileError(Message(
        _("Le classeur Excel est endommagé ligne %(line)d. Enregistrez-le à nouveau au format "
          ".xlsx depuis Excel ou LibreOffice, ou au format CSV."),
        line=line), line=line)


def _cell_text(value):
    """A cell's value as text: what the cell shows, formulas as their literal text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


# --- Values ------------------------------------------------------------------------------

TRUE_WORDS = frozenset({"vrai", "true", "oui", "1", "yes", "o", "y"})
FALSE_WORDS = frozenset({"faux", "false", "non", "0", "no", "n"})


def parse_bool(text):
    """True, False, or None for an empty cell; ValueError (French message) otherwise."""
    if text is None:
        return None
    word = text.strip().casefold()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(Message(
        _("« %(value)s » n'est pas une valeur oui/non reconnue (attendu : Vrai ou Faux, Oui ou "
          "Non, True ou False, 1 ou 0)."),
        value=_shorten(text.strip())))


# d/m/yyyy (French, and any culture that writes the day first), with an optional time;
# with AM/PM, an English-locale PowerShell's M/d/yyyy h:mm:ss tt.
SLASHED = re.compile(
    r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
    r"(?:[ T]+(\d{1,2})[:h](\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*([AaPp]\.?[Mm]\.?)?)?")


def parse_datetime(text):
    """A datetime (naive if the text has no offset), or None for an empty cell.

    Accepted: dd/mm/yyyy, dd/mm/yyyy hh:mm, dd/mm/yyyy hh:mm:ss, ISO 8601 (yyyy-mm-dd,
    with a time, an offset or Z), and M/d/yyyy h:mm:ss AM/PM as an English-locale PowerShell
    writes it (the AM/PM says the month comes first). ValueError in French otherwise."""
    if text is None:
        return None
    value = text.strip()
    if not value:
        return None
    if (len(value) == 19 and value[2] == value[5] == "/" and value[10] == " "
            and value[13] == value[16] == ":" and (digits := value[:2] + value[3:5]
            + value[6:10] + value[11:13] + value[14:16] + value[17:]).isdigit()
            and digits.isascii()):
        # dd/mm/yyyy hh:mm:ss, as a French Windows writes every date: without the regular
        # expression, a third of the time (three dates in each row of a 100,000-row export).
        try:
            return datetime(int(value[6:10]), int(value[3:5]), int(value[:2]),
                            int(value[11:13]), int(value[14:16]), int(value[17:]))
        except ValueError:
            pass  # told below, as any other date
    found = SLASHED.fullmatch(value)
    try:
        if found:
            first, second, year, hour, minute, seconds, fraction, meridiem = found.groups()
            day, month = int(first), int(second)
            hour = int(hour or 0)
            if meridiem:
                month, day = day, month
                if not 1 <= hour <= 12:
                    raise ValueError(value)
                hour = hour % 12 + (12 if meridiem[0] in "pP" else 0)
            microseconds = int((fraction or "0").ljust(6, "0"))
            return datetime(int(year), month, day, hour, int(minute or 0), int(seconds or 0),
                            microseconds)
        if value[:4].isdigit() and value[4:5] == "-":
            return datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        pass
    raise ValueError(Message(
        _("« %(value)s » n'est pas une date reconnue (attendu : jj/mm/aaaa, éventuellement "
          "suivi de hh:mm:ss, ou aaaa-mm-jj)."),
        value=_shorten(value)))


def _shorten(text, limit=60):
    return text if len(text) <= limit else text[:limit - 1] + "…"
