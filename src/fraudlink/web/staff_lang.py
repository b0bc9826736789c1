"""Which language a staff page speaks, and its words from :mod:`.texts_staff`.

A person picks with the switch in the page header, kept in a cookie; until they do, the
browser's ``Accept-Language`` decides, and English when it names neither language. The
templates get ``_(key, **fields)`` for a text and ``lang_links()`` for the switch; the
result is a plain string, so Jinja still escapes it and every field put into it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context

from fraudlink.web.auth_routes import _safe_next
from fraudlink.web.templating import templates
from fraudlink.web.texts_staff import LANGS, TEXTS

COOKIE = "fl_lang"
DEFAULT = "en"
router = APIRouter(include_in_schema=False)


def from_accept_language(header: str) -> str | None:
    """The first of our languages in the header's order of preference (``q``), if any.

    >>> from_accept_language("fr-CH, zh-CN;q=0.9, en;q=0.8")
    'zh'
    >>> from_accept_language("de") is None
    True
    """
    ranked = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if weight > 0:
            ranked.append((-weight, i, tag.strip().lower().split("-")[0]))
    return next((code for _, _, code in sorted(ranked) if code in LANGS), None)


def lang_of(request: Request) -> str:
    # Kept on the request: a page asks for every text it shows (hundreds in the queue).
    known: str | None = getattr(request.state, "staff_lang", None)
    if known is not None:
        return known
    picked = request.cookies.get(COOKIE)
    if picked in LANGS:
        lang = str(picked)
    else:
        lang = from_accept_language(request.headers.get("accept-language", "")) or DEFAULT
    request.state.staff_lang = lang
    return lang


def text(lang: str, key: str, default: str | None = None, **fields: Any) -> str:
    """The text ``key`` in ``lang`` with its fields filled in.

    A key the catalogue lacks is an error (a page would show a label missing), unless the
    key is a value from the data and ``default`` says what to show instead.
    """
    found = TEXTS[lang].get(key)
    if found is None:
        if default is None:
            raise KeyError(f"no staff text {key!r}")
        return default
    return found.format(**fields) if fields else found


@pass_context
def _template_text(context: Context, key: str, default: str | None = None, **fields: Any) -> str:
    request = context.get("request")
    return text(lang_of(request) if request is not None else DEFAULT, key, default, **fields)


@pass_context
def _template_lang(context: Context) -> str:
    request = context.get("request")
    return lang_of(request) if request is not None else DEFAULT


@pass_context
def _lang_links(context: Context) -> list[tuple[str, str, str]]:
    """(code, name, link) for each other language; the link comes back to this page."""
    request: Request | None = context.get("request")
    if request is None:
        return []
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    current = lang_of(request)
    return [(code, TEXTS[code]["lang.name"], f"/lang/{code}?next={quote(here, safe='')}")
            for code in LANGS if code != current]  # fmt: skip


templates.env.globals["_"] = _template_text
templates.env.globals["staff_lang"] = _template_lang
templates.env.globals["lang_links"] = _lang_links


@router.get("/lang/{code}")
def switch(request: Request, code: str, next: str | None = None) -> Response:
    """Keep the choice a year and go back to the page it was made on."""
    if code not in LANGS:
        return Response("no such language\n", status_code=404)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                        secure=request.app.state.settings.tls)  # fmt: skip
    return response
