"""The organisation's own phishing templates: their HTML cleaned (nh3), their clues typed as
lines « type | extrait | explication », saving one, the preview, and the choice between a
library template and a custom one (as campaigns and test sends name them).

Why every link becomes {{lien}} and the only image {{pixel}}: a simulation must not send the
staff to a real site (a real phishing page copied with its links, say), and a click must be
counted; the cleaning does it rather than refuse the message."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pharmagarde.core import audit
from pharmagarde.core.concurrency import RevisionConflict

from . import library, sending
from .models import CustomTemplate
from .profile_services import revised_save

TAGS = {"a", "b", "strong", "i", "em", "u", "p", "br", "div", "span", "table", "thead",
        "tbody", "tr", "td", "th", "ul", "ol", "li", "h1", "h2", "h3", "h4", "img", "hr",
        "blockquote", "small", "sub", "sup"}
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height"},
              "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
FIELDS = ("name", "sender_name", "sender_address", "subject", "html", "text", "clues",
          "difficulty", "module", "fake_form")
_BRACES = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_PIXEL_IMG = re.compile(r"<img\b[^>]*\{\{pixel\}\}[^>]*>", re.IGNORECASE)
PREVIEW_VALUES = {"prenom": "Camille", "nom": "Martin", "lien": "#apercu", "pixel": ""}
LIBRARY_PREFIX, CUSTOM_PREFIX = "bibliotheque:", "perso:"


class TemplateConflict(RevisionConflict):
    """Someone else saved the template since the form was shown."""


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "href":
        return "{{lien}}"
    if name == "src":
        return value if value.strip() == "{{pixel}}" else None
    return value


def clean_html(html: str) -> str:
    """The message's HTML with only common e-mail tags, every link to {{lien}}, no image but
    {{pixel}}, and nothing that runs or loads (scripts, styles, forms, event handlers)."""
    cleaned = nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, link_rel=None,
                        clean_content_tags={"script", "style", "title", "head"},
                        attribute_filter=_attribute, strip_comments=True)
    return cleaned.replace("%7B%7Blien%7D%7D", "{{lien}}").replace("%7B%7Bpixel%7D%7D",
                                                                   "{{pixel}}")


_BLOCKS = {"p", "br", "div", "tr", "li", "h1", "h2", "h3", "h4", "table", "ul", "ol"}


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, [])


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _spaces(text: str) -> str:
    return " ".join(text.split())


def check_placeholders(text: str, allowed: set[str], where: str) -> None:
    for match in _BRACES.finditer(text):
        if match.group(1) not in allowed:
            raise ValidationError(_("%(where)s : {{%(name)s}} n'est pas une variable permise "
                                    "ici (permises : %(allowed)s).") % {
                "where": where, "name": match.group(1),
                "allowed": ", ".join("{{" + name + "}}" for name in sorted(allowed))})


def _clue_type(text: str) -> str | None:
    wanted = text.strip().casefold()
    return next((key for key, label in library.CLUE_TYPES.items()
                 if wanted in (key, label.casefold())), None)


def parse_clues(text: str) -> list[dict]:
    """The clues of lines « type | extrait | explication » (ValidationError naming each bad
    line). Blank lines are skipped."""
    clues, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|", 2)]
        if len(parts) != 3 or not all(parts):
            errors.append(_("Ligne %(n)s : écrivez « type | extrait | explication ».")
                          % {"n": number})
            continue
        kind = _clue_type(parts[0])
        if kind is None:
            errors.append(_("Ligne %(n)s : « %(type)s » n'est pas un type d'indice (%(types)s).")
                          % {"n": number, "type": parts[0],
                             "types": ", ".join(library.CLUE_TYPES.values())})
            continue
        clues.append({"type": kind, "extrait": _spaces(parts[1])[:300],
                      "explication": _spaces(parts[2])[:400]})
    if errors:
        raise ValidationError(errors)
    if len(clues) > 10:
        raise ValidationError(_("Dix indices au plus : gardez les plus parlants."))
    return clues


def clues_text(clues: list[dict]) -> str:
    """The lines the form shows for `clues`."""
    labels = library.CLUE_TYPES
    return "\n".join(f"{labels.get(clue['type'], clue['type'])} | {clue['extrait']} | "
                     f"{clue['explication']}" for clue in clues)


def clue_location(excerpt: str, *, subject: str, sender: str, body: str) -> str | None:
    """Where the words of a clue are: "objet", "expediteur", "corps", or None."""
    places = {"objet": _spaces(subject), "expediteur": _spaces(sender),
              "corps": _spaces(body)}
    wanted = _spaces(excerpt)
    return next((place for place in library.LOCATIONS if wanted in places[place]), None)


def check_clues(clues: list[dict], *, subject: str, sender: str, html: str) -> None:
    body = visible_text(html)
    missing = [clue["extrait"] for clue in clues
               if clue_location(clue["extrait"], subject=subject, sender=sender,
                                body=body) is None]
    if missing:
        raise ValidationError(_("Ces extraits ne sont ni dans l'objet, ni dans l'expéditeur, "
                                "ni dans le texte du message : %(list)s. Recopiez les mots "
                                "exacts.") % {"list": " ; ".join(f"« {m} »" for m in missing)})


def text_of(html: str) -> str:
    """A text body made from the HTML one, for the mail readers that show only text."""
    return visible_text(html.replace("{{pixel}}", "")) + "\n\n{{lien}}\n"


def template_save(*, acting_user, organisation, values: dict,
                  template: CustomTemplate | None = None, revision: int | None = None,
                  request=None) -> CustomTemplate:
    """Create or update a custom template; `values` holds FIELDS, its html cleaned here."""
    if template is not None and template.organisation_id != organisation.pk:
        raise ValueError("Ce modèle n'est pas de cette structure.")
    fields = {name: values[name] for name in FIELDS}
    fields["html"] = clean_html(fields["html"])
    fields["text"] = fields["text"].strip() or text_of(fields["html"])
    with transaction.atomic():
        template, changed = revised_save(CustomTemplate, organisation=organisation,
                                         row=template, fields=fields, revision=revision,
                                         conflict=TemplateConflict)
        if not changed:
            return template
        audit.record("awareness.template_saved", actor=acting_user, organisation=organisation,
                     obj=template, request=request, details={"champs": ", ".join(changed)})
    return template


def without_pixel(html: str) -> str:
    """The HTML without its tracking image (a preview or a test counts nothing)."""
    return _PIXEL_IMG.sub("", html)


def preview_html(html: str) -> str:
    """The HTML shown in the page: example values, links that go nowhere, no pixel, and
    cleaned again (the library's inline styles would break the page's CSP)."""
    return sending.fill(without_pixel(clean_html(html)),
                        {**PREVIEW_VALUES, "structure": _("votre structure")}, html=True)


# Which template: a library key or a custom template, as one value in forms. ----------------

@dataclass(frozen=True)
class Choice:
    shared: library.Template | None = None  # from the library
    custom: CustomTemplate | None = None

    @property
    def name(self) -> str:
        return self.shared.name if self.shared else self.custom.name


def choices_for(organisation) -> list[tuple[str, list[tuple[str, str]]]]:
    """The options of a template select: the library's for the kind, then the custom ones."""
    own = CustomTemplate.objects.filter(organisation=organisation).only("pk", "name")
    return [(_("Bibliothèque"), [(LIBRARY_PREFIX + item.key,
                                  f"{item.name} ({item.difficulty_label})")
                                 for item in library.for_kind(organisation.kind)]),
            (_("Vos modèles"), [(f"{CUSTOM_PREFIX}{item.pk}", item.name) for item in own])]


def resolve(value: str, organisation) -> Choice | None:
    """The template a choice value names, if it is one the organisation may use."""
    if value.startswith(LIBRARY_PREFIX):
        key = value.removeprefix(LIBRARY_PREFIX)
        found = next((item for item in library.for_kind(organisation.kind)
                      if item.key == key), None)
        return Choice(shared=found) if found else None
    if value.startswith(CUSTOM_PREFIX) and value.removeprefix(CUSTOM_PREFIX).isdigit():
        custom = CustomTemplate.objects.filter(
            organisation=organisation, pk=int(value.removeprefix(CUSTOM_PREFIX))).first()
        return Choice(custom=custom) if custom else None
    return None
