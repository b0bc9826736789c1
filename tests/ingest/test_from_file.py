"""``{from: file_name | file_stem | folder}``: a field read from the input file, not a column."""

from __future__ import annotations

from pathlib import Path

import pytest

from fraudlink.ingest import MappingError
from fraudlink.ingest.rows import Rejection, file_facts
from fraudlink.model.events import Login
from tests.ingest.helpers import map_one, mapping

TEXT = """\
version: 1
defaults: {timezone: UTC}
event_type: login
events:
  login:
    ts: t
    account: {from: file_stem}
    org: {from: folder, map: {bank_a: bank-a, bank_b: bank-b}}
    success: {const: true}
    device_id: {from: file_name}
"""


def test_each_fact_of_the_file_fills_a_field() -> None:
    event = map_one(TEXT, {"t": "2026-10-03T09:00:00Z"}, source="exports/bank_a/c-17.csv")
    assert isinstance(event, Login)
    assert (event.account, event.org, event.device_id) == ("c-17", "bank-a", "c-17.csv")
    assert event.event_id == "c-17.csv:1"


def test_a_fact_not_in_the_map_is_quarantined_like_a_column_value() -> None:
    r = map_one(TEXT, {"t": "2026-10-03T09:00:00Z"}, source="exports/bank_c/c-17.csv")
    assert isinstance(r, Rejection)
    assert (r.reason, r.field, r.value) == ("not_in_map", "org", "bank_c")


def test_facts_of_a_bare_file_name_use_the_working_folder() -> None:
    facts = file_facts("c-17.csv")
    assert facts["file_name"] == "c-17.csv" and facts["file_stem"] == "c-17"
    assert facts["folder"] == Path.cwd().name


@pytest.mark.parametrize(
    ("spec", "key", "message"),
    [
        ("{from: file_stem, column: x}", "events.login.account",
         "give exactly one of column, const or from, not column and from"),
        ("{from: path}", "events.login.account.from", "'path' is not allowed"),
    ],
)  # fmt: skip
def test_bad_from_names_the_line(spec: str, key: str, message: str) -> None:
    with pytest.raises(MappingError) as caught:
        mapping(TEXT.replace("{from: file_stem}", spec))
    assert (caught.value.line, caught.value.key) == (7, key)
    assert message in caught.value.message
    if "path" in spec:
        assert caught.value.hint == "expected one of: file_name, file_stem, folder"
