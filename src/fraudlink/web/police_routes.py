"""The police workbench: referrals received (verified sender, receipt sent), a case page with
its evidence and reasons, the fund-flow trace and the gang with roles (drawn in the browser),
victims and losses, the same people in other cases, the gang's report to download, and
freeze requests to the platform holding an account."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from fraudlink import file_versions
from fraudlink.cases import package, referral
from fraudlink.exchange import outbox
from fraudlink.exchange.node import Node, NodeError
from fraudlink.exchange.routes import RouteError
from fraudlink.freeze import case_scope, service
from fraudlink.interop import source
from fraudlink.investigate import evidence
from fraudlink.investigate.evidence import EvidenceError
from fraudlink.model.money import to_minor
from fraudlink.store import FreezeRecord
from fraudlink.web import case_links, case_views, security, staff_lang
from fraudlink.web import vendor as _vendor  # noqa: F401  (the templates' vendor() helper)
from fraudlink.web.deps import AuditDep, NodeDep, Staff, requires
from fraudlink.web.page_bodies import CSRF_SLOT, KeptPage, PageBodies, with_csrf
from fraudlink.web.templating import templates

router = APIRouter(include_in_schema=False)
InvestigatorDep = Annotated[Staff, Depends(requires("investigator", "supervisor", "admin"))]
SHOWN_ROWS = 50


def _stamp(folder: Path) -> tuple[int, ...]:
    """Every file's change time, in name order: a package edited after it verified reads
    again (and fails)."""
    return file_versions.tree_version(folder)


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


def _case(node: Node, case_id: str) -> tuple[Path, tuple[int, ...], source.CaseData]:
    """The case's verified package and the version of its files; need to know: only
    packages this node received or sent are found, nothing else (NodeError otherwise)."""
    folder = referral.find_package(node, case_id)
    stamp = _stamp(folder)
    return folder, stamp, _read(str(folder), stamp)


def _holders(data: source.CaseData) -> dict[str, str]:
    """Subject account → the organisation holding it, from the package's account table."""
    return {str(r.get("account_id")): str(r.get("org")) for r in data.rows("account")}


def _subjects(data: source.CaseData) -> list[case_views.Account]:
    return case_views.subjects_of(data.manifest.subject_accounts, _holders(data))


def _investigation(node: Node, case_id: str, folder: Path, data: source.CaseData,
                   freezes: list[FreezeRecord]) -> dict[str, Any]:  # fmt: skip
    """Trace, gangs, victims and linked cases, over the node's evidence store."""
    note = None
    if folder.parent == node.home / "inbox":
        try:
            case_views.ensure_imported(node.home, case_id, folder)
        except EvidenceError as exc:
            note = f"This case's evidence could not be imported: {exc}"
    views = case_views.case_views(node.home, case_id, _subjects(data), freezes)
    related = case_links.related_cases(node.home, case_id, case_links.marks(data))
    return {**views, "note": note or views["note"], "related": related}


def _version(home: Path, folder: Path, freezes: list[FreezeRecord], lang: str) -> Hashable:
    """Everything a case body shows, by version (see page_bodies): the package's files, the
    evidence folders (trace, gangs, victims), the other packages (related cases), the
    freezes (this case's and the victims' frozen amounts) and the language."""
    return (_stamp(folder), evidence.evidence_version(home),
            case_links.packages_version(home),
            tuple((f.id, f.case_id, f.account, f.state, f.held_minor) for f in freezes),
            lang)  # fmt: skip


def _render_case(request: Request, node: Node, case_id: str, folder: Path,
                 every_freeze: list[FreezeRecord], version: Hashable,
                 lang: str) -> KeptPage:  # fmt: skip
    """Read, analyse and render the case body (in a worker thread: the first view of a
    package verifies it, and of new evidence builds the analysis)."""
    _, _, data = _case(node, case_id)
    inv = _investigation(node, case_id, folder, data, every_freeze)
    tables: dict[str, Any] = {
        name: {"rows": len(rows), "columns": sorted({k for r in rows[:SHOWN_ROWS] for k in r}),
               "first": rows[:SHOWN_ROWS]}
        for name, rows in data.tables.items() if name != "alerts"
    }  # fmt: skip
    context = {"request": request, "m": data.manifest, "tables": tables,
               "holders": _holders(data), "inv": inv, "csrf_slot": CSRF_SLOT,
               "freezes": [f for f in every_freeze if f.case_id == case_id]}  # fmt: skip
    page = KeptPage(version=version, head=data.manifest, final=not inv["updating"],
                    body=templates.get_template("case_body.html").render(context))  # fmt: skip
    if page.final:
        bodies: PageBodies = request.app.state.page_bodies
        bodies.keep((case_id, lang), page)
    return page


