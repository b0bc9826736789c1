"""Property: whatever mixture of good and broken rows comes in, every row is accounted for."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest.helpers import run, write_csv
from tests.ingest.test_formats_agree import RECORDS
from tests.ingest.test_quarantine_exact import MAPPING

HEADER = list(RECORDS[0])

# kind of row -> (how to break a good row, expected reason); None means the row is good.
BREAKS: dict[str, tuple[dict[str, str], str] | None] = {
    "good_login": None,
    "good_transfer": None,
    "bad_time": ({"time": "03/10/2026"}, "bad_timestamp"),
    "bad_amount": ({"amount": "1.001"}, "bad_amount"),
    "unknown_type": ({"kind": "充值"}, "unknown_event_type"),
    "missing": ({"user": ""}, "missing_field"),
    "not_in_map": ({"result": "超时", "status": "未知"}, "not_in_map"),
    "invalid": ({"ip": "no ip", "other": "x" * 129}, "invalid_event"),
    "malformed": ({}, "malformed_row"),
}


def make_row(kind: str, n: int, minute: int, fen: int) -> dict[str, str]:
    transfer = kind in ("good_transfer", "bad_amount") or (kind != "good_login" and n % 2 == 1)
    base = dict(RECORDS[1] if transfer else RECORDS[0])
    when = datetime(2026, 10, 3) + timedelta(minutes=minute)
    base["id"] = f"R{n}"
    base["time"] = when.strftime("%Y/%m/%d %H:%M:%S")
    if transfer:
        base["done"] = (when + timedelta(seconds=5)).strftime("%Y/%m/%d %H:%M:%S")
        base["amount"] = f"-{fen // 100}.{fen % 100:02d}"
    broken = BREAKS[kind]
    if broken is not None:
        base.update(broken[0])
    return base


rows_strategy = st.lists(
    st.tuples(st.sampled_from(sorted(BREAKS)), st.integers(0, 3000), st.integers(1, 10**9)),
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy, st.sampled_from(["csv", "jsonl"]))
def test_every_row_is_accepted_or_quarantined_with_its_reason(
    spec: list[tuple[str, int, int]], fmt: str
) -> None:
    rows = [make_row(kind, n, minute, fen) for n, (kind, minute, fen) in enumerate(spec, 1)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        source = tmp_path / f"in.{fmt}"
        if fmt == "csv":
            write_csv(source, rows, HEADER)
            text = source.read_text(encoding="utf-8").splitlines(keepends=True)
            for n, (kind, _, _) in enumerate(spec, 1):
                if kind == "malformed":
                    text[n] = text[n].rstrip("\r\n") + ",extra\r\n"
            source.write_text("".join(text), encoding="utf-8")
        else:
            lines = [
                "{broken" if kind == "malformed" else json.dumps(row, ensure_ascii=False)
                for (kind, _, _), row in zip(spec, rows, strict=True)
            ]
            source.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        summary, events, quarantined = run(tmp_path, MAPPING, [source])

    expected_bad = {
        n: broken[1]
        for n, (kind, _, _) in enumerate(spec, 1)
        if (broken := BREAKS[kind]) is not None
    }
    assert summary.read == len(spec)
    assert summary.accepted + summary.quarantined == summary.read
    assert {q.row: q.reason for q in quarantined} == expected_bad
    good_ids = {f"R{n}" for n in range(1, len(spec) + 1) if n not in expected_bad}
    assert {e.event_id for e in events} == good_ids
    keys = [(e.ts, e.event_id) for e in events]
    assert keys == sorted(keys)
