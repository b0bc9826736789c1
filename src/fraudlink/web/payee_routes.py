"""``GET /api/v1/payee-check``: a wallet asks whether a payee account is known, before paying.

Answered from memory (the node's alerts, freezes and cases, refreshed every few seconds)
so a check costs a dictionary lookup; callers authenticate with an API key
(``fraudlink apikey add``) sent as ``Authorization: Bearer KEY``.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Annotated

import msgspec
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response

from fraudlink.exchange.node import Node
from fraudlink.payee.index import PayeeAnswer, PayeeIndex
from fraudlink.payee.sources import change_mark, load_index
from fraudlink.store import ApiKeyRecord

router = APIRouter(tags=["payee check"])
SCOPE = "payee_check"
_encode = msgspec.json.Encoder().encode


class PayeeState:
    """The index and the API keys, swapped whole on refresh so readers never lock."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.index = PayeeIndex.build([], [], [], node.clock())
        self.keys: dict[str, ApiKeyRecord] = {}
        self.mark: tuple[object, ...] = ()
        self.refresh()

    def refresh(self) -> None:
        mark = change_mark(self.node)
        if mark == self.mark:
            return
        self.mark = mark
        index = load_index(self.node)
        with self.node.store() as store:
            keys = {k.key_sha256: k for k in store.list_api_keys() if k.revoked_at is None}
        self.index, self.keys = index, keys

    def loop(self, every: float, stop: threading.Event) -> None:
        while not stop.wait(every):
            self.refresh()


def _denied(request: Request, why: str) -> Response:
    node: Node = request.app.state.node
    with node.store() as store:
        store.append_audit("api", "access.denied", request.url.path, {"reason": why})
    return Response(_encode({"error": why}), status_code=401, media_type="application/json",
                    headers={"WWW-Authenticate": "Bearer"})  # fmt: skip


_ANSWER_SCHEMA = msgspec.json.schema(PayeeAnswer)["$defs"]["PayeeAnswer"]
RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "what is known", "content": {"application/json": {
        "schema": _ANSWER_SCHEMA}}},
    401: {"description": "missing, unknown or revoked API key"},
}  # fmt: skip


@router.get("/api/v1/payee-check", responses=RESPONSES)
async def payee_check(
    request: Request,
    account: Annotated[str, Query(min_length=1, max_length=128)],
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """Risk of paying ``account`` (high, medium or none), why, and what to do."""
    state: PayeeState = request.app.state.payee
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    key = state.keys.get(hashlib.sha256(token.encode()).hexdigest()) if token else None
    if key is None or SCOPE not in key.scopes:
        return _denied(request, "an API key with the payee_check scope is needed")
    return Response(_encode(state.index.check(account)), media_type="application/json")