def _whole(request: Request, staff: Staff, page: KeptPage) -> KeptPage:
    """The body in the page's frame, with the CSRF slot where the viewer's token goes."""
    slot = msgspec.structs.replace(staff.session, csrf_token=CSRF_SLOT)
    viewer = Staff(user=staff.user, session=slot)
    html = templates.get_template("case.html").render(
        {"request": request, "staff": viewer, "m": page.head, "body": Markup(page.body)}  # noqa: S704
    )  # the body came from the autoescaping templates
    return KeptPage(version=page.version, head=page.head, body=html, final=page.final)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request, case_id: str, node: NodeDep, audit: AuditDep, staff: InvestigatorDep
) -> Response:
    """The case page. A body kept for the current version of everything it shows is
    served on the event loop; anything else is read and rendered in a worker thread."""
    try:
        folder = referral.find_package(node, case_id)
    except NodeError:
        return _error(request, staff, "No such case here.", 404)
    with node.store() as store:
        every_freeze = store.list_freezes()
    lang = staff_lang.lang_of(request)
    version = _version(node.home, folder, every_freeze, lang)
    wholes: PageBodies = request.app.state.case_pages
    viewer = (case_id, lang, staff.user.org, staff.user.username, staff.user.roles,
              str(request.url))  # fmt: skip
    whole = wholes.get(viewer, version)
    if whole is None:
        bodies: PageBodies = request.app.state.page_bodies
        page = bodies.get((case_id, lang), version)
        if page is None:
            try:
                page = await run_in_threadpool(_render_case, request, node, case_id, folder,
                                               every_freeze, version, lang)  # fmt: skip
            except NodeError:
                return _error(request, staff, "No such case here.", 404)
            except package.PackageError as exc:
                return _error(request, staff, f"This case's package no longer verifies: {exc}",
                              409)  # fmt: skip
        whole = _whole(request, staff, page)
        if whole.final:
            wholes.keep(viewer, whole)
    await audit.append_async(staff.name, "case.view", case_id)
    return HTMLResponse(with_csrf(whole.body, staff.session.csrf_token))


@router.get("/cases/{case_id}/report")
def case_report(
    request: Request, case_id: str, node: NodeDep, staff: InvestigatorDep, gang: str | None = None
) -> Response:
    """The case report of the case's gang (``fraudlink report``'s HTML) as a download."""
    try:
        _, _, data = _case(node, case_id)
    except NodeError:
        return _error(request, staff, "No such case here.", 404)
    except package.PackageError as exc:
        return _error(request, staff, f"This case's package no longer verifies: {exc}", 409)
    found = case_views.gang_report(node.home, _subjects(data), gang)
    if found is None:
        return _error(request, staff, "No gang was found around this case's accounts.", 404)
    gang_id, html = found
    with node.store() as store:
        store.append_audit(staff.name, "case.export", case_id,
                           {"format": "html report", "gang": gang_id})  # fmt: skip
    name = f"{case_id}-{gang_id}.html"
    return Response(html, media_type="text/html; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


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
        await run_in_threadpool(case_scope.check_freeze, node, case_id, account, platform)
        minor = to_minor(amount, "CNY")
        freeze, _ = service.request(node, platform, account, minor, "CNY", basis,
                                    node.clock() + timedelta(days=days), case_id)  # fmt: skip
    except (ValueError, NodeError, RouteError) as exc:
        return _error(request, staff, f"Freeze not requested: {exc}", 422)
    with node.store() as store:
        store.append_audit(staff.name, "freeze.request.web", freeze.id, {"case": case_id})
    await run_in_threadpool(outbox.pump, node)
    return RedirectResponse(f"/cases/{case_id}#{freeze.id}", status_code=303)
