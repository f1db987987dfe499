"""End-of-life catalogue: support end dates of the software pharmacy structures run.

The data is packaged, dated and versioned under endoflife/ (docs/decisions/0004):

- `catalogue.yaml`, written by hand: which products are taken from the endoflife.date
  snapshot, their label if the source's is not the one we want, and the words that
  recognise them in free text (`aliases`, `exclude`);
- `snapshot.yaml` and `products/<id>.yaml`, written by `manage.py eol_refresh` from a local
  copy of endoflife.date (MIT licence, see endoflife/LICENSE): the snapshot's commit and
  date, and each product's release cycles with only the fields used here;
- `manual.yaml`, written by hand: products endoflife.date does not cover, with a vendor
  link for every date.

Every file is validated with a JSON schema at load time; errors name the file, the line,
the cycle and the field, in French, like the diagnostic's referentials. No request goes
out: the catalogue is only what the package holds.

This module is framework-free: it reads files and returns plain dataclasses.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import jsonschema

from pharmagarde.lib.yamllines import load_with_lines

ENDOFLIFE_DIR = Path(__file__).parent / "endoflife"
CONFIG_FILE = "catalogue.yaml"
SNAPSHOT_FILE = "snapshot.yaml"
MANUAL_FILE = "manual.yaml"
PRODUCTS_DIR = "products"

# A cycle whose security support ends within this many days is "ending".
ENDING_DAYS = 180

STATUSES = ("supported", "ending", "extended", "ended", "unknown")

# --- Schemas ------------------------------------------------------------------------------

_ID = {"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]*$", "maxLength": 60}
_CYCLE = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$", "maxLength": 60}
_TEXT = {"type": "string", "minLength": 1}
_DATE = {"type": "date"}
_END = {"type": ["date", "boolean"]}
_URL = {"type": "string", "pattern": "^https?://"}
_PHRASES = {"type": "array", "items": _TEXT, "minItems": 1}

# The release fields kept from endoflife.date, under their names there, so that a
# vendored file reads like the source and a hand-written one follows the same format.
RELEASE_FIELDS = ("releaseCycle", "releaseLabel", "codename", "releaseDate", "eoas", "eol",
                  "eoes", "latest", "lts", "link")
RELEASE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["releaseCycle", "eol"],
    "properties": {
        "releaseCycle": _CYCLE,
        "releaseLabel": _TEXT,
        "codename": _TEXT,
        "releaseDate": _DATE,
        "eoas": _END,
        "eol": _END,
        "eoes": _END,
        "latest": _TEXT,
        "lts": _END,
        "link": {"anyOf": [_URL, {"type": "null"}]},
    },
}
PRODUCT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "releases"],
    "properties": {
        "id": _ID,
        "title": _TEXT,
        "releasePolicyLink": _URL,
        "releases": {"type": "array", "minItems": 1, "items": RELEASE_SCHEMA},
    },
}
# A hand-written product says how it is recognised, and where each date comes from.
MANUAL_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reviewed", "products"],
    "properties": {
        "reviewed": _DATE,
        "products": {
            "type": "array",
            "items": {
                **PRODUCT_SCHEMA,
                "required": ["id", "title", "aliases", "releases"],
                "properties": {
                    **PRODUCT_SCHEMA["properties"],
                    "aliases": _PHRASES,
                    "exclude": _PHRASES,
                    "releases": {"type": "array", "minItems": 1,
                                 "items": {**RELEASE_SCHEMA,
                                           "required": ["releaseCycle", "eol", "link"]}},
                },
            },
        },
    },
}
CONFIG_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["products"],
    "properties": {
        "products": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id"],
                "properties": {"id": _ID, "label": _TEXT, "aliases": _PHRASES,
                               "exclude": _PHRASES},
            },
        },
    },
}
SNAPSHOT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "source"],
    "properties": {
        "version": _TEXT,
        "source": {
            "type": "object",
            "additionalProperties": False,
            "required": ["project", "repository", "commit", "date", "licence"],
            "properties": {
                "project": _TEXT,
                "url": _URL,
                "repository": _URL,
                "commit": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
                "date": _DATE,
                "licence": {"const": "MIT"},
            },
        },
    },
}


def _is_date(checker, instance):
    return isinstance(instance, date) and not isinstance(instance, datetime)


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("date", _is_date))


class CatalogueError(Exception):
    """A data error, worded for the person who maintains the catalogue's files."""


