"""Partial page updates for htmx: the same template, only the part that changes.

A page marks the part htmx swaps as a Jinja ``{% block %}``; an htmx request gets that
block alone, rendered from the same template and context, so the full page (links and
forms without JavaScript) and the fragment cannot drift apart. Back and forward in the
browser reload the whole page (see static/htmx-config.js), and an htmx history restore
asks for the whole page too.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from fraudlink.web.templating import templates

# The same URL answers with a page or a fragment: no cache may give one for the other.
VARY = {"Vary": "HX-Request"}


def wants_fragment(request: Request) -> bool:
    return (request.headers.get("hx-request") == "true"
            and request.headers.get("hx-history-restore-request") != "true")  # fmt: skip


def page_or_block(request: Request, name: str, block: str, context: dict[str, Any]) -> Response:
    """The whole page ``name``, or only its ``block`` when htmx asks for a fragment."""
    if not wants_fragment(request):
        return templates.TemplateResponse(request, name, context, headers=VARY)
    return HTMLResponse(render_block(request, name, block, context), headers=VARY)


def render_block(request: Request, name: str, block: str, context: dict[str, Any]) -> str:
    """Only ``block`` of the template ``name``, as the whole page would render it."""
    template = templates.get_template(name)
    return "".join(template.blocks[block](template.new_context({"request": request, **context})))
