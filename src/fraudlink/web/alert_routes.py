"""The platform console's alert queue: filter, sort, open, and mark an alert's outcome."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fraudlink.store import NotFoundError
from fraudlink.store.tables import ALERT_STATUSES
from fraudlink.web import security
from fraudlink.web.deps import NodeDep, Staff, requires
from fraudlink.web.templating import templates

router = APIRouter(include_in_schema=False)
AnalystDep = Annotated[Staff, Depends(requires("analyst", "supervisor", "admin"))]
SEVERITIES = ("critical", "high", "medium", "low")


@router.get("/", include_in_schema=False)
def home(node: NodeDep) -> Response:
    return RedirectResponse("/inbox" if node.info.role == "police" else "/alerts", status_code=303)


@router.get("/alerts", response_class=HTMLResponse)
def alert_queue(
    request: Request,
    node: NodeDep,
    staff: AnalystDep,
    rule: str | None = None,
    severity: str | None = None,
    status: str | None = "open",
    sort: str = "score",
    limit: int = 100,
) -> Response:
    status = status if status in ALERT_STATUSES else None
    with node.store() as store:
        found, total, rules = store.alert_queue(
            status=status, rule_id=rule or None,
            severity=severity if severity in SEVERITIES else None,
            by="time" if sort == "time" else "score", limit=max(1, min(limit, 500)),
        )  # fmt: skip
    context: dict[str, Any] = {"staff": staff, "alerts": found, "total": total, "rule": rule,
                               "severity": severity, "status": status, "sort": sort,
                               "rules": rules, "severities": SEVERITIES,
                               "statuses": ALERT_STATUSES}  # fmt: skip
    return templates.TemplateResponse(request, "alerts.html", context)


@router.get("/alerts/{alert_id}", response_class=HTMLResponse)
def alert_page(request: Request, alert_id: str, node: NodeDep, staff: AnalystDep) -> Response:
    with node.store() as store:
        alert = store.get_alert(alert_id)
        if alert is not None:
            store.append_audit(staff.name, "alert.view", alert_id, {})
    if alert is None:
        missing = {"staff": staff, "message": "No such alert."}
        return templates.TemplateResponse(request, "error.html", missing, status_code=404)
    context = {"staff": staff, "alert": alert, "statuses": ALERT_STATUSES}
    return templates.TemplateResponse(request, "alert.html", context)


@router.post("/alerts/{alert_id}/status")
def set_status(
    alert_id: str,
    node: NodeDep,
    staff: AnalystDep,
    status: Annotated[str, Form(max_length=32)],
    csrf: Annotated[str, Form(max_length=128)],
) -> Response:
    """Record the outcome (true / false positive, closed); it feeds the backtest labels."""
    if not security.same(staff.session.csrf_token, csrf):
        with node.store() as store:
            store.append_audit(staff.name, "access.denied", f"/alerts/{alert_id}/status",
                               {"reason": "csrf"})  # fmt: skip
        return Response("forged request refused\n", status_code=403)
    if status not in ALERT_STATUSES:
        return Response(f"status must be one of {', '.join(ALERT_STATUSES)}\n", status_code=422)
    with node.store() as store:
        try:
            store.set_alert_status(alert_id, status, assigned_to=staff.user.username)
        except NotFoundError:
            return Response("no such alert\n", status_code=404)
        store.append_audit(staff.name, "alert.disposition", alert_id, {"status": status})
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)
