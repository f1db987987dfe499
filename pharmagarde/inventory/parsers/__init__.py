"""Parsers of the inventory importers: files in, plain records out (no Django, no models).

- tabular: CSV (`,` `;` tab; UTF-8 with or without BOM, Windows-1252, UTF-16 with BOM) and
  xlsx, streamed, with the French booleans and dates of the exports people make;
- ad: Active Directory exports (Get-ADUser | Export-Csv, ADRecon's Users.csv) as accounts;
- nmap: nmap XML (-oX), streamed through defusedxml, a scan cut short read up to its last
  complete host.

Every reader takes a binary file object (Django's UploadedFile, or open(path, "rb")) and
raises errors.ImportFileError, with a French message, for a file it cannot read at all.
"""

from .errors import ImportFileError

__all__ = ["ImportFileError"]
