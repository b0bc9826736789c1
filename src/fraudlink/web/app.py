"""``create_app(settings)``: the node's FastAPI application, built on demand, never at import."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from fraudlink.exchange import outbox
from fraudlink.exchange.node import Node
from fraudlink.portal.uploads import MAX_FILE, MAX_FILES
from fraudlink.store.audit_batch import AuditBatch
from fraudlink.web import (
    account_routes,
    alert_routes,
    auth_routes,
    exchange_routes,
    freeze_routes,
    payee_routes,
    police_routes,
    portal_routes,
    referral_routes,
)
from fraudlink.web.body_limit import BodyLimit
from fraudlink.web.deps import ForbiddenError, LoginRequiredError
from fraudlink.web.login_guard import LoginGuard
from fraudlink.web.noise_audit import NoiseAudit
from fraudlink.web.page_bodies import PageBodies
from fraudlink.web.payee_routes import PayeeState
from fraudlink.web.queue_cache import QueueCache
from fraudlink.web.security import SecurityHeaders
from fraudlink.web.settings import Settings
from fraudlink.web.templating import templates

log = logging.getLogger("fraudlink.web")


def _pump_loop(node: Node, every: float, stop: threading.Event) -> None:
    """Send what the outbox holds while the server runs; a failure waits for next round."""
    while not stop.wait(every):
        try:
            for attempt in outbox.pump(node):
                log.info("outbox %s → %s: %s", attempt.message.id, attempt.message.peer_org,
                         attempt.state)  # fmt: skip
        except Exception:  # a broken round must not stop the server's inbox
            log.exception("outbox round failed")


def create_app(settings: Settings) -> FastAPI:
    node = Node.load(settings.home, settings.passphrase)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        stop = threading.Event()
        workers = [threading.Thread(target=payee.loop, args=(settings.refresh_every, stop),
                                    name="payee-index", daemon=True)]  # fmt: skip
        if settings.pump_every > 0:
            workers.append(threading.Thread(target=_pump_loop, name="outbox", daemon=True,
                                            args=(node, settings.pump_every, stop)))  # fmt: skip
        for worker in workers:
            worker.start()
        yield
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        app.state.noise.flush()  # the counts of refused noise still open
        app.state.audit.close()  # after the requests in flight: their entries are written

    app = FastAPI(title=f"fraudlink node {node.info.org}", version="1",
                  lifespan=lifespan)  # fmt: skip
    payee = PayeeState(node)
    app.state.node = node
    app.state.settings = settings
    app.state.payee = payee
    app.state.report_limit = portal_routes.RateLimit(settings.workers)
    app.state.payee_limits = payee_routes.PayeeLimits()
    app.state.login_guard = LoginGuard()
    app.state.noise = NoiseAudit(time.monotonic)
    app.state.queue_cache = QueueCache(settings.queue_cache_seconds)
    app.state.audit = AuditBatch(node.store, linger=settings.audit_linger)
    app.state.page_bodies = PageBodies()
    app.state.case_pages = PageBodies(size=128)  # per viewer: the body in its frame
    app.add_middleware(SecurityHeaders, tls=settings.tls)
    # Bodies are cut at their limit as they stream in, chunked or not.
    app.add_middleware(BodyLimit, limits={
        "/report": MAX_FILE * MAX_FILES + 1024 * 1024,
        "/exchange/v1/inbox": settings.max_envelope_bytes,
        "/": 1024 * 1024,  # every form and API call of the console
    })  # fmt: skip
    # The busiest first: a request is matched against each route in turn, at about 15 µs
    # a route, and the case page came 20th. No two routes share a path and method.
    app.include_router(payee_routes.router)
    app.include_router(police_routes.router)
    app.include_router(alert_routes.router)
    app.include_router(exchange_routes.router)
    app.include_router(auth_routes.router)
    app.include_router(referral_routes.router)
    app.include_router(portal_routes.router)
    app.include_router(freeze_routes.router)
    app.include_router(account_routes.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.exception_handler(LoginRequiredError)
    def to_login(request: Request, _: LoginRequiredError) -> Response:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    @app.exception_handler(ForbiddenError)
    def forbidden(request: Request, exc: ForbiddenError) -> Response:
        return templates.TemplateResponse(request, "error.html", {"message": exc.what},
                                          status_code=403)  # fmt: skip

    return app
