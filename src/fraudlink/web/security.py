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

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'")  # fmt: skip
PRE_LOGIN_COOKIE = "fl_csrf"


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers as the response starts.

    Starlette's ``BaseHTTPMiddleware`` runs every request through an extra task and
    stream; measured on the payee check at 500 requests/s it added most of the tail.
    """

    def __init__(self, app: ASGIApp, tls: bool) -> None:
        self.app = app
        extra = [
            (b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if tls:
            extra.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        self.extra = extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.extra if k not in names]
                if b"cache-control" not in names and scope["path"] != "/healthz":
                    headers.append((b"cache-control", _cache_rule(scope["path"])))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _cache_rule(path: str) -> bytes:
    """Pages and API answers are never kept (they carry case data); the static files are
    public code and styles, kept by the browser for an hour and checked again after."""
    return b"private, max-age=3600" if path.startswith("/static/") else b"no-store"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
