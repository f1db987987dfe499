"""A campaign's public addresses, under /p/<token>/ (no account: the token is the right to
answer, an unknown one gets a plain 404): the open pixel, the tracked link and its teaching
page (after the fake sign-in page when the campaign has one), the teaching page's second
step, and « report this e-mail ».

Each hit is tracking.find (one indexed lookup) then tracking.record (one insert, one
UPDATE). The teaching page shows the e-mail as it was received, its links disabled and its
images left out, every clue highlighted with a numbered note."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_cache_control
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from .. import modules, sending, tracking
from ..models import Event, Recipient

# A transparent 1×1 GIF.
PIXEL = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00"
         b"\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
LOCATIONS = ("objet", "expediteur", "corps")


# The e-mail as received, its clues highlighted ------------------------------------------

@dataclass(frozen=True)
class Clue:
    number: int
    type: str
    excerpt: str
    explanation: str
    location: str  # "objet", "expediteur" or "corps"

    @property
    def type_label(self) -> str:
        from ..library import CLUE_TYPES

        return CLUE_TYPES.get(self.type, self.type)


def _clues(content: dict, subject: str, sender: str) -> list[Clue]:
    """The content's clues, numbered; those saved without a location placed where their
    words are (a custom template's clues use the library's French keys)."""
    found = []
    for item in content.get("clues") or []:
        excerpt = " ".join(str(item.get("excerpt") or item.get("extrait") or "").split())
        if not excerpt:
            continue
        location = item.get("location")
        if location not in LOCATIONS:
            location = ("objet" if excerpt in " ".join(subject.split()) else
                        "expediteur" if excerpt in sender else "corps")
        found.append(Clue(number=len(found) + 1, type=str(item.get("type", "")),
                          excerpt=excerpt,
                          explanation=str(item.get("explanation")
                                          or item.get("explication") or ""),
                          location=location))
    return found


def _pattern(excerpt: str) -> re.Pattern:
    return re.compile(r"\s+".join(re.escape(word) for word in excerpt.split()))


def highlight(text: str, clues: list[Clue], placed: set[int]) -> SafeString:
    """`text` escaped, each clue not yet placed wrapped in <mark> with its number where it
    first appears (its number then added to `placed`)."""
    best = None
    for clue in clues:
        if clue.number in placed:
            continue
        match = _pattern(clue.excerpt).search(text)
        if match and (best is None or match.start() < best[1].start()):
            best = (clue, match)
    if best is None:
        return escape(text)
    clue, match = best
    placed.add(clue.number)
    return format_html('{}<mark id="indice-{}-texte">{}</mark><sup><a href="#indice-{}">{}'
                       '</a></sup>{}', text[:match.start()], clue.number, match.group(0),
                       clue.number, clue.number, highlight(text[match.end():], clues, placed))


# Tags kept from the message, without any attribute but the table's spans; links become
# underlined text, images are left out (the pixel, and anything loaded from elsewhere).
_KEPT = {"p", "br", "b", "strong", "i", "em", "u", "s", "small", "sub", "sup", "ul", "ol",
         "li", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "h1", "h2",
         "h3", "h4", "h5", "h6", "div", "span", "blockquote", "hr", "pre", "code", "center"}
_VOID = {"br", "hr"}
_SKIPPED = {"script", "style", "title", "head", "template", "noscript", "iframe", "object",
            "svg", "math", "textarea", "select", "button"}
_SPANS = {"colspan", "rowspan"}


class _Rewriter(HTMLParser):
    def __init__(self, clues: list[Clue], placed: set[int]):
        super().__init__(convert_charrefs=True)
        self.clues, self.placed = clues, placed
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag == "a":
            self.out.append('<u class="helptext">')
            self.open.append("u")
        elif tag in _KEPT:
            spans = "".join(f' {name}="{escape(value)}"' for name, value in attrs
                            if name in _SPANS and (value or "").isdigit())
            self.out.append(f"<{tag}{spans}>")
            if tag not in _VOID:
                self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        if tag in _VOID and not self.skipping:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        wanted = "u" if tag == "a" else tag
        if wanted in self.open:
            while self.open:
                closing = self.open.pop()
                self.out.append(f"</{closing}>")
                if closing == wanted:
                    break

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(highlight(data, self.clues, self.placed))

    def result(self) -> SafeString:
        self.close()
        # Every piece is escaped text or a tag written here without its attributes.
        return mark_safe("".join(self.out)  # noqa: S308 - see above
                         + "".join(f"</{tag}>" for tag in reversed(self.open)))


def body_html(html: str, clues: list[Clue], placed: set[int]) -> SafeString:
    """The message's HTML rebuilt from scratch: known tags only, no attribute that loads
    or sends anything, links disabled, the clues of the body highlighted."""
    rewriter = _Rewriter([clue for clue in clues if clue.location == "corps"], placed)
    rewriter.feed(html)
    return rewriter.result()


def body_text(text: str, clues: list[Clue], placed: set[int]) -> SafeString:
    body = [clue for clue in clues if clue.location == "corps"]
    paragraphs = [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return format_html_join("", "<p>{}</p>", (
        (mark_safe(highlight(part, body, placed).replace("\n", "<br>")),)  # noqa: S308 - escaped by highlight
        for part in paragraphs))


@dataclass(frozen=True)
class Received:
    sender: SafeString
    subject: SafeString
    body: SafeString
    clues: list[Clue]


def received(recipient: Recipient) -> Received:
    """The e-mail this recipient received, with this person's values, ready to show."""
    content = recipient.campaign.content or {}
    # The links are disabled: the tracked address is never written into the page.
    values = {"prenom": recipient.first_name, "nom": recipient.last_name,
              "structure": recipient.organisation.name, "lien": "", "pixel": ""}
    subject = sending.fill(str(content.get("subject", "")), values, html=False)
    sender = " ".join(f"{content.get('sender_name', '')} "
                      f"{content.get('sender_address', '')}".split())
    clues = _clues(content, subject, sender)
    placed: set[int] = set()
    header = {place: [clue for clue in clues if clue.location == place]
              for place in ("objet", "expediteur")}
    sender_html = highlight(sender, header["expediteur"], placed)
    subject_html = highlight(" ".join(subject.split()), header["objet"], placed)
    if content.get("html"):
        body = body_html(sending.fill(str(content["html"]), values, html=True), clues,
                         placed)
    else:
        body = body_text(sending.fill(str(content.get("text", "")), values, html=False),
                         clues, placed)
    return Received(sender_html, subject_html, body, clues)


