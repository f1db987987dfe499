"""The library of phishing simulation e-mails, as data: one YAML file per template in
library/, named after its `cle`.

Each template imitates a message a pharmacy team really receives (a wholesaler's invoice,
l'Assurance Maladie, the Ordre's membership fee, an update of the pharmacy software, …),
written by us in French, with fictional senders and harmless addresses (.example, example.com,
example.org, example.net only). Each one carries its clues (`indices`): the exact words of the
e-mail that should have raised doubt and why, shown on the teaching page after a click, and
the key of the e-learning module it leads to.

Fields: `cle`, `nom`, `theme`, `difficulte` (1 facile, 2 moyen, 3 difficile), `types` (kinds
of organisation it suits), `module`, `expediteur_nom`, `expediteur_adresse`, `objet`,
`corps_html`, `corps_texte`, `indices` ({type, extrait, explication}), `formulaire`
(optional {titre, champs}: the fake sign-in page), `lecon` (three to five lines).

Placeholders, written {{prenom}}, {{nom}}, {{structure}}, {{lien}} (the tracked link) and
{{pixel}} (the open-tracking image): nothing else between double braces. Validated against
SCHEMA and the checks below when first read, an error naming the file and the line:
- in corps_html, no script, form, frame, object, style block, comment or event handler;
  every href is {{lien}}, the only image source is {{pixel}}, no http(s):// anywhere;
- {{pixel}} only as an image source, {{lien}} only in an href and in the text body;
- every `extrait` is the exact words (spaces aside) of the subject, the sender or the text
  body, and a body's extrait is also in the visible text of the HTML (to highlight it).
"""

import html as html_lib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from pharmagarde.lib.yamllines import load_validated

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
ORGANISATION_KINDS = ["officine", "pui", "lbm", "industrie", "distribution"]
# The keys of the e-learning modules (awareness modules data).
MODULES = ["mots-de-passe", "hameconnage", "rancongiciel", "rgpd-sante", "cps",
           "wifi-mobiles", "supports-amovibles", "fraude-president", "ia-generative",
           "reseaux-sociaux"]
DIFFICULTIES = {1: "Facile", 2: "Moyen", 3: "Difficile"}
CLUE_TYPES = {
    "expediteur": "Expéditeur",
    "lien": "Lien",
    "urgence": "Urgence",
    "ton": "Ton",
    "piece-jointe": "Pièce jointe",
    "demande": "Demande inhabituelle",
    "orthographe": "Orthographe",
    "contexte": "Contexte",
}
PLACEHOLDERS = ("prenom", "nom", "structure", "lien", "pixel")
# Where each placeholder may be used.
_ALLOWED = {
    "objet": {"prenom", "nom", "structure"},
    "corps_texte": {"prenom", "nom", "structure", "lien"},
    "corps_html": set(PLACEHOLDERS),
}
# Where an extrait may be found, in this order (Clue.location).
LOCATIONS = ("objet", "expediteur", "corps")

_TEXT = {"type": "string", "minLength": 2}
# A harmless look-alike address: the domain is .example or example.com / .org / .net.
_ADDRESS = r"^[a-z0-9][a-z0-9._+-]*@([a-z0-9-]+\.)*(example|example\.(com|org|net))$"

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["cle", "nom", "theme", "difficulte", "types", "module", "expediteur_nom",
                 "expediteur_adresse", "objet", "corps_html", "corps_texte", "indices",
                 "lecon"],
    "properties": {
        "cle": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": 60},
        "nom": {"type": "string", "minLength": 5, "maxLength": 120},
        "theme": {"type": "string", "minLength": 3, "maxLength": 80},
        "difficulte": {"enum": list(DIFFICULTIES)},
        "types": {"type": "array", "minItems": 1, "uniqueItems": True,
                  "items": {"enum": ORGANISATION_KINDS}},
        "module": {"enum": MODULES},
        "expediteur_nom": {"type": "string", "minLength": 2, "maxLength": 100,
                           "pattern": r"^[^\r\n{}<>]*$"},
        "expediteur_adresse": {"type": "string", "maxLength": 150, "pattern": _ADDRESS},
        "objet": {"type": "string", "minLength": 5, "maxLength": 200,
                  "pattern": r"^[^\r\n]*$"},
        "corps_html": {"type": "string", "minLength": 50, "maxLength": 20000},
        "corps_texte": {"type": "string", "minLength": 50, "maxLength": 10000},
        "indices": {
            "type": "array", "minItems": 2, "maxItems": 10,
            "items": {
                "type": "object", "additionalProperties": False,
                "required": ["type", "extrait", "explication"],
                "properties": {
                    "type": {"enum": list(CLUE_TYPES)},
                    "extrait": {**_TEXT, "maxLength": 300},
                    "explication": {"type": "string", "minLength": 20, "maxLength": 400},
                },
            },
        },
        "formulaire": {
            "type": "object", "additionalProperties": False,
            "required": ["titre", "champs"],
            "properties": {
                "titre": {"type": "string", "minLength": 3, "maxLength": 100},
                "champs": {"type": "array", "minItems": 1, "maxItems": 4,
                           "uniqueItems": True,
                           "items": {"type": "string", "minLength": 2, "maxLength": 60}},
            },
        },
        "lecon": {"type": "array", "minItems": 3, "maxItems": 5,
                  "items": {"type": "string", "minLength": 10, "maxLength": 300}},
    },
}


