"""The interface language of the pages: German or English, with Flask-Babel message catalogues.

Choice, first match wins: the ``lang=`` parameter (``de`` or ``en``; it also sets the ``lang``
cookie, so the choice sticks), the ``lang`` cookie, the ``Accept-Language`` header (German for
``de…``), else English. HTML answers carry ``Content-Language`` and ``Vary: Accept-Language,
Cookie``. The catalogue is ``translations/de/LC_MESSAGES/messages.po`` (compiled ``.mo`` committed
beside it; ``tests/test_pages_i18n.py`` fails when a template string has no German translation).
"""

from __future__ import annotations

from importlib.resources import files
from urllib.parse import urlencode

from flask import Flask, Response, request
from flask_babel import Babel, get_locale

#: Interface languages; the first is the fallback.
LANGUAGES = ("en", "de")
COOKIE = "lang"
#: A year: the choice outlives the session.
COOKIE_AGE = 365 * 24 * 3600


def chosen_language(param: str | None, cookie: str | None, accept_best: str | None) -> str:
    """The interface language from the ``lang`` parameter, the cookie and the best Accept-Language match."""
    for candidate in (param, cookie, accept_best):
        if candidate in LANGUAGES:
            return candidate
    return LANGUAGES[0]


def select_locale() -> str:
    best = request.accept_languages.best_match(LANGUAGES[::-1]) if request.accept_languages else None
    return chosen_language(request.args.get("lang"), request.cookies.get(COOKIE), best)


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else LANGUAGES[0]


def label_preference() -> tuple[str, ...]:
    """Languages of data labels in the order to try: the interface language first, then the other one."""
    first = current_language()
    return (first, *(lang for lang in LANGUAGES if lang != first))


def switch_url(lang: str) -> str:
    """This page in ``lang``: the same path and parameters, with ``lang=`` replaced."""
    params = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + "?" + urlencode([*params, ("lang", lang)])


def init_app(app: Flask) -> None:
    directory = str(files("sldkg.web") / "translations")
    Babel(app, locale_selector=select_locale, default_translation_directories=directory)

    @app.context_processor
    def _language() -> dict[str, object]:
        return {"lang": current_language(), "languages": LANGUAGES, "switch_url": switch_url}

    @app.after_request
    def _content_language(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.headers["Content-Language"] = current_language()
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
            chosen = request.args.get("lang")
            if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
                response.set_cookie(COOKIE, chosen, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
        return response
