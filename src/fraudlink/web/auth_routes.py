"""Login with password and TOTP, and logout. Both forms are CSRF-protected."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fraudlink.auth.login import authenticate
from fraudlink.web import security, sessions
from fraudlink.web.deps import NodeDep, StaffDep
from fraudlink.web.login_guard import LoginGuard
from fraudlink.web.templating import templates

router = APIRouter(include_in_schema=False)
GENERIC = "Wrong user name, password or code, or the account is locked for a while."


def _safe_next(target: str | None) -> str:
    # Only paths on this site: "//evil.example" and "https://…" would leave it.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _login_page(request: Request, next_path: str, error: str | None, status: int) -> Response:
    token = request.cookies.get(security.PRE_LOGIN_COOKIE) or security.new_token()
    response = templates.TemplateResponse(
        request,
        "login.html",
        {
            "csrf": token,
            "next": next_path,
            "error": error,
            "org": request.app.state.node.info.org,
        },
        status_code=status,
    )
    response.set_cookie(security.PRE_LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.tls, max_age=3600)  # fmt: skip
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, _safe_next(next), None, 200)


@router.post("/login")
def login(
    request: Request,
    node: NodeDep,
    username: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=256)],
    code: Annotated[str, Form(max_length=16)],
    csrf: Annotated[str, Form(max_length=128)],
    next: Annotated[str, Form(max_length=512)] = "/",
) -> Response:
    source = request.client.host if request.client else ""
    if not security.same(request.cookies.get(security.PRE_LOGIN_COOKIE), csrf):
        with node.store() as store:
            store.append_audit(username or "?", "login.failed", f"{username}@{node.info.org}",
                               {"reason": "csrf", "source": source})  # fmt: skip
        return _login_page(request, _safe_next(next), "The form expired; please try again.", 403)
    guard: LoginGuard = request.app.state.login_guard
    tick = time.monotonic()
    wait = guard.wait_s(source, tick)
    if wait:
        request.app.state.noise.refused(node, "login.throttled", source, {"user": username})
        page = _login_page(request, _safe_next(next), GENERIC, 429)
        page.headers["Retry-After"] = str(wait)
        return page
    now = node.clock()
    with node.store() as store:
        known = store.has_logged_in_from(node.info.org, username, source)
        result = authenticate(
            store, node.info.org, username, password, code, now, source, known_source=known
        )
        if not result.ok or result.user is None:
            guard.failed(source, tick)
            return _login_page(request, _safe_next(next), GENERIC, 401)
        guard.succeeded(source)
        settings = request.app.state.settings
        token, _ = sessions.open_session(store, result.user, now, settings.session_lifetime, source)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.tls,
        max_age=int(settings.session_lifetime.total_seconds()),
    )
    response.delete_cookie(security.PRE_LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(
    request: Request, node: NodeDep, staff: StaffDep, csrf: Annotated[str, Form(max_length=128)]
) -> Response:
    if not security.same(staff.session.csrf_token, csrf):
        return Response("forged request refused\n", status_code=403)
    with node.store() as store:
        store.revoke_sessions(node.clock(), token_sha256=staff.session.token_sha256)
        store.append_audit(staff.name, "logout", staff.name, {})
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(sessions.COOKIE)
    return response
