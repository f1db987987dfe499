"""htmx requests: every page works as plain HTML; htmx only asks for smaller answers."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx made (it sends HX-Request: true)."""
    return request.headers.get("HX-Request") == "true"
