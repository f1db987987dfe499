"""Request-wide rules: French first (the interface language is French unless the user chose
another one), request bodies in UTF-8 only, nothing stored by the browser for a signed-in user."""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but only the language the user picked (the footer's
    switcher sets the language cookie) counts, never the browser's Accept-Language: a
    pharmacy's shared computer set up in English still shows the French interface."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class UTF8RequestMiddleware:
    """Answers 400 (the "Demande illisible" page) to a request that declares a character
    set other than UTF-8.

    Why a rule at the door rather than catching the error where it is raised: Django refuses
    a urlencoded body in another charset with BadRequest but leaves the body unparsed, so
    every later reader raises again, including the CSRF check that the 400 and then the 500
    handlers run: the server answered a bare 500, to anonymous visitors too. A multipart body
    in utf-16 or utf-7 is not refused at all, but decoded into something other than what was
    typed. Refusing here, before anything reads the body, covers Django's CSRF check,
    allauth's views, ours, and whatever reads request.POST next.

    Why only UTF-8 rather than "any ASCII-compatible charset": every page is served in UTF-8
    and a browser submits a form in the encoding of its page, so nothing else comes from
    our forms; a list of known-good encodings cannot miss one the way a list of bad ones
    (utf-16, utf-32, utf-7, EBCDIC, unknown names…) can. The declared charset also decodes
    the query string, so the rule holds for every method."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = (request.content_params or {}).get("charset")
        if charset is not None and charset.lower() != "utf-8":
            # The 400 handler checks the CSRF token, which reads request.POST: mark the body
            # as unreadable (an empty POST), as Django does for a body over the size limit.
            request._mark_post_parse_error()
            raise BadRequest(f"Request charset {charset!r} refused: only UTF-8 is read.")
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user: pages,
    exports and evidence files alike. A pharmacy's back-office computer is shared, and what
    a browser keeps on disk (or shows again with the Back button after sign-out) is there
    for the next person at the keyboard. Responses that already say no-store (Django's and
    allauth's sign-in pages, never_cache) are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        already = "no-store" in response.get("Cache-Control", "").lower()
        if user is not None and user.is_authenticated and not already:
            patch_cache_control(response, private=True, no_store=True)
        return response
