"""Security headers on every response, and CSRF checks on every form.

The Content-Security-Policy allows scripts and styles only from this origin (no inline
script, no CDN), frames from nowhere and forms only to this origin. HSTS is sent when
the node is served over TLS.

CSRF: a form carries a token that must equal the one bound to the session (or, before
login, to a short-lived cookie); it is compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'")  # fmt: skip
PRE_LOGIN_COOKIE = "fl_csrf"


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, tls: bool) -> None:
        super().__init__(app)
        self.tls = tls

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        headers = response.headers
        headers["Content-Security-Policy"] = CSP
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.url.path not in ("/healthz",) and "cache-control" not in headers:
            headers["Cache-Control"] = "no-store"  # case data never sits in a shared cache
        if self.tls:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        return response


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
