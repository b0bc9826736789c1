"""The exchange inbox over HTTP: an envelope in, a signed receipt out.

``POST /exchange/v1/inbox`` with the envelope bytes as the body answers 200 and an
"accepted" receipt, or 422 and a "refused" receipt naming the reason; either way the
receipt is signed by this node, so the sender can prove what happened. Only a body
too large to be read gets no receipt (413).
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from fraudlink.dispatch import HANDLERS
from fraudlink.exchange.mailroom import receive
from fraudlink.exchange.node import Node
from fraudlink.exchange.transport import INBOX_PATH, RECEIPT_TYPE


def get_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]
router = APIRouter(tags=["exchange"])


class TooLargeError(Exception):
    pass


async def _read(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLargeError
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


INBOX_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"description": "accepted; signed receipt"},
    422: {"description": "refused; signed receipt with the reason"},
    413: {"description": "envelope larger than this node takes"},
}


@router.post(INBOX_PATH, responses=INBOX_RESPONSES)
async def inbox(request: Request, node: NodeDep) -> Response:
    """Take in one sealed envelope and answer with this node's signed receipt."""
    limit: int = request.app.state.settings.max_envelope_bytes
    try:
        envelope = await _read(request, limit)
    except TooLargeError:
        return Response(f"envelope larger than {limit} bytes\n", status_code=413)
    outcome = await run_in_threadpool(receive, node, envelope, HANDLERS)
    return Response(outcome.raw_receipt, status_code=200 if outcome.accepted else 422,
                    media_type=RECEIPT_TYPE)  # fmt: skip


@router.get("/exchange/v1/card")
def card(node: NodeDep) -> Response:
    """This node's public key card; compare its fingerprints before trusting it."""
    return Response(msgspec.json.encode(node.info.card), media_type="application/json")


@router.get("/healthz")
def health(node: NodeDep) -> dict[str, str]:
    return {"status": "ok", "org": node.info.org, "role": node.info.role}
