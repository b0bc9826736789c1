"""Incoming freeze requests on a platform: see what the police asked, hold, confirm."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fraudlink.exchange import outbox
from fraudlink.exchange.node import NodeError
from fraudlink.exchange.routes import RouteError
from fraudlink.freeze import service
from fraudlink.model.money import to_minor
from fraudlink.web import security
from fraudlink.web.deps import NodeDep, Staff, requires
from fraudlink.web.templating import templates

router = APIRouter(include_in_schema=False)
AnalystDep = Annotated[Staff, Depends(requires("analyst", "supervisor", "admin"))]


@router.get("/freezes", response_class=HTMLResponse)
def freezes_page(request: Request, node: NodeDep, staff: AnalystDep) -> Response:
    with node.store() as store:
        found = store.list_freezes()
    return templates.TemplateResponse(request, "freezes.html", {"staff": staff, "freezes": found})


@router.post("/freezes/{freeze_id}/confirm")
async def confirm(
    request: Request,
    freeze_id: str,
    node: NodeDep,
    staff: AnalystDep,
    held: Annotated[str, Form(max_length=32)],
    csrf: Annotated[str, Form(max_length=128)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record the amount actually held and send the police the signed confirmation."""
    if not security.same(staff.session.csrf_token, csrf):
        return Response("forged request refused\n", status_code=403)
    try:
        with node.store() as store:
            freeze = store.get_freeze(freeze_id)
        if freeze is None:
            raise NodeError(f"no freeze {freeze_id}")
        done, _ = service.confirm(node, freeze_id, to_minor(held, freeze.currency), reason)
    except (ValueError, NodeError, RouteError) as exc:
        return templates.TemplateResponse(request, "error.html",
                                          {"staff": staff, "message": f"Not confirmed: {exc}"},
                                          status_code=422)  # fmt: skip
    with node.store() as store:
        store.append_audit(staff.name, "freeze.confirm.web", freeze_id, {"state": done.state})
    await run_in_threadpool(outbox.pump, node)
    return RedirectResponse(f"/freezes#{freeze_id}", status_code=303)
