"""A case package's evidence tables turned back into canonical event rows and KYC tables.

A package carries evidence tables (``cases/evidence.py``), not events; every row that
records an event keeps that event's id, so the rows become the same canonical events the
platform's own files hold, in the one wide event schema (``model/columns.py``):

* ``transactions`` and ``linked_transactions`` → ``wallet_transfer`` (``ts`` is the
  completion time, or the initiation time of a transfer that never completed);
* ``logins`` → ``login`` / ``account_registered`` of the row's ``subject`` account;
* ``refunds`` → ``refund_requested``, and the latest parcel scan beside each claim →
  ``parcel_scan`` (with its own event id; packages made before the scan's id travelled get
  ``<claim id>/scan``);
* ``account`` → ``accounts`` and ``parties`` rows (the holder's KYC record).

An event in two tables of a package (a transfer between two subjects) is kept once. The
conversion is columnar (Arrow's JSON reader parses the timestamps), so a 100,000-row
package is turned in a fraction of a second. Pure: bytes in, tables out.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from fraudlink.cases.package import Manifest
from fraudlink.model.columns import EVENT_COLUMNS, EVENT_SCHEMA, TIMESTAMP

ACCOUNT_SCHEMA = pa.schema([("account_id", pa.string()), ("org", pa.string()),
                            ("party_id", pa.string()), ("kind", pa.string()),
                            ("opened_at", TIMESTAMP), ("city", pa.string())])  # fmt: skip
PARTY_SCHEMA = pa.schema([("party_id", pa.string()), ("org", pa.string()),
                          ("name", pa.string()), ("birth_date", pa.date32()),
                          ("city", pa.string()), ("phone", pa.string()),
                          ("email", pa.string()), ("national_id_hash", pa.string()),
                          ("address", pa.string())])  # fmt: skip

_S, _I, _B = pa.string(), pa.int64(), pa.bool_()
_TRANSFER_FIELDS = {"event_id": _S, "transfer_id": _S, "org": _S, "from_account": _S,
                    "to_account": _S, "to_org": _S, "amount": _I, "currency": _S,
                    "channel": _S, "status": _S, "initiated_at": TIMESTAMP,
                    "completed_at": TIMESTAMP, "memo": _S}  # fmt: skip
_LOGIN_FIELDS = {"event_id": _S, "ts": TIMESTAMP, "type": _S, "org": _S, "ip": _S,
                 "city": _S, "device_id": _S, "success": _B, "subject": _S}  # fmt: skip
_REFUND_FIELDS = {"event_id": _S, "ts": TIMESTAMP, "org": _S, "account": _S, "order_id": _S,
                  "refund_id": _S, "amount": _I, "currency": _S, "reason": _S, "text": _S,
                  "latest_scan": _S, "latest_scan_at": TIMESTAMP, "scan_city": _S,
                  "carrier": _S, "scan_event_id": _S}  # fmt: skip
TRANSFER_TABLES = ("transactions", "linked_transactions")


class EvidenceError(ValueError):
    """A source that cannot be imported, naming the file or table and what to do; nothing
    is written when it is raised."""


def read_jsonl(name: str, blob: bytes, fields: Mapping[str, pa.DataType]) -> pa.Table:
    """The named fields of a JSON-lines table (absent ones null), typed; others ignored."""
    schema = pa.schema(list(fields.items()))
    if not blob.strip():
        return schema.empty_table()
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    try:
        table = pj.read_json(io.BytesIO(blob), parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise EvidenceError(f"table {name}: {exc}") from exc
    return table.select(list(fields)).cast(schema)


def _wide(parts: dict[str, pa.Array | pa.ChunkedArray], rows: int) -> pa.Table:
    """The wide event table from the columns given; every other column null."""
    columns = []
    for name, field in zip(EVENT_COLUMNS, EVENT_SCHEMA, strict=True):
        given = parts.get(name)
        columns.append(pa.nulls(rows, field.type) if given is None else given.cast(field.type))
    return pa.Table.from_arrays(columns, schema=EVENT_SCHEMA)


def _constant(value: str, rows: int) -> pa.Array:
    # pa.repeat, not pa.array of a list: that path imports pandas (seconds, once).
    return pa.repeat(pa.scalar(value, pa.string()), rows)


def _filled(column: pa.ChunkedArray, fallback: str) -> pa.ChunkedArray:
    return pc.fill_null(column, fallback)


def transfers(name: str, blob: bytes, sender: str) -> pa.Table:
    t = read_jsonl(name, blob, _TRANSFER_FIELDS)
    parts = {c: t.column(c) for c in t.column_names}
    parts["type"] = _constant("wallet_transfer", t.num_rows)
    parts["ts"] = pc.coalesce(t.column("completed_at"), t.column("initiated_at"))
    parts["org"] = _filled(t.column("org"), sender)
    parts["to_org"] = pc.coalesce(t.column("to_org"), parts["org"])
    parts["memo"] = _filled(t.column("memo"), "")
    return _wide(parts, t.num_rows)


def logins(blob: bytes, sender: str, only_subject: str | None) -> pa.Table:
    t = read_jsonl("logins", blob, _LOGIN_FIELDS)
    # A package gathered for one account may leave out ``subject``: it is that account.
    subject = t.column("subject")
    if only_subject is not None:
        subject = _filled(subject, only_subject)
    t = t.filter(pc.is_valid(subject)).set_column(
        t.column_names.index("subject"), "subject", subject.filter(pc.is_valid(subject))
    )
    parts = {c: t.column(c) for c in t.column_names if c != "subject"}
    parts["account"] = t.column("subject")
    parts["org"] = _filled(t.column("org"), sender)
    return _wide(parts, t.num_rows)


def refunds(blob: bytes, sender: str) -> pa.Table:
    t = read_jsonl("refunds", blob, _REFUND_FIELDS)
    org = _filled(t.column("org"), sender)
    claims = {c: t.column(c) for c in ("event_id", "ts", "account", "order_id", "refund_id",
                                       "amount", "currency", "reason")}  # fmt: skip
    claims |= {"type": _constant("refund_requested", t.num_rows), "org": org,
               "text": _filled(t.column("text"), "")}  # fmt: skip
    scanned = t.filter(pc.is_valid(t.column("latest_scan_at")))
    n = scanned.num_rows
    own_id = pc.binary_join_element_wise(scanned.column("event_id"), _constant("scan", n), "/")
    scans = {"event_id": pc.coalesce(scanned.column("scan_event_id"), own_id),
             "type": _constant("parcel_scan", n), "ts": scanned.column("latest_scan_at"),
             "org": _filled(scanned.column("org"), sender),
             "account": scanned.column("account"), "order_id": scanned.column("order_id"),
             "scan_status": scanned.column("latest_scan"), "city": scanned.column("scan_city"),
             "carrier": scanned.column("carrier")}  # fmt: skip
    return pa.concat_tables([_wide(claims, t.num_rows), _wide(scans, n)])


def package_events(manifest: Manifest, blobs: Mapping[str, bytes]) -> pa.Table:
    """Every event the package's tables record, once each, in event-time order."""
    sender = manifest.sender
    only = manifest.subject_accounts[0] if len(manifest.subject_accounts) == 1 else None
    parts = [transfers(name, blobs[name], sender) for name in TRANSFER_TABLES if name in blobs]
    if "logins" in blobs:
        parts.append(logins(blobs["logins"], sender, only))
    if "refunds" in blobs:
        parts.append(refunds(blobs["refunds"], sender))
    table = pa.concat_tables([EVENT_SCHEMA.empty_table(), *parts])
    for column in ("event_id", "ts"):
        if table.column(column).null_count:
            raise EvidenceError(f"a row of {manifest.case_id} has no {column}: the package's "
                            "tables do not record events")  # fmt: skip
    return unique_events(table)


