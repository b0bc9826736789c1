"""The public victim portal: report a fraud (phone-sized, Chinese or English), follow it.

No login: a short-lived CSRF cookie protects the form, and each address may send only a
few reports in ten minutes. Evidence files are checked by their bytes (see
:mod:`fraudlink.portal.uploads`).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from fraudlink.portal import intake
from fraudlink.portal.texts import LANGS, TEXTS
from fraudlink.portal.uploads import MAX_FILE, MAX_FILES
from fraudlink.web import security
from fraudlink.web.deps import NodeDep
from fraudlink.web.rate_limits import SlidingLimit
from fraudlink.web.templating import templates

router = APIRouter(include_in_schema=False)
PER_ADDRESS = 5
WINDOW_S = 600.0
ROWS = 3


class RateLimit(SlidingLimit):
    """Reports per address within WINDOW_S, counted in this process, bounded and
    expiring (:mod:`fraudlink.web.rate_limits`).

    With ``serve --workers N`` each worker counts only the reports it took, so each
    allows its share, rounded up: an address gets at most N × ceil(PER_ADDRESS / N)
    (6 of 5 with two workers), never N times the limit.
    """

    def __init__(self, workers: int = 1) -> None:
        super().__init__(-(-PER_ADDRESS // max(1, workers)), WINDOW_S)
        self.per_address = self.per


def _lang(lang: str | None) -> str:
    return lang if lang in LANGS else "zh"


def _form(request: Request, lang: str, problems: dict[str, str] | None = None,
          values: dict[str, str] | None = None, status: int = 200) -> Response:  # fmt: skip
    token = request.cookies.get(security.PRE_LOGIN_COOKIE) or security.new_token()
    context = {
        "t": TEXTS[lang], "lang": lang, "csrf": token, "problems": problems or {},
        "values": values or {}, "rows": range(1, ROWS + 1), "max_files": MAX_FILES,
    }  # fmt: skip
    response = templates.TemplateResponse(request, "report_form.html", context, status_code=status)
    response.set_cookie(security.PRE_LOGIN_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.settings.tls, max_age=3600)  # fmt: skip
    return response


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, lang: str | None = None) -> Response:
    return _form(request, _lang(lang))


@router.post("/report", response_class=HTMLResponse)
async def send_report(request: Request, node: NodeDep) -> Response:
    limit = MAX_FILE * MAX_FILES + 1024 * 1024
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return Response("report too large\n", status_code=413)
    async with request.form(max_files=MAX_FILES + 1, max_fields=40) as form:
        text = {k: v for k, v in form.items() if isinstance(v, str)}
        sent = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        files = [(f.filename or "file", f.content_type, await f.read(MAX_FILE + 1)) for f in sent]
    lang = _lang(text.get("lang"))
    if not security.same(request.cookies.get(security.PRE_LOGIN_COOKIE), text.get("csrf")):
        return _form(request, lang, {"form": "expired"}, text, status=403)
    who = request.client.host if request.client else "?"
    limiter: RateLimit = request.app.state.report_limit
    if not limiter.allow(who, time.monotonic()):
        return _form(request, lang, {"form": TEXTS[lang]["busy"]}, text, status=429)
    payments = [intake.Payment(account=text.get(f"account_{i}", ""),
                               amount=text.get(f"amount_{i}", ""),
                               paid_at=text.get(f"paid_at_{i}", ""))
                for i in range(1, ROWS + 1)]  # fmt: skip
    try:
        filed = await run_in_threadpool(
            intake.file_report, node, request.app.state.payee.index, lang=lang,
            name=text.get("name", ""), contact=text.get("contact", ""),
            city=text.get("city", ""), story=text.get("story", ""), payments=payments,
            files=files,
        )  # fmt: skip
    except intake.ReportError as exc:
        return _form(request, lang, exc.problems, text, status=422)
    context = {"t": TEXTS[lang], "lang": lang, "report": filed.report, "follow": filed.follow}
    return templates.TemplateResponse(request, "report_done.html", context)


@router.post("/report/status", response_class=HTMLResponse)
def report_status(
    request: Request,
    node: NodeDep,
    number: Annotated[str, Form(max_length=32)],
    follow: Annotated[str, Form(max_length=64)],
    lang: Annotated[str, Form(max_length=4)] = "zh",
) -> Response:
    lang = _lang(lang)
    with node.store() as store:
        report = store.get_report(number.strip().upper())
    digest = hashlib.sha256(follow.strip().encode()).hexdigest()
    if report is None or not hmac.compare_digest(report.follow_sha256, digest):
        return templates.TemplateResponse(request, "report_status.html",
                                          {"t": TEXTS[lang], "lang": lang, "report": None},
                                          status_code=404)  # fmt: skip
    found = {"t": TEXTS[lang], "lang": lang, "report": report}
    return templates.TemplateResponse(request, "report_status.html", found)
