"""Where a `next` field may send the user: one rule for every view that goes back."""

import posixpath
import re
from urllib.parse import urlsplit, urlunsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Percent-encoded dot, slash and backslash: browsers decode `%2e` into a dot segment
# (WHATWG URL), and Django decodes all three before routing, so a path holding them does
# not mean to the browser what it means to a check on the raw text.
ENCODED_SEPARATOR = re.compile(r"%(2e|2f|5c)", re.IGNORECASE)


def _is_unsafe_character(char: str) -> bool:
    # Backslash: Chrome reads it as a slash. Controls and spaces: browsers drop tabs and
    # newlines anywhere in a URL, and a newline in a Location header is a server error.
    return char == "\\" or ord(char) <= 0x20 or ord(char) == 0x7F


def _without_dot_segments(path: str) -> str:
    """`path` with `.` and `..` resolved the way a browser resolves them (RFC 3986 §5.2.4),
    for a path without empty segments: posixpath.normpath, plus the trailing slash it drops."""
    normalised = posixpath.normpath(path)
    last_segment = path.rsplit("/", 1)[-1]
    if normalised != "/" and (path.endswith("/") or last_segment in {".", ".."}):
        normalised += "/"
    return normalised


def safe_next_path(request: HttpRequest, target: str | None, *, within: str = "/") -> str | None:
    """`target`, a path of this site under `within` (which ends with a slash), with its dot
    segments resolved and its query kept; None when it is anything else.

    Refused: other hosts and schemes (whatever url_has_allowed_host_and_scheme refuses), a
    path not starting with one slash, empty segments (`//`: after `..` the browser can be
    left with `//host`), backslashes, controls, spaces, and encoded dots or slashes. Checking
    the prefix only after resolving the dot segments is what stops
    `/o/<slug>/plan/../../../x` from walking out of `within`."""
    if not target or any(_is_unsafe_character(char) for char in target):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    path = parts.path
    if (parts.scheme or parts.netloc or not path.startswith("/") or "//" in path
            or ENCODED_SEPARATOR.search(path)):
        return None
    path = _without_dot_segments(path)
    if not path.startswith(within):
        return None
    return urlunsplit(("", "", path, parts.query, parts.fragment))
