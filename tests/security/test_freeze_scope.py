"""Attack: a police user freezes a case that does not exist, or an account outside the
case. Both must be refused, stored nowhere and queued to no platform."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from fraudlink.exchange.node import Node, NodeError
from fraudlink.freeze.case_scope import check_freeze
from fraudlink.web.app import create_app
from fraudlink.web.settings import Settings
from tests.web.test_police_workbench import log_in, nodes  # noqa: F401  (the fixture)

CASE = "case-00000000000000aa"


@pytest.fixture
def client(nodes: tuple[Node, Node]) -> Iterator[TestClient]:  # noqa: F811
    app = create_app(Settings(home=nodes[1].home, passphrase=None, pump_every=0))
    with TestClient(app, follow_redirects=False) as c:
        log_in(c, "zhao.min")
        yield c


def _form(client: TestClient, **override: str) -> dict[str, str]:
    page = client.get(f"/cases/{CASE}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"account": "qb-u00002746", "platform": "qb-pay", "amount": "48,000.00",
            "basis": "decision 2026-118", "days": "30", "csrf": csrf}  # fmt: skip
    return {**form, **override}


def _nothing_sent(police: Node) -> None:
    with police.store() as store:
        assert store.list_freezes() == []
        assert [m for m in store.list_messages() if m.direction == "out"] == []


def test_a_freeze_for_a_case_that_does_not_exist_is_refused(
    client: TestClient,
    nodes: tuple[Node, Node],  # noqa: F811
) -> None:
    form = _form(client, account="anyone", amount="1,000,000.00")
    refused = client.post("/cases/case-doesnotexist/freeze", data=form)
    assert refused.status_code == 422
    assert "no case case-doesnotexist" in refused.text
    _nothing_sent(nodes[1])


def test_a_freeze_for_an_account_outside_the_case_is_refused(
    client: TestClient,
    nodes: tuple[Node, Node],  # noqa: F811
) -> None:
    refused = client.post(f"/cases/{CASE}/freeze", data=_form(client, account="qb-u99999999"))
    assert refused.status_code == 422
    assert "is not in case" in refused.text
    _nothing_sent(nodes[1])


def test_a_freeze_at_the_wrong_platform_is_refused(nodes: tuple[Node, Node]) -> None:  # noqa: F811
    with pytest.raises(NodeError, match="held by qb-pay"):
        check_freeze(nodes[1], CASE, "qb-u00002746", "other-bank")


def test_an_account_of_the_case_s_transactions_may_be_frozen(
    client: TestClient,
    nodes: tuple[Node, Node],  # noqa: F811
) -> None:
    check_freeze(nodes[1], CASE, "qb-u1", "qb-pay")  # the payer in the evidence
    done = client.post(f"/cases/{CASE}/freeze", data=_form(client))
    assert done.status_code == 303
    with nodes[1].store() as store:
        (freeze,) = store.list_freezes()
    assert freeze.case_id == CASE