def unique_events(table: pa.Table) -> pa.Table:
    """Each event once (its first row), sorted by (ts, event_id) as event files are."""
    ordered = table.sort_by([("ts", "ascending"), ("event_id", "ascending")])
    if pc.count_distinct(ordered.column("event_id")).as_py() == ordered.num_rows:
        return ordered  # the usual case, one subject: nothing repeated, no grouping needed
    numbered = ordered.append_column("_row", pa.array(np.arange(ordered.num_rows)))
    # The organisation too: ids are unique within an organisation's stream, not across.
    firsts = numbered.group_by(["org", "event_id"], use_threads=False).aggregate([("_row", "min")])
    return ordered.take(firsts.column("_row_min").combine_chunks().sort())


def kyc_tables(manifest: Manifest, blob: bytes | None) -> tuple[pa.Table, pa.Table]:
    """``accounts`` and ``parties`` rows from the package's ``account`` table."""
    accounts: dict[tuple[str, str], dict[str, object]] = {}
    parties: dict[tuple[str, str], dict[str, object]] = {}
    for line in (blob or b"").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if not row.get("party_id") or not row.get("account_id"):
            continue  # the platform sent no KYC file: the id alone says nothing more
        org = str(row.get("org") or manifest.sender)
        accounts.setdefault((org, str(row["account_id"])), {
            "account_id": row["account_id"], "org": org, "party_id": row["party_id"],
            "kind": row.get("kind"), "opened_at": row.get("opened_at"),
            "city": row.get("city")})  # fmt: skip
        if row.get("holder_party_id"):
            holder_org = str(row.get("holder_org") or org)
            parties.setdefault((holder_org, str(row["holder_party_id"])), {
                "party_id": row["holder_party_id"], "org": holder_org,
                **{f: row.get(f"holder_{f}") for f in PARTY_SCHEMA.names
                   if f not in ("party_id", "org")}})  # fmt: skip
    return _typed(accounts, ACCOUNT_SCHEMA), _typed(parties, PARTY_SCHEMA)


def _typed(rows: dict[tuple[str, str], dict[str, object]], schema: pa.Schema) -> pa.Table:
    blob = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n"
                    for _, r in sorted(rows.items()))  # fmt: skip
    fields = {f.name: (_S if f.type == pa.date32() else f.type) for f in schema}
    table = read_jsonl("account", blob, fields)
    return table.cast(schema)
