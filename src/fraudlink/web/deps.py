"""Request dependencies: the node, the clock, the logged-in staff member and their roles."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from fraudlink.exchange.node import Node
from fraudlink.store import SessionRecord, UserRecord
from fraudlink.store.audit_batch import AuditBatch
from fraudlink.web import sessions


class LoginRequiredError(Exception):
    """No live session: pages send the browser to the login form."""


class ForbiddenError(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


async def get_node(request: Request) -> Node:
    # async, like every dependency without I/O: FastAPI runs a plain ``def`` dependency in
    # the thread pool, and each hop there cost more than the function itself.
    node: Node = request.app.state.node
    return node


NodeDep = Annotated[Node, Depends(get_node)]


async def get_audit(request: Request) -> AuditBatch:
    batch: AuditBatch = request.app.state.audit
    return batch


# Views are recorded through the shared batch; a change and its record stay one transaction.
AuditDep = Annotated[AuditBatch, Depends(get_audit)]


@dataclass(frozen=True)
class Staff:
    user: UserRecord
    session: SessionRecord

    @property
    def name(self) -> str:
        return f"{self.user.username}@{self.user.org}"


async def current_staff(request: Request, node: NodeDep) -> Staff:
    # Read on the event loop, not in the thread pool: one indexed read of the embedded
    # store is cheaper than the hop to a thread and back for the lock (GIL) it needs.
    return _staff_of(request, node)


def _staff_of(request: Request, node: Node) -> Staff:
    with node.store() as store:
        found = sessions.find(store, request.cookies.get(sessions.COOKIE), node.clock())
    if found is None:
        raise LoginRequiredError
    return Staff(user=found[1], session=found[0])


StaffDep = Annotated[Staff, Depends(current_staff)]


def requires(*roles: str) -> Callable[[Request], Coroutine[Any, Any, Staff]]:
    """A dependency that lets through only staff holding one of ``roles``; others are
    refused and the refusal is audited."""

    # One dependency, not one on the node and the staff member in turn: FastAPI's solving
    # of each nested dependency cost about as much as the session read itself.
    async def check(request: Request) -> Staff:
        node: Node = request.app.state.node
        staff = _staff_of(request, node)
        if not set(roles) & set(staff.user.roles):
            detail = {"needs": list(roles), "has": list(staff.user.roles)}
            await run_in_threadpool(_audit_denied, node, staff, request.url.path, detail)
            raise ForbiddenError(f"this page needs the role {' or '.join(roles)}")
        return staff

    return check


def _audit_denied(node: Node, staff: Staff, path: str, detail: dict[str, Any]) -> None:
    with node.store() as store:
        store.append_audit(staff.name, "access.denied", path, detail)


def now(node: Node) -> datetime:
    return node.clock()
