"""Spreadsheet-safe values for CSV and Excel exports (CWE-1236, formula injection)."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def escape_formula(value):
    """Prefix with an apostrophe any text that a spreadsheet would run as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() returns what it is given: csv.writer then yields
    each formatted line instead of buffering the whole file."""

    def write(self, value):
        return value


def csv_lines(header, rows, *, cell=escape_formula):
    """The lines of a CSV file that French Excel opens as it is: a UTF-8 BOM first, `;`
    between fields, every value through `cell` (formula escaping by default). Streams: one
    line at a time, whatever the number of rows."""
    import csv

    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"
    yield writer.writerow([escape_formula(title) for title in header])
    for row in rows:
        yield writer.writerow([cell(value) for value in row])