class LibraryError(Exception):
    """A template file that does not follow the format (the message names file and line)."""


@dataclass(frozen=True)
class Clue:
    type: str  # a key of CLUE_TYPES
    excerpt: str  # the exact words of the e-mail, as written in the file
    explanation: str
    location: str  # where the words are: "objet", "expediteur" or "corps" (LOCATIONS)

    @property
    def type_label(self) -> str:
        return CLUE_TYPES[self.type]


@dataclass(frozen=True)
class SignInForm:
    """The optional fake sign-in page: its title and the labels of its fields. What is
    typed there is never sent to the server (only that a submission happened)."""

    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    theme: str
    difficulty: int  # 1 facile, 2 moyen, 3 difficile
    kinds: tuple[str, ...]
    module: str  # a key of MODULES
    sender_name: str
    sender_address: str
    subject: str  # with placeholders: see render()
    html: str
    text: str
    clues: tuple[Clue, ...]
    lesson: tuple[str, ...]
    form: SignInForm | None = None

    @property
    def difficulty_label(self) -> str:
        return DIFFICULTIES[self.difficulty]

    @property
    def has_pixel(self) -> bool:
        return "{{pixel}}" in self.html

    def applies(self, organisation_kind: str) -> bool:
        return organisation_kind in self.kinds

    def clues_in(self, location: str) -> tuple[Clue, ...]:
        """The clues found in the subject, the sender or the body."""
        return tuple(clue for clue in self.clues if clue.location == location)


