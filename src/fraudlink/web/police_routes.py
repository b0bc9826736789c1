"""The police workbench: referrals received (verified sender, receipt sent), a case page with
its evidence and reasons, and freeze requests to the platform holding an account."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fraudlink.cases import package, referral
from fraudlink.exchange import outbox
from fraudlink.exchange.node import NodeError
from fraudlink.exchange.routes import RouteError
from fraudlink.freeze import service
from fraudlink.interop import source
from fraudlink.model.money import to_minor
from fraudlink.web import security
from fraudlink.web.deps import NodeDep, Staff, requires
from fraudlink.web.templating import templates

router = APIRouter(include_in_schema=False)
InvestigatorDep = Annotated[Staff, Depends(requires("investigator", "supervisor", "admin"))]
SHOWN_ROWS = 50


def _stamp(folder: Path) -> tuple[int, ...]:
    return tuple(p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file())


@lru_cache(maxsize=64)
def _read(folder: str, stamp: tuple[int, ...]) -> source.CaseData:
    # Verified once per version of the files: any change to them changes the stamp.
    return source.read(Path(folder))


def _error(request: Request, staff: Staff, message: str, status: int) -> Response:
    return templates.TemplateResponse(request, "error.html", {"staff": staff, "message": message},
                                      status_code=status)  # fmt: skip


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, node: NodeDep, staff: InvestigatorDep) -> Response:
    with node.store() as store:
        received = list(reversed(store.list_messages(direction="in")))
        freezes = store.list_freezes()
    context = {"staff": staff, "messages": received, "freezes": freezes}
    return templates.TemplateResponse(request, "inbox.html", context)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str, node: NodeDep, staff: InvestigatorDep) -> Response:
    # Need to know: only packages this node received or sent are found, nothing else.
    try:
        folder = referral.find_package(node, case_id)
        data = _read(str(folder), _stamp(folder))
    except NodeError:
        return _error(request, staff, "No such case here.", 404)
    except package.PackageError as exc:
        return _error(request, staff, f"This case's package no longer verifies: {exc}", 409)
    with node.store() as store:
        store.append_audit(staff.name, "case.view", case_id, {})
        freezes = [f for f in store.list_freezes() if f.case_id == case_id]
    holders = {str(r.get("account_id")): str(r.get("org")) for r in data.rows("account")}
    tables: dict[str, Any] = {
        name: {"rows": len(rows), "columns": sorted({k for r in rows[:SHOWN_ROWS] for k in r}),
               "first": rows[:SHOWN_ROWS]}
        for name, rows in data.tables.items() if name != "alerts"
    }  # fmt: skip
    context = {"staff": staff, "m": data.manifest, "tables": tables, "holders": holders,
               "freezes": freezes}  # fmt: skip
    return templates.TemplateResponse(request, "case.html", context)


@router.post("/cases/{case_id}/freeze")
async def request_freeze(
    request: Request,
    case_id: str,
    node: NodeDep,
    staff: InvestigatorDep,
    account: Annotated[str, Form(max_length=128)],
    platform: Annotated[str, Form(max_length=64)],
    amount: Annotated[str, Form(max_length=32)],
    basis: Annotated[str, Form(max_length=500)],
    csrf: Annotated[str, Form(max_length=128)],
    days: Annotated[int, Form(ge=1, le=90)] = 30,
) -> Response:
    if not security.same(staff.session.csrf_token, csrf):
        return Response("forged request refused\n", status_code=403)
    try:
        minor = to_minor(amount, "CNY")
        freeze, _ = service.request(node, platform, account, minor, "CNY", basis,
                                    node.clock() + timedelta(days=days), case_id)  # fmt: skip
    except (ValueError, NodeError, RouteError) as exc:
        return _error(request, staff, f"Freeze not requested: {exc}", 422)
    with node.store() as store:
        store.append_audit(staff.name, "freeze.request.web", freeze.id, {"case": case_id})
    await run_in_threadpool(outbox.pump, node)
    return RedirectResponse(f"/cases/{case_id}#{freeze.id}", status_code=303)
