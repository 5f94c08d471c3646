"""Interface languages (Flask-Babel): Dutch or English, from ?lang=, a cookie or the browser's preference.

Translations live in checker/translations/<lang>/LC_MESSAGES/messages.po with the compiled .mo beside them
(committed, so a fresh checkout needs no build step). After changing texts in templates or Python:
  .venv/bin/pybabel extract -F checker/translations/babel.cfg -k _l --no-location \
      -o checker/translations/messages.pot .
  .venv/bin/pybabel update -i checker/translations/messages.pot -d checker/translations
  (translate the new entries in checker/translations/nl/LC_MESSAGES/messages.po)
  .venv/bin/pybabel compile -d checker/translations
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, request, url_for
from flask_babel import Babel, get_locale

LANGUAGES = {"en": "English", "nl": "Nederlands"}  # code -> the language's own name (for the switch)
DEFAULT_LANGUAGE = "en"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
LANG_PARAM = "lang"
LANG_COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()


def init_i18n(app: Flask) -> None:
    """Register Flask-Babel, the language switch and the template helpers on `app`."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_language)
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(current_language=current_language, language_url=language_url,
                                 LANGUAGES=LANGUAGES)


def select_language() -> str:
    """?lang= wins, then the cookie set by an earlier choice, then the browser's preference, then English."""
    chosen = _chosen()
    if chosen:
        return chosen
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of this request's page ("en" outside a request)."""
    locale = get_locale()
    language = locale.language if locale is not None else DEFAULT_LANGUAGE
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def language_url(code: str) -> str:
    """This page's address with ?lang=<code> (other query parameters kept)."""
    args: dict[str, Any] = {k: v for k, v in request.args.lists() if k != LANG_PARAM}
    args[LANG_PARAM] = code
    endpoint = request.endpoint or "pages.upload"
    return url_for(endpoint, **(request.view_args or {}), **args)


def _chosen() -> str | None:
    code = request.args.get(LANG_PARAM, "")
    return code if code in LANGUAGES else None


def _remember_choice(response: Response) -> Response:
    if request.blueprint == "api":
        return response
    chosen = _chosen()
    if chosen and request.cookies.get(LANG_COOKIE) != chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    response.vary.update(("Accept-Language", "Cookie"))
    return response