_MESSAGES = {
    "required": "champ obligatoire manquant",
    "additionalProperties": "champ inconnu",
    "const": "valeur non autorisée",
    "minItems": "liste vide",
    "minLength": "texte vide",
    "maxLength": "texte trop long",
}


def _reason(error):
    if error.validator == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        if "date" in expected and "boolean" in expected:
            return "date (AAAA-MM-JJ), true ou false attendu"
        if "date" in expected:
            return "date attendue (AAAA-MM-JJ, sans guillemets)"
        if "string" in expected:
            return "texte attendu (mettez les numéros de version entre guillemets)"
        return "type incorrect"
    if error.validator == "pattern":
        if error.validator_value.startswith("^http"):
            return "adresse web attendue (https://…)"
        if "0-9a-f" in error.validator_value:
            return "identifiant de commit attendu (40 caractères hexadécimaux)"
        return "identifiant invalide (lettres, chiffres, points et tirets)"
    if error.validator == "anyOf":
        return "adresse web (https://…) ou rien attendu"
    return _MESSAGES.get(error.validator, "valeur incorrecte")


def _where(data, path, lines, filename):
    """'windows.yaml:42 — cycle « 10-22h2 », champ « eol »' for an error path."""
    cursor, item, item_path = data, None, ()
    for depth, key in enumerate(path):
        try:
            cursor = cursor[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(key, int) and isinstance(cursor, dict):
            if "releaseCycle" in cursor:
                item = f"cycle « {cursor['releaseCycle']} »"
            elif "id" in cursor:
                item = f"produit « {cursor['id']} »"
            item_path = path[: depth + 1]
    line = lines.get(tuple(path)) or lines.get(tuple(item_path)) or 1
    parts = [f"{filename}:{line}"]
    if item:
        parts.append(item)
    field_path = [str(k) for k in path[len(item_path):] if not isinstance(k, int)]
    if field_path:
        parts.append(f"champ « {'.'.join(field_path)} »")
    return " — ".join(parts)


def validate(data, lines, schema, filename):
    """Raise a CatalogueError listing every schema error of `data`, in French."""
    errors = sorted(_Validator(schema).iter_errors(data),
                    key=lambda e: [str(k) for k in e.absolute_path])
    if not errors:
        return
    messages = []
    for error in errors[:20]:
        path = list(error.absolute_path)
        if error.validator in ("required", "additionalProperties"):
            # The field at fault is only named in the message: "'eol' is a required property".
            path += [name for name in error.message.split("'")[1::2] if name][:1]
        messages.append(f"{_where(data, path, lines, filename)} : {_reason(error)}")
    raise CatalogueError("\n".join(messages))


def parse(text, filename, schema):
    """Validate one file's text against `schema`; return (data, line map)."""
    data, lines = load_with_lines(text, filename, CatalogueError)
    validate(data, lines, schema, filename)
    return data, lines


def check_releases(product, lines, filename, base=()):
    """What a schema cannot say: unique cycles, and end dates in order."""
    seen = set()
    for index, release in enumerate(product["releases"]):
        path = (*base, "releases", index)
        where = f"{filename}:{lines.get(path, 1)} — cycle « {release['releaseCycle']} »"
        if release["releaseCycle"] in seen:
            raise CatalogueError(f"{where} : ce cycle apparaît deux fois")
        seen.add(release["releaseCycle"])
        eol, eoes = release.get("eol"), release.get("eoes")
        if _is_date(None, eol) and _is_date(None, eoes) and eoes < eol:
            raise CatalogueError(f"{where}, champ « eoes » : le support étendu ne peut pas "
                                 "finir avant le support (« eol »)")


# --- The catalogue ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Cycle:
    product: str                # product id, e.g. "windows"
    product_label: str          # "Microsoft Windows"
    cycle: str                  # "10-22h2"
    label: str                  # "10 22H2"
    release_date: date | None
    active_end: date | None     # eoas: end of active support (bug fixes)
    support_end: date | None    # eol: end of security updates
    extended_end: date | None   # eoes: end of paid extended support
    latest: str | None
    link: str | None
    # When the source gives no date but says whether it has ended (eol: true / false).
    support_ended: bool | None = None
    # eoes: false — paid extended support exists and has no announced end.
    extended_open: bool = False
    lts: bool = False
    codename: str | None = None

    def effective_end(self, extended_paid: bool = False) -> date | None:
        """The last day of security updates for this organisation: the extended support
        end when it pays for it (and it goes further), else the end of support."""
        if extended_paid and self.extended_end is not None and (
                self.support_end is None or self.extended_end > self.support_end):
            return self.extended_end
        return self.support_end

    def status(self, on: date, extended_paid: bool = False) -> str:
        """"supported", "ending" (security support ends within ENDING_DAYS days),
        "extended" (past the end of support, inside paid extended support), "ended",
        or "unknown". The end dates are the last days with updates."""
        if self.support_end is not None:
            if on <= self.support_end:
                soon = self.support_end - on <= timedelta(days=ENDING_DAYS)
                return "ending" if soon else "supported"
        elif self.support_ended is False:
            return "supported"
        elif self.support_ended is None:
            return "unknown"
        if extended_paid and (self.extended_open
                              or (self.extended_end is not None and on <= self.extended_end)):
            return "extended"
        return "ended"

    def _end_key(self):
        """Security support end for ordering: no end yet sorts last, ended-without-date first."""
        if self.support_end is not None:
            return self.support_end
        return date.max if self.support_ended is False else date.min


@dataclass
class Product:
    id: str
    label: str
    cycles: tuple
    aliases: tuple = ()
    exclude: tuple = ()
    manual: bool = False


@dataclass
class Catalogue:
    version: str                # "2026-08-22 (a70eca3)": snapshot date and commit
    snapshot_date: date
    commit: str
    _products: dict = field(default_factory=dict)

    def products(self) -> list[tuple[str, str]]:
        """(id, label) sorted by label, for a form's choices."""
        return sorted(((p.id, p.label) for p in self._products.values()),
                      key=lambda item: (_fold(item[1]), item[0]))

    def cycles(self, product: str) -> list[Cycle]:
        """The product's cycles, newest first (as in the source); [] for an unknown id."""
        entry = self._products.get(product)
        return list(entry.cycles) if entry else []

    def get(self, product: str, cycle: str) -> Cycle | None:
        return next((c for c in self.cycles(product) if c.cycle == cycle), None)

    def candidates(self, name: str, version: str = "") -> list[Cycle]:
        """Every cycle that `name` and `version` could mean, once the product is known;
        more than one when the version or service pack is not given. [] when unsure."""
        return _match_candidates(self, name or "", version or "")

    def match(self, name: str, version: str = "") -> Cycle | None:
        """The cycle for free text as people and tools write it ("Windows 10 Pro",
        "Microsoft Windows Server 2019", "macOS 13.6.1", "FortiOS 7.0.12"), or None when
        unsure of the product. When several cycles remain (no version, no service pack),
        the choice is conservative, see `pick_conservative`."""
        return self.pick_conservative(self.candidates(name, version))

    def pick_conservative(self, cycles: list[Cycle]) -> Cycle | None:
        """Among cycles that cannot be told apart: the one whose security support ends
        first among those still supported on the snapshot date, or, when none is, the one
        that ended last. "Windows 10 Pro" without a version is then 10 22H2 (all ended,
        22H2 last, the only one with paid extended updates); "Windows 11 Pro" is the
        oldest feature update still supported, so its end comes as a warning to check
        the version rather than as a promise."""
        if not cycles:
            return None
        if len(cycles) == 1:
            return cycles[0]
        on = self.snapshot_date
        alive = [c for c in cycles if c._end_key() >= on]
        if alive:
            return min(alive, key=lambda c: (c._end_key(), c.release_date or date.min))
        return max(cycles, key=lambda c: (c._end_key(), c.release_date or date.min))


# --- Loading ---------------------------------------------------------------------------------

def _read(directory, name, schema):
    path = Path(directory) / name
    if not path.is_file():
        raise CatalogueError(f"{name} : fichier introuvable dans {directory}")
    return parse(path.read_text(encoding="utf-8"), name, schema)


def _render_label(release, template):
    label = release.get("releaseLabel") or template or "__RELEASE_CYCLE__"
    label = label.replace("__RELEASE_CYCLE__", release["releaseCycle"])
    label = label.replace("__CODENAME__", release.get("codename") or "")
    return re.sub(r"\s+", " ", label.replace("''", "").replace("()", "")).strip()


def _end(value):
    return value if _is_date(None, value) else None


def _build_cycles(product_id, label, releases):
    cycles = []
    for release in releases:
        eol, eoes = release.get("eol"), release.get("eoes")
        cycles.append(Cycle(
            product=product_id, product_label=label, cycle=release["releaseCycle"],
            label=_render_label(release, None), release_date=release.get("releaseDate"),
            active_end=_end(release.get("eoas")), support_end=_end(eol),
            extended_end=_end(eoes), latest=release.get("latest"),
            link=release.get("link"),
            support_ended=eol if isinstance(eol, bool) else None,
            extended_open=eoes is False,
            lts=bool(release.get("lts")), codename=release.get("codename")))
    return tuple(cycles)


def load_catalogue(directory=ENDOFLIFE_DIR) -> Catalogue:
    directory = Path(directory)
    config, _ = _read(directory, CONFIG_FILE, CONFIG_SCHEMA)
    snapshot, _ = _read(directory, SNAPSHOT_FILE, SNAPSHOT_SCHEMA)
    source = snapshot["source"]
    catalogue = Catalogue(version=snapshot["version"], snapshot_date=source["date"],
                          commit=source["commit"])
    for entry in config["products"]:
        name = f"{PRODUCTS_DIR}/{entry['id']}.yaml"
        if not (directory / name).is_file():
            raise CatalogueError(f"{CONFIG_FILE} — produit « {entry['id']} » : {name} "
                                 "manque ; lancez « manage.py eol_refresh --from … »")
        data, lines = _read(directory, name, PRODUCT_SCHEMA)
        if data["id"] != entry["id"]:
            raise CatalogueError(f"{name}:{lines[('id',)]} — champ « id » : « {data['id']} » "
                                 f"au lieu de « {entry['id']} »")
        check_releases(data, lines, name)
        label = entry.get("label", data["title"])
        catalogue._products[entry["id"]] = Product(
            id=entry["id"], label=label,
            cycles=_build_cycles(entry["id"], label, data["releases"]),
            aliases=tuple(entry.get("aliases", ())), exclude=tuple(entry.get("exclude", ())))
    if (directory / MANUAL_FILE).is_file():
        manual, lines = _read(directory, MANUAL_FILE, MANUAL_SCHEMA)
        for index, data in enumerate(manual["products"]):
            where = f"{MANUAL_FILE}:{lines[('products', index)]} — produit « {data['id']} »"
            if data["id"] in catalogue._products:
                raise CatalogueError(f"{where} : identifiant déjà utilisé")
            check_releases(data, lines, MANUAL_FILE, ("products", index))
            catalogue._products[data["id"]] = Product(
                id=data["id"], label=data["title"],
                cycles=_build_cycles(data["id"], data["title"], data["releases"]),
                aliases=tuple(data["aliases"]), exclude=tuple(data.get("exclude", ())),
                manual=True)
    return catalogue


@cache
def get_catalogue() -> Catalogue:
    return load_catalogue()


# --- Matching free text -----------------------------------------------------------------------

def _fold(text):
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _normalize(text):
    text = _fold(text).replace("®", " ").replace("™", " ")
    text = re.sub(r"\((?:r|tm)\)", " ", text)
    text = re.sub(r"[_,;:/()\[\]«»\"']+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _has(text, phrase):
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def _numbers(text):
    return [int(part) for part in re.findall(r"\d+", text)]


_BUILD = re.compile(r"(?<![\w.])(\d{1,2})\.(\d{1,2})\.(\d{4,5})(?![\d])")


def _build_of(*texts):
    for text in texts:
        found = _BUILD.search(text)
        if found:
            return tuple(int(part) for part in found.groups())
    return None


def _latest_build(cycle):
    found = _BUILD.search(cycle.latest or "")
    return tuple(int(part) for part in found.groups()) if found else None


# Windows ---------------------------------------------------------------------------------

_WIN_MAJOR = re.compile(r"\bwindows\s+(xp|vista|7|8\.1|8|10|11)(?![\w.])")
_WIN_FEATURE = re.compile(r"\b(1507|1511|1607|1703|1709|1803|1809|1903|1909|2004|20h2|21h1|"
                          r"21h2|22h2|23h2|24h2|25h2|26h1)\b")
# LTSC/LTSB editions are named by year; the cycles by their feature update.
_LTSC_YEAR = {"2015": "1507", "2016": "1607", "2019": "1809", "2021": "21h2", "2024": "24h2"}
_WIN_FAMILY = {"xp": "5", "vista": "6"}
_WIN_HOME_PRO = ("pro", "professional", "professionnel", "home", "famille", "familiale",
                 "workstations")
_WIN_OTHER = ("server", "embedded", "posready", "mobile", "phone", "sdk", "iot core", "ce")


def _windows_parts(cycle_id):
    """'10-21h2-e-lts' -> ('10', '21h2', 'e', True); editions: 'e', 'w', 'iot' or None."""
    parts = cycle_id.split("-")
    flags = set(parts[2:])
    edition = next((e for e in ("e", "w", "iot") if e in flags), None)
    return parts[0], parts[1] if len(parts) > 1 else "", edition, "lts" in flags


def _windows(catalogue, text, version):
    if not re.search(r"\bwindows\b", text) or any(_has(text, w) for w in _WIN_OTHER):
        return []
    cycles = catalogue.cycles("windows")
    major = _WIN_MAJOR.search(text)
    major = major.group(1) if major else None
    build = _build_of(version, text)
    if build and major in (None, "10", "11"):
        by_build = [c for c in cycles if _latest_build(c) == build]
        if not by_build:
            return []
        # A build number settles Windows 10 or 11 (tools often report 11 as "10").
        major, feature = _windows_parts(by_build[0].cycle)[:2]
    else:
        feature = _WIN_FEATURE.search(f"{version} {text}")
        feature = feature.group(1) if feature else None
    if major is None:
        return []
    if major not in ("10", "11"):
        prefix = _WIN_FAMILY.get(major, major)
        return [c for c in cycles if c.cycle == prefix or c.cycle.startswith(prefix + "-")]
    lts = _has(text, "ltsc") or _has(text, "ltsb")
    iot = _has(text, "iot")
    if any(_has(text, w) for w in _WIN_HOME_PRO) or not any(
            _has(text, w) for w in ("enterprise", "entreprise", "education", "iot")):
        # Home, Pro, Pro Education, Pro for Workstations, or not said: the shorter servicing.
        edition = "w"
    else:
        edition = "iot" if iot else "e"
    if lts and feature is None:
        year = re.search(r"\b(2015|2016|2019|2021|2024)\b", text)
        feature = _LTSC_YEAR.get(year.group(1)) if year else None
    family = [c for c in cycles if _windows_parts(c.cycle)[0] == major
              and _windows_parts(c.cycle)[3] == lts
              and (feature is None or _windows_parts(c.cycle)[1] == feature)]
    # Per feature update, the cycle of this edition; IoT falls back on Enterprise (its
    # support is never shorter), any edition on the cycle that serves all of them.
    preference = {"w": ("w", None), "e": ("e", None), "iot": ("iot", "e", None)}[edition]
    by_feature = {}
    for cycle in family:
        cycle_edition = _windows_parts(cycle.cycle)[2]
        if cycle_edition not in preference:
            continue
        rank = preference.index(cycle_edition)
        current = by_feature.get(_windows_parts(cycle.cycle)[1])
        if current is None or rank < current[0]:
            by_feature[_windows_parts(cycle.cycle)[1]] = (rank, cycle)
    return [cycle for _, cycle in by_feature.values()]


_SERVER_YEAR = re.compile(r"\b(2000|2003|2008|2012|2016|2019|2022|2025)(\s*r2)?\b")
_SERVER_SAC = re.compile(r"\b(1709|1803|1809|1903|1909|2004|20h2|23h2)\b")


def _windows_server(catalogue, text, version):
    if not re.search(r"\bwindows\s+server\b", text) or _has(text, "update services"):
        return []
    cycles = catalogue.cycles("windows-server")
    year = _SERVER_YEAR.search(text)
    if year:
        base = year.group(1)
        if year.group(2):
            return [c for c in cycles if c.cycle.startswith(f"{base}-r2")]
        return [c for c in cycles if (c.cycle == base or c.cycle.startswith(base + "-"))
                and not c.cycle.startswith(f"{base}-r2")]
    sac = _SERVER_SAC.search(f"{text} {version}")
    if sac:
        return [c for c in cycles if c.cycle in (f"{sac.group(1)}-sac", f"{sac.group(1)}-ac")]
    build = _build_of(version, text)
    if build:
        # The same build is an LTSC release and a semi-annual one: the LTSC is the usual.
        found = [c for c in cycles if _latest_build(c) == build]
        return [c for c in found if c.lts] or found
    return []


def _windows_embedded(catalogue, text, version):
    if not (_has(text, "windows embedded") or _has(text, "posready")):
        return []
    found = []
    for cycle in catalogue.cycles("windows-embedded"):
        words = [w for w in _normalize(cycle.label).split() if not re.fullmatch(r"sp\d", w)]
        if all(_has(text, w) for w in words):
            found.append(cycle)
    return found


# Apple ---------------------------------------------------------------------------------

_MACOS = re.compile(r"\b(?:mac\s?os(?:\s?x)?|os\s?x)\b(.*)")


def _macos(catalogue, text, version):
    found = _MACOS.search(text)
    if not found:
        return []
    cycles = catalogue.cycles("macos")
    number = re.search(r"\b(\d+)(?:\.(\d+))?", f"{version} {found.group(1)}")
    if number:
        major, minor = number.group(1), number.group(2)
        wanted = f"{major}.{minor}" if major == "10" and minor else major
        return [c for c in cycles if c.cycle == wanted]
    by_name = sorted((c for c in cycles if c.codename and _has(text, _fold(c.codename))),
                     key=lambda c: -len(c.codename))
    return by_name[:1]


# Microsoft Office and SQL Server ---------------------------------------------------------

_OFFICE_OTHER = ("office 365", "microsoft 365", "only office", "wps office", "office online",
                 "office web", "office deployment", "office tool", "viewer")
_OFFICE_VERSIONS = {15: "2013", 14: "2010", 12: "2007"}


def _office(catalogue, text, version):
    if not _has(text, "office") or any(_has(text, w) for w in _OFFICE_OTHER):
        return []
    year = re.search(r"\b(2007|2008|2010|2011|2013|2016|2019|2021|2024)\b", text)
    if year:
        year = year.group(1)
    else:
        numbers = _numbers(version)
        year = _OFFICE_VERSIONS.get(numbers[0]) if numbers else None
        if year is None:
            return []  # 16.0 is 2016, 2019, 2021, 2024 and Microsoft 365 alike
    if _has(text, "ltsc"):
        wanted = f"{year}-ltsc"
    elif _has(text, "mac"):
        wanted = f"{year}-for-mac"
    else:
        wanted = year
    return [c for c in catalogue.cycles("office") if c.cycle == wanted]


_SQL_OTHER = ("management studio", "ssms", "native client", "odbc", "ole db", "oledb",
              "compact", "data tools", "command line", "driver", "report builder", "clr",
              "management objects", "language service", "setup support", "vss writer",
              "browser", "t-sql", "policies", "express localdb tools")
_SQL_YEARS = {"2000": (8, 0), "2005": (9, 0), "2008": (10, 0), "2008 r2": (10, 50),
              "2012": (11, 0), "2014": (12, 0), "2016": (13, 0), "2017": (14, 0),
              "2019": (15, 0), "2022": (16, 0), "2025": (17, 0)}


def _sql_key(cycle_id):
    found = re.match(r"(\d+)\.(\d+)", cycle_id)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _sql_server(catalogue, text, version):
    if not re.search(r"\bsql\s?server\b", text) or any(_has(text, w) for w in _SQL_OTHER):
        return []
    cycles = catalogue.cycles("mssqlserver")
    if not _has(text, "azure connect"):
        cycles = [c for c in cycles if not c.cycle.endswith("-acp")]
    year = re.search(r"\b(2000|2005|2008(?:\s?r2)?|2012|2014|2016|2017|2019|2022|2025)\b",
                     text)
    numbers = re.match(r"\s*(\d+)\.(\d+)\.(\d+)", version) or re.search(
        r"\b(\d+)\.(\d+)\.(\d{3,5})\b", text)
    if year:
        key = _SQL_YEARS[re.sub(r"\s+", " ", year.group(1).replace("r2", " r2")).strip()]
    elif numbers:
        key = (int(numbers.group(1)), int(numbers.group(2)))
    else:
        return []
    family = [c for c in cycles if _sql_key(c.cycle) == key]
    service_pack = re.search(r"\bsp\s?(\d)\b", text)
    if service_pack:
        wanted = f"sp{service_pack.group(1)}"
        return [c for c in family if c.cycle.split("-")[1:2] == [wanted]]
    if numbers and family:
        # A build belongs to the first service pack whose latest build is not older.
        build = tuple(int(n) for n in numbers.groups())
        ordered = sorted(family, key=lambda c: _numbers(c.latest or "")[:3])
        later = [c for c in ordered if tuple(_numbers(c.latest or "")[:3]) >= build]
        return [later[0] if later else ordered[-1]]
    return family


# Every other product: aliases and a version ---------------------------------------------

def _by_version(cycles, number, exact):
    """The cycle named by the longest leading part of `number` ("7.0.12" -> "7.0"); when
    not `exact`, the cycles `number` starts ("8" -> "8.0", "24" -> "24.04" and "24.10")."""
    if not exact:
        return [c for c in cycles if c.cycle.startswith(number + ".")]
    parts = number.split(".")
    for size in range(len(parts), 0, -1):
        prefix = ".".join(parts[:size])
        found = [c for c in cycles if c.cycle == prefix]
        if found:
            return found
    return []


def _version_numbers(text):
    """Version-like numbers in reading order: dotted ones first ("v7.2.5", "128.0esr"),
    then whole numbers ("Debian 12", "Oracle 19c"), skipping model numbers ("60F")."""
    dotted = re.findall(r"\bv?(\d+(?:\.\d+)+)", text)
    whole = re.findall(r"\bv?(\d+)[a-z]?(?![\w.])", text)
    return dotted + whole


def _generic(catalogue, text, version):
    best = []
    for product in catalogue._products.values():
        if not product.aliases or any(_has(text, _normalize(w)) for w in product.exclude):
            continue
        for alias in product.aliases:
            alias = _normalize(alias)
            found = re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", text)
            if found:
                best.append((len(alias), product, found.end()))
    if not best:
        return []
    best.sort(key=lambda item: -item[0])
    if len(best) > 1 and best[1][0] == best[0][0] and best[1][1] is not best[0][1]:
        return []  # two products recognised as strongly: unsure
    _, product, end = best[0]
    numbers = _version_numbers(version) or _version_numbers(text[end:])
    for number in numbers:
        found = _by_version(product.cycles, number, exact=True)
        if found:
            return found
    if numbers:
        return _by_version(product.cycles, numbers[0], exact=False)
    # No number: a cycle named by a word ("subscription") or a codename ("bookworm").
    return [c for c in product.cycles
            if (not c.cycle[0].isdigit() and _has(text, _fold(c.cycle)))
            or (c.codename and _has(text, _fold(c.codename)))]


# Products recognised by their own rules, tried in this order before the aliases.
_MATCHERS = (("mssqlserver", _sql_server), ("office", _office),
             ("windows-server", _windows_server), ("windows-embedded", _windows_embedded),
             ("windows", _windows), ("macos", _macos))


def _match_candidates(catalogue, name, version):
    text, version = _normalize(name), _normalize(version)
    if not text:
        return []
    generic = _generic(catalogue, text, version)
    if generic:
        return generic
    for product, matcher in _MATCHERS:
        if product in catalogue._products:
            found = matcher(catalogue, text, version)
            if found:
                return found
    return []
