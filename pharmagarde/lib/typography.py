"""French typography at render time: the no-break spaces before ; : ? ! and inside « ».

Content is written with ordinary spaces ("Avez-vous un Wi-Fi ?"), which lets a browser break
the line before the mark and start the next line with "?". Rather than ask every author to
type invisible characters, the text is corrected when it is shown, and only in French.

The spaces follow the Imprimerie nationale's Lexique: a no-break space (U+00A0, as wide as a
word space) before the colon; a narrow no-break space (U+202F) before ; ? ! and inside « ».

Nothing is touched where the mark is not French punctuation: a mark without a space before it
(10:30, 1:2, http://, "Attention!"), a mark followed by something else than a space or a
closing sign ("?q=1", " :: "), a URL, and `code` between backticks.
"""

import re

NBSP = "\u00a0"
NNBSP = "\u202f"

# Horizontal spaces only: a real line break before a mark is the author's choice.
_SPACES = "[ \t\u00a0\u202f\u2009]"
# A URL or `code` is copied as it is.
_PROTECTED = re.compile(r"(`[^`]*`|\b[a-zA-Z][a-zA-Z0-9+.\-]*://\S+|\bwww\.\S+)")
# What may follow a punctuation mark: the end, a space, or a closing sign (& and < for the
# entity or tag that follows in escaped HTML); ? and ! may also be doubled ("?!").
_END = r"$|[\s»)\]\"'’”.,…&<]"
_BEFORE_COLON = re.compile(_SPACES + r"+(:)(?=" + _END + ")")
_BEFORE_OTHERS = re.compile(_SPACES + r"+([;?!])(?=[?!]|" + _END + ")")
_AFTER_OPENING = re.compile("«" + _SPACES + "*")
_BEFORE_CLOSING = re.compile(_SPACES + "*»")

_MARKS = re.compile("[:;?!«»]")

# HTML: only the text between tags changes, and never inside these elements.
_TAG = re.compile(r"(<[^>]*>)")
_VERBATIM = re.compile(r"<(/?)(code|kbd|pre|samp|script|style|svg|textarea)\b", re.IGNORECASE)


def _spacing(text: str) -> str:
    text = _AFTER_OPENING.sub("«" + NNBSP, text)
    text = _BEFORE_CLOSING.sub(NNBSP + "»", text)
    text = _BEFORE_COLON.sub(NBSP + r"\1", text)
    return _BEFORE_OTHERS.sub(NNBSP + r"\1", text)


def french_spacing(text: str) -> str:
    """The text with no-break spaces before ; : ? ! and inside « ». Idempotent."""
    if "`" not in text and "://" not in text and "www." not in text:
        return _spacing(text)
    parts = _PROTECTED.split(text)
    # split() with one group: even indexes are prose, odd ones are URLs and code.
    return "".join(part if index % 2 else _spacing(part) for index, part in enumerate(parts))


def french_spacing_html(html: str) -> str:
    """french_spacing applied to the text of an HTML fragment, never to its tags.

    The fragment must already be safe (escaped): only no-break spaces are added, so it stays
    exactly as safe as it was.
    """
    parts = _TAG.split(html)
    verbatim = 0
    for index in range(0, len(parts), 2):
        # Most text between tags is indentation or has no mark: nothing to do.
        if not verbatim and _MARKS.search(parts[index]):
            parts[index] = french_spacing(parts[index])
        if index + 1 < len(parts):
            opening = _VERBATIM.match(parts[index + 1])
            if opening:
                verbatim = max(0, verbatim + (-1 if opening.group(1) else 1))
    return "".join(parts)
