"""The platform console's alert queue: filter, sort, open, assign, and mark an alert's outcome."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from fraudlink.exchange.node import Node
from fraudlink.store import NotFoundError
from fraudlink.store.alert_work import ALERT_WORKERS
from fraudlink.store.tables import ALERT_STATUSES
from fraudlink.web import htmx, security, staff_lang
from fraudlink.web import vendor as _vendor  # noqa: F401  (the templates' vendor() helper)
from fraudlink.web.deps import AuditDep, NodeDep, Staff, requires
from fraudlink.web.queue_cache import QueueCache, QueueView
from fraudlink.web.templating import ZONE, templates

router = APIRouter(include_in_schema=False)
log = logging.getLogger("fraudlink.web")
# The language switch serves the staff pages, which this router's pages head.
router.include_router(staff_lang.router)
AnalystDep = Annotated[Staff, Depends(requires(*ALERT_WORKERS))]
SEVERITIES = ("critical", "high", "medium", "low")
WHO = ("mine", "unassigned")  # the queue's assignee filter; anything else: everyone's
MAX_PAGE = 10_000


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _start_of(day: date | None, days: int = 0) -> datetime | None:
    """Midnight at the start of ``day`` (plus ``days``) in the console's time zone."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days), time(0), tzinfo=ZONE)


@router.get("/", include_in_schema=False)
def home(node: NodeDep) -> Response:
    return RedirectResponse("/inbox" if node.info.role == "police" else "/alerts", status_code=303)


