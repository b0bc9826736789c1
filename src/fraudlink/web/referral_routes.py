"""Refer an alert to the police from the console: preview exactly what goes to whom, then send.

The preview is the case package itself (evidence tables with their row counts and first
rows, the reasons, the handling code), gathered before anything is sealed; sending seals
it to the chosen unit's key, tries delivery at once and shows the signed receipt.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fraudlink.cases import package, referral
from fraudlink.exchange import outbox
from fraudlink.exchange.node import NodeError
from fraudlink.exchange.receipts import Receipt
from fraudlink.exchange.routes import RouteError
from fraudlink.web import security
from fraudlink.web.deps import NodeDep, Staff, requires
from fraudlink.web.templating import templates

router = APIRouter(include_in_schema=False)
AnalystDep = Annotated[Staff, Depends(requires("analyst", "supervisor", "admin"))]
TLPS = ("red", "amber+strict", "amber", "green")
PREVIEW_ROWS = 5


def _police(node: NodeDep) -> list[str]:
    cards = node.directory().keys.values()
    return sorted({e.card.org for e in cards if e.card.role == "police" and e.revoked_at is None})


def _error(request: Request, staff: Staff, message: str, status: int) -> Response:
    return templates.TemplateResponse(request, "error.html", {"staff": staff, "message": message},
                                      status_code=status)  # fmt: skip


@router.get("/alerts/{alert_id}/refer", response_class=HTMLResponse)
async def preview(request: Request, alert_id: str, node: NodeDep, staff: AnalystDep) -> Response:
    events = request.app.state.settings.events
    if events is None:
        return _error(request, staff, "This console has no event files to gather evidence "
                      "from: start it with `fraudlink serve --events PATH`.", 409)  # fmt: skip
    try:
        draft = await run_in_threadpool(referral.open_case, node, [alert_id], events)
        _, tables = referral.read_draft(node, draft.case_id)
    except referral.CaseError as exc:
        return _error(request, staff, str(exc), 404)
    with node.store() as store:
        store.append_audit(staff.name, "case.preview", draft.case_id, {"alert": alert_id})
    shown: dict[str, Any] = {
        name: {"rows": len(rows), "columns": sorted({k for r in rows[:PREVIEW_ROWS] for k in r}),
               "first": rows[:PREVIEW_ROWS]}
        for name, rows in sorted(tables.items())
    }  # fmt: skip
    context = {"staff": staff, "draft": draft, "tables": shown, "police": _police(node),
               "tlps": TLPS, "alert_id": alert_id}  # fmt: skip
    return templates.TemplateResponse(request, "refer.html", context)


@router.post("/cases/{case_id}/refer")
async def send(
    request: Request,
    case_id: str,
    node: NodeDep,
    staff: AnalystDep,
    to: Annotated[str, Form(max_length=64)],
    tlp: Annotated[str, Form(max_length=16)],
    csrf: Annotated[str, Form(max_length=128)],
    may_forward: Annotated[bool, Form()] = False,
) -> Response:
    if not security.same(staff.session.csrf_token, csrf):
        return Response("forged request refused\n", status_code=403)
    if tlp not in TLPS or to not in _police(node):
        return _error(request, staff, "Choose a trusted police unit and a handling code.", 422)
    handling = package.Handling(tlp=tlp, may_forward=may_forward)  # type: ignore[arg-type]
    try:
        message = referral.refer(node, case_id, to, handling=handling)
    except (referral.CaseError, NodeError, RouteError) as exc:
        return _error(request, staff, str(exc), 409)
    with node.store() as store:
        store.append_audit(staff.name, "case.refer.web", case_id, {"to": to, "message": message.id})
    await run_in_threadpool(outbox.pump, node)
    return RedirectResponse(f"/outbox#{message.id}", status_code=303)


StaffOnlyDep = Annotated[Staff, Depends(requires("analyst", "investigator", "supervisor", "admin"))]


@router.get("/outbox", response_class=HTMLResponse)
def outbox_page(request: Request, node: NodeDep, staff: StaffOnlyDep) -> Response:
    with node.store() as store:
        sent = store.list_messages(direction="out")
    rows = []
    for m in reversed(sent):
        receipt = msgspec.json.decode(m.receipt, type=Receipt).body if m.receipt else None
        rows.append({"m": m, "receipt": receipt})
    return templates.TemplateResponse(request, "outbox.html", {"staff": staff, "rows": rows})