# {{ followed by anything up to }} (or the end of the line): each must be a known name.
_BRACES = re.compile(r"\{\{(.*?)(\}\}|$)", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{\{(" + "|".join(PLACEHOLDERS) + r")\}\}")
_URL = re.compile(r"(https?:)?//[a-z0-9]|javascript:|data:|vbscript:", re.IGNORECASE)
_PIXEL_TAG = re.compile(r"<img\b[^>]*\{\{pixel\}\}[^>]*>", re.IGNORECASE)
# Tags a simulation e-mail never needs, and that would run, submit or load something.
_FORBIDDEN_TAGS = {"script", "form", "input", "button", "textarea", "select", "option",
                   "iframe", "frame", "frameset", "object", "embed", "applet", "link",
                   "meta", "base", "style", "svg", "math", "video", "audio", "source",
                   "track", "picture", "noscript", "template"}
# Attributes that load or send something (besides href and src, checked apart).
_FORBIDDEN_ATTRIBUTES = {"action", "formaction", "srcset", "background", "poster", "data",
                         "xlink:href", "lowsrc", "dynsrc", "ping", "codebase", "cite",
                         "longdesc", "manifest", "usemap"}


def _spaces(text: str) -> str:
    return " ".join(text.split())


class _HtmlCheck(HTMLParser):
    """Walks corps_html; `problems` gets (line in the value, message) for every tag or
    attribute refused, `visible` the text a reader sees."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[int, str]] = []
        self.visible: list[str] = []
        self.links = 0

    def _refuse(self, message: str) -> None:
        self.problems.append((self.getpos()[0], message))

    def handle_starttag(self, tag, attrs):
        if tag in _FORBIDDEN_TAGS:
            self._refuse(f"la balise <{tag}> est interdite dans corps_html")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._refuse(f"l'attribut « {name} » (un script) est interdit")
            elif name in _FORBIDDEN_ATTRIBUTES:
                self._refuse(f"l'attribut « {name} » est interdit")
            elif name == "href":
                if value != "{{lien}}":
                    self._refuse(f"le lien « {value} » doit être exactement {{{{lien}}}} "
                                 "(le lien suivi)")
                self.links += 1
            elif name == "src":
                if tag != "img" or value != "{{pixel}}":
                    self._refuse(f"la source « {value} » est interdite : la seule image "
                                 "permise est <img src=\"{{pixel}}\">")
            elif "{{lien}}" in value or "{{pixel}}" in value:
                self._refuse(f"{{{{lien}}}} et {{{{pixel}}}} ne vont que dans href et src, "
                             f"pas dans « {name} »")
            elif name == "style" and re.search(r"url\s*\(|expression\s*\(|@import", value,
                                               re.IGNORECASE):
                self._refuse("un style ne charge rien (pas de url(), d'expression ni "
                             "d'@import)")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if "{{pixel}}" in data or "{{lien}}" in data:
            self._refuse("{{lien}} et {{pixel}} ne vont que dans href et src, pas dans le "
                         "texte du corps_html")
        self.visible.append(data)

    def handle_comment(self, data):
        self._refuse("pas de commentaire dans corps_html (il pourrait cacher du code)")

    def handle_decl(self, decl):
        if not decl.lower().startswith("doctype"):
            self._refuse(f"déclaration <!{decl}> interdite")

    def handle_pi(self, data):
        self._refuse("instruction <?…> interdite")

    def unknown_decl(self, data):
        self._refuse(f"déclaration <![{data}]> interdite")


class _Lines:
    """The line of the file of a position inside a value: exact in a literal block (|),
    else the line where the value starts."""

    def __init__(self, text: str, lines: dict, filename: str):
        self.source = text.splitlines()
        self.lines = lines
        self.filename = filename

    def of(self, path: tuple, value: str = "", offset: int | None = None,
           value_line: int | None = None) -> int:
        start = self.lines.get(path, 1)
        indicator = self.source[start - 1].rstrip() if start <= len(self.source) else ""
        if re.search(r"\|[-+0-9]*$", indicator):
            if value_line is not None:
                return start + value_line
            if offset is not None:
                return start + 1 + value[:offset].count("\n")
        return start

    def error(self, line: int, message: str) -> LibraryError:
        return LibraryError(f"{self.filename}:{line} — {message}")


def _check_placeholders(data: dict, where: _Lines) -> None:
    for field, allowed in _ALLOWED.items():
        value = data[field]
        for match in _BRACES.finditer(value):
            name = match.group(1)
            line = where.of((field,), value, match.start())
            if not match.group(2):
                raise where.error(line, f"{field} : « {{{{{name} » n'est pas fermé par }}}}")
            if name not in PLACEHOLDERS:
                raise where.error(line, f"{field} : {{{{{name}}}}} n'est pas une variable "
                                        f"connue ({', '.join(PLACEHOLDERS)})")
            if name not in allowed:
                raise where.error(line, f"{field} : {{{{{name}}}}} n'a pas sa place ici "
                                        f"(permises : {', '.join(sorted(allowed))})")
    if "{{lien}}" not in data["corps_texte"]:
        raise where.error(where.of(("corps_texte",)),
                          "corps_texte : il faut le lien suivi {{lien}}")


def _check_urls(data: dict, where: _Lines) -> None:
    for field in ("objet", "corps_texte", "corps_html"):
        value = data[field]
        if match := _URL.search(value):
            raise where.error(where.of((field,), value, match.start()),
                              f"{field} : pas d'adresse web écrite en clair "
                              f"(« {match.group(0)}… ») ; le seul lien est {{{{lien}}}}")


def _check_html(data: dict, where: _Lines) -> str:
    """The visible text of corps_html, once it passed the checks."""
    check = _HtmlCheck()
    check.feed(data["corps_html"])
    check.close()
    if check.problems:
        line, message = check.problems[0]
        raise where.error(where.of(("corps_html",), value_line=line),
                          f"corps_html : {message}")
    if not check.links:
        raise where.error(where.of(("corps_html",)),
                          "corps_html : il faut au moins un lien <a href=\"{{lien}}\">")
    return _spaces("".join(check.visible))


def _clues(data: dict, visible_html: str, where: _Lines) -> tuple[Clue, ...]:
    places = {"objet": _spaces(data["objet"]),
              "expediteur": _spaces(f"{data['expediteur_nom']} {data['expediteur_adresse']}"),
              "corps": _spaces(data["corps_texte"])}
    found = []
    for index, item in enumerate(data["indices"]):
        excerpt = _spaces(item["extrait"])
        line = where.of(("indices", index, "extrait"))
        if "{{" in excerpt:
            raise where.error(line, "indices : un extrait ne contient pas de variable")
        location = next((place for place in LOCATIONS if excerpt in places[place]), None)
        if location is None:
            raise where.error(line, f"indices : l'extrait « {excerpt} » n'est ni dans "
                                    "l'objet, ni dans l'expéditeur, ni dans corps_texte")
        if location == "corps" and excerpt not in visible_html:
            raise where.error(line, f"indices : l'extrait « {excerpt} » est dans corps_texte "
                                    "mais pas dans le texte de corps_html")
        found.append(Clue(type=item["type"], excerpt=excerpt,
                          explanation=_spaces(item["explication"]), location=location))
    return tuple(found)


def parse(text: str, filename: str) -> Template:
    """The template of one file's text (LibraryError naming the file and line)."""
    data, lines = load_validated(text, filename, SCHEMA, LibraryError)
    where = _Lines(text, lines, filename)
    _check_placeholders(data, where)
    visible_html = _check_html(data, where)
    _check_urls(data, where)
    clues = _clues(data, visible_html, where)
    form = data.get("formulaire")
    return Template(
        key=data["cle"], name=_spaces(data["nom"]), theme=_spaces(data["theme"]),
        difficulty=data["difficulte"], kinds=tuple(data["types"]), module=data["module"],
        sender_name=_spaces(data["expediteur_nom"]),
        sender_address=data["expediteur_adresse"], subject=_spaces(data["objet"]),
        html=data["corps_html"].strip() + "\n", text=data["corps_texte"].strip() + "\n",
        clues=clues, lesson=tuple(map(_spaces, data["lecon"])),
        form=SignInForm(title=_spaces(form["titre"]),
                        fields=tuple(map(_spaces, form["champs"]))) if form else None)


def _sort_key(template: Template) -> tuple:
    plain = unicodedata.normalize("NFKD", template.name)
    return (template.difficulty,
            "".join(c for c in plain if not unicodedata.combining(c)).casefold(),
            template.key)


@cache
def templates(directory: Path = LIBRARY_DIR) -> tuple[Template, ...]:
    """Every template of `directory`, easiest first, then by name."""
    found = []
    for path in sorted(directory.glob("*.yaml")):
        item = parse(path.read_text(encoding="utf-8"), path.name)
        if item.key != path.stem:
            raise LibraryError(f"{path.name}:1 — la clé « {item.key} » doit être le nom du "
                               "fichier")
        found.append(item)
    return tuple(sorted(found, key=_sort_key))


@cache
def _by_key() -> dict[str, Template]:
    return {item.key: item for item in templates()}


def template(key: str) -> Template:
    """The template of that key (KeyError if there is none)."""
    return _by_key()[key]


def for_kind(organisation_kind: str) -> tuple[Template, ...]:
    """The templates suited to this kind of organisation, in the order of templates()."""
    return tuple(item for item in templates() if item.applies(organisation_kind))


def render(template: Template, variables: Mapping[str, str]) -> tuple[str, str, str]:
    """(subject, html, text) of the template for one recipient.

    `variables` takes the names of PLACEHOLDERS (another name is a ValueError). Values are
    HTML-escaped in the HTML body, put on one line in the subject, kept as they are in the
    text. A missing prenom, nom or structure is rendered empty; a missing lien is a KeyError
    (every template has one); without pixel, its <img> is left out (a preview)."""
    unknown = set(variables) - set(PLACEHOLDERS)
    if unknown:
        raise ValueError(f"variables inconnues : {', '.join(sorted(unknown))}")
    if not variables.get("lien"):
        raise KeyError("lien")
    values = {name: str(variables.get(name) or "") for name in PLACEHOLDERS}
    html = template.html if values["pixel"] else _PIXEL_TAG.sub("", template.html)

    def fill(text: str, transform) -> str:
        # One pass: a value that contains "{{nom}}" stays as it is.
        return _PLACEHOLDER.sub(lambda match: transform(values[match.group(1)]), text)

    return (fill(template.subject, _spaces),
            fill(html, lambda value: html_lib.escape(value, quote=True)),
            fill(template.text, str))
