"""The account page of the platform console: the account's whole story from the platform's
own events (registration, logins with IP and city, orders, parcels, refunds, transfers),
its alerts, what stands out, and a graph of who it paid and was paid by — the same
timeline the police build from referrals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from fraudlink.investigate import timeline, timeline_sources
from fraudlink.report.svg import login_map
from fraudlink.web import account_views
from fraudlink.web import vendor as _vendor  # noqa: F401  (the templates' vendor() helper)
from fraudlink.web.deps import AuditDep, NodeDep, Staff, requires
from fraudlink.web.templating import ZONE, templates

router = APIRouter(include_in_schema=False)
AnalystDep = Annotated[Staff, Depends(requires("analyst", "supervisor", "admin"))]
SHOWN = 500


@router.get("/accounts/{account}", response_class=HTMLResponse)
async def account_page(request: Request, account: str, node: NodeDep, audit: AuditDep,
                       staff: AnalystDep) -> Response:  # fmt: skip
    events = request.app.state.settings.events
    if events is None:
        return templates.TemplateResponse(
            request, "error.html", {"staff": staff, "message": "This console has no event "
                                    "files: start it with `fraudlink serve --events PATH`."},
            status_code=409,
        )  # fmt: skip
    rows = await run_in_threadpool(lambda: list(timeline_sources.from_events([events], account)))
    with node.store() as store:
        alerts = [a for a in store.list_alerts(limit=100_000)
                  if account in (a.body.get("accounts") or [a.entity_id])]  # fmt: skip
    await run_in_threadpool(audit.append, staff.name, "account.view", account)
    alert_rows = [("alerts", {**a.body, "ts": a.ts.isoformat()}) for a in alerts]
    story = timeline.build(account, rows, alert_rows)
    if not story.entries:
        return templates.TemplateResponse(request, "error.html",
                                          {"staff": staff, "message": "No such account."},
                                          status_code=404)  # fmt: skip
    flagged = {eid for f in story.flags for eid in f.event_ids}
    context = {"staff": staff, "story": story, "entries": story.entries[-SHOWN:],
               "hidden": max(0, len(story.entries) - SHOWN), "flagged": flagged,
               "alerts": alerts, "login_map": login_map(story.entries),
               "counterparties": account_views.counterparties(account, rows, ZONE)}  # fmt: skip
    return templates.TemplateResponse(request, "account.html", context)