# The answers ---------------------------------------------------------------------------

def _public(response: HttpResponse) -> HttpResponse:
    """What every answer of these addresses says: never indexed, never kept, and the token
    never sent on to another site in a Referer."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    patch_cache_control(response, no_store=True, private=True)
    return response


def _unknown(request) -> HttpResponse:
    return _public(render(request, "awareness/teach_unknown.html", status=404))


def _enrolment(recipient: Recipient, hit: tracking.Hit):
    """The module assigned after the click (training_services, when the campaign enrols
    and the recipient is someone of the staff directory), or None."""
    if hit.scanner or not recipient.campaign.enrol or recipient.person_id is None:
        return None
    try:
        from ..training_services import enrol_after_click
    except ImportError:
        return None
    return enrol_after_click(recipient)


def _teach(request, recipient: Recipient, hit: tracking.Hit, *, submitted=False):
    assignment = _enrolment(recipient, hit)
    content = recipient.campaign.content or {}
    try:
        module = modules.module(assignment.module) if assignment else None
    except KeyError:
        module = None
    return _public(render(request, "awareness/teach.html", {
        "recipient": recipient, "token": recipient.token, "email": received(recipient),
        "lesson": [str(line) for line in content.get("lesson") or []],
        "assignment": assignment, "module": module, "submitted": submitted,
        "form": _sign_in_form(content)}))


def _sign_in_form(content: dict) -> dict | None:
    form = content.get("form")
    if not isinstance(form, dict):
        return None
    title = str(form.get("title") or form.get("titre") or "")
    labels = [str(label) for label in form.get("fields") or form.get("champs") or []]
    if not title or not labels:
        return None
    return {"title": title, "fields": [
        {"id": f"champ-{index}", "label": label,
         "type": "password" if "passe" in label.lower() or "code" in label.lower()
         else "text"} for index, label in enumerate(labels, start=1)]}


def _pixel(request, token, kind: str) -> HttpResponse:
    recipient = tracking.find(token, page=False)
    if recipient is None:
        return _unknown(request)
    tracking.record_request(request, recipient, kind)
    return _public(HttpResponse(PIXEL, content_type="image/gif"))


@require_safe
def awareness_open(request, token):
    return _pixel(request, token, Event.Kind.OPENED)


@require_safe
def awareness_click(request, token):
    recipient = tracking.find(token, page=True)
    if recipient is None:
        return _unknown(request)
    hit = tracking.record_request(request, recipient, Event.Kind.CLICKED)
    form = _sign_in_form(recipient.campaign.content or {})
    if recipient.campaign.fake_form and form:
        _enrolment(recipient, hit)
        return _public(render(request, "awareness/teach_signin.html",
                              {"token": token, "form": form}))
    return _teach(request, recipient, hit)


# The fake form posts here without a CSRF token (it never had one to send); the body is
# never read: request.POST and request.body are not touched.
@csrf_exempt
@require_http_methods(["POST"])
def awareness_submit(request, token):
    recipient = tracking.find(token, page=True)
    if recipient is None:
        return _unknown(request)
    hit = tracking.record_request(request, recipient, Event.Kind.SUBMITTED)
    return _teach(request, recipient, hit, submitted=True)


@require_safe
def awareness_seen(request, token):
    """The teaching page's image: loaded by a browser that showed the page."""
    return _pixel(request, token, Event.Kind.SECOND_STEP)


@require_http_methods(["GET", "HEAD", "POST"])
def awareness_report(request, token):
    recipient = tracking.find(token, page=True)
    if recipient is None:
        return _unknown(request)
    hit = tracking.record_request(request, recipient, Event.Kind.REPORTED)
    return _public(render(request, "awareness/teach_reported.html",
                          {"recipient": recipient, "hit": hit}))


urlpatterns = [
    path("p/<str:token>/", awareness_click, name="awareness_click"),
    path("p/<str:token>/o.gif", awareness_open, name="awareness_open"),
    path("p/<str:token>/vu.gif", awareness_seen, name="awareness_seen"),
    path("p/<str:token>/connexion/", awareness_submit, name="awareness_submit"),
    path("p/<str:token>/signaler/", awareness_report, name="awareness_report"),
]