@router.get("/alerts", response_class=HTMLResponse)
async def alert_queue(
    request: Request,
    node: NodeDep,
    staff: AnalystDep,
    rule: str | None = None,
    severity: str | None = None,
    status: str | None = "open",
    sort: str = "score",
    limit: int = 100,
    page: int = 1,
    who: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    """The queue; to htmx (filters, sort, pages), only the table part of the page.

    ``since`` and ``until`` are days (YYYY-MM-DD) in the console's time zone, both
    included; a day that is not one is ignored and shown back empty.
    """
    status = status if status in ALERT_STATUSES else None
    per = max(1, min(limit, 500))
    page = max(1, min(page, MAX_PAGE))
    first_day, last_day = _day(since), _day(until)
    query = {"rule": rule or "", "severity": severity or "", "status": status or "",
             "sort": sort, "limit": per, "who": who if who in WHO else "",
             "since": first_day.isoformat() if first_day else "",
             "until": last_day.isoformat() if last_day else ""}  # fmt: skip
    context: dict[str, Any] = {"staff": staff, "rule": rule, "severity": severity,
                               "status": status, "sort": sort, "severities": SEVERITIES,
                               "statuses": ALERT_STATUSES, "page": page, "query": query,
                               "who": query["who"], "whos": WHO}  # fmt: skip
    cache: QueueCache = request.app.state.queue_cache
    filters = _assignee_filter(who, staff)
    key = (staff_lang.lang_of(request), tuple(query.items()), page, tuple(filters.items()))

    def build() -> QueueView:
        with node.store() as store:
            found, total, rules = store.alert_queue(
                status=status, rule_id=rule or None,
                severity=severity if severity in SEVERITIES else None,
                by="time" if sort == "time" else "score", limit=per, offset=(page - 1) * per,
                since=_start_of(first_day), until=_start_of(last_day, days=1), **filters,
            )  # fmt: skip
        table = {"alerts": found, "total": total, "first": (page - 1) * per,
                 "pages": min(max(1, -(-total // per)), MAX_PAGE)}  # fmt: skip
        return QueueView(rules, htmx.render_block(request, "alerts.html", "queue",
                                                  {**context, **table}))  # fmt: skip

    # A kept view is served on the event loop, an expired one too while one rebuild runs
    # in the background (queue_cache.claim); only a missing view is built before answering.
    view, ticket = cache.claim(key)
    if view is None:
        view = await run_in_threadpool(cache.view, key, build)
    elif ticket is not None:
        _in_background(cache.rebuild, key, build, ticket)
    if htmx.wants_fragment(request):
        return HTMLResponse(view.table_html, headers=htmx.VARY)
    # The table was rendered by the same autoescaping template: it is HTML already.
    context |= {"rules": view.rules, "queue_html": Markup(view.table_html)}  # noqa: S704
    return templates.TemplateResponse(request, "alerts.html", context, headers=htmx.VARY)


def _in_background(work: Callable[..., object], *args: Any) -> None:
    """Run ``work`` in a thread after this response, logging (not raising) its failure."""

    def run() -> None:
        try:
            work(*args)
        except Exception:
            log.exception("rebuilding the alert queue failed; the next view will try again")

    threading.Thread(target=run, name="queue-rebuild", daemon=True).start()


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(
    request: Request, alert_id: str, node: NodeDep, audit: AuditDep, staff: AnalystDep
) -> Response:
    with node.store() as store:
        alert = store.get_alert(alert_id)
        workers = store.alert_workers(staff.user.org)
    if alert is not None:
        audit.append(staff.name, "alert.view", alert_id)
    if alert is None:
        missing = {"staff": staff, "message": "No such alert."}
        return templates.TemplateResponse(request, "error.html", missing, status_code=404)
    context = {"staff": staff, "alert": alert, "statuses": ALERT_STATUSES, "workers": workers}
    return templates.TemplateResponse(request, "alert.html", context)


@router.post("/alerts/{alert_id}/status")
def set_status(
    request: Request,
    alert_id: str,
    node: NodeDep,
    staff: AnalystDep,
    status: Annotated[str, Form(max_length=32)],
    csrf: Annotated[str, Form(max_length=128)],
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Record the outcome (true / false positive, closed, or open again) with a note; the
    verdicts feed the backtest labels (`fraudlink alerts labels`)."""
    if refused := _forged(node, staff, csrf, f"/alerts/{alert_id}/status"):
        return refused
    if status not in ALERT_STATUSES:
        return Response(f"status must be one of {', '.join(ALERT_STATUSES)}\n", status_code=422)
    with node.store() as store:
        try:
            store.dispose_alert(alert_id, status, by=staff.user.username, actor=staff.name,
                                note=note)  # fmt: skip
        except NotFoundError:
            return Response("no such alert\n", status_code=404)
    request.app.state.queue_cache.clear()
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


# -- assignment ---------------------------------------------------------------------


def _assignee_filter(who: str | None, staff: Staff) -> dict[str, Any]:
    """The store's queue filter for "mine" / "unassigned"; anything else shows everyone's."""
    if who == "mine":
        return {"assignee": staff.user.username}
    if who == "unassigned":
        return {"unassigned": True}
    return {}


def _forged(node: Node, staff: Staff, csrf: str, path: str) -> Response | None:
    """A 403 (audited) when the form's token is not the session's, else None."""
    if security.same(staff.session.csrf_token, csrf):
        return None
    with node.store() as store:
        store.append_audit(staff.name, "access.denied", path, {"reason": "csrf"})
    return Response("forged request refused\n", status_code=403)


@router.post("/alerts/{alert_id}/assign")
def assign(
    request: Request,
    alert_id: str,
    node: NodeDep,
    staff: AnalystDep,
    csrf: Annotated[str, Form(max_length=128)],
    assignee: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Give the alert to an analyst of the same organisation (empty: to nobody)."""
    if refused := _forged(node, staff, csrf, f"/alerts/{alert_id}/assign"):
        return refused
    with node.store() as store:
        try:
            store.assign_alert(alert_id, assignee or None, org=staff.user.org, actor=staff.name)
        except NotFoundError:
            return Response("no such alert\n", status_code=404)
        except ValueError as exc:
            # Someone outside the organisation, disabled, or without the role: refused and
            # kept in the audit log like any other refused access.
            store.append_audit(staff.name, "access.denied", f"/alerts/{alert_id}/assign",
                               {"reason": "assignee", "assignee": assignee})  # fmt: skip
            return templates.TemplateResponse(request, "error.html",
                                              {"staff": staff, "message": str(exc)},
                                              status_code=422)  # fmt: skip
    request.app.state.queue_cache.clear()
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)
