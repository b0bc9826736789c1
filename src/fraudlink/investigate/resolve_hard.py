"""Merges by shared hard identifiers, with hubs kept as evidence but never as glue.

Two records with the same phone, e-mail, hashed id number, bank card or wallet are the
same person: these identifiers are issued to one person (a card, an id) or verified
against one (a phone, an e-mail), so equality is identity. Except when a value is a
**hub**: a shared office phone, a placeholder ``13800000000`` typed by a clerk, a gang's
cash-out card that a dozen wallets withdraw to. A value held by more than
``hub_limit`` records is reported (its kind, value and count are evidence for an
investigator) and merges nothing, so one public value cannot chain strangers together.

Devices are never hard identifiers: a family shares a tablet, a gang works its mules'
apps from the coordinator's phones, an attacker logs into a victim's account. A shared
device is weighed by the probabilistic model with everything else instead.

A shared value between two records whose names have nothing in common (Jaro-Winkler
below 0.5 and no word in common: 胡丽 and 李强; not 王伟 and 王玮, nor "bradley matthews"
and "matthews bradley" or "graue" and "william graue") is a **conflict**, not a merge: a mistyped
phone, a reused number, two people whose hashed ids collide. Conflicts are reported for
a person to judge. (A name written in another script, 林晓梅 and Lin Xiaomei, is such
a conflict too: the price of never letting a typo glue two strangers.)

Each value gives a star of edges from its first record (in record order) to the others:
enough to connect them, and a star is what ``unmerge`` can cut one record out of.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

HARD_KINDS = ("id_number", "bank_card", "wallet", "phone", "email")
# A person holds a handful of accounts; the simulator's busiest person has five records
# on one phone. Past this many records a value is shared, not personal.
DEFAULT_HUB_LIMIT = 10
_RECORD_KINDS = ("phone", "email", "id_number")


@dataclass(frozen=True)
class Hub:
    """An identifier value held by too many records to identify one person."""

    kind: str
    value: str
    records: int


@dataclass(frozen=True)
class HardEdges:
    """Edges ``left_idx → right_idx`` (record indices) and the identifier each shares."""

    edges: pa.Table  # left_idx, right_idx (int64 record indices), kind, value
    hubs: list[Hub]  # the largest hubs first, at most ``HUB_REPORT``
    hub_count: int  # all hub values
    hub_records: int  # record–value pairs held back by hubs
    conflicts: list[Conflict]  # the first ``HUB_REPORT`` in record order
    conflict_count: int


HUB_REPORT = 50
# Below this Jaro-Winkler similarity two names share nothing: a homophone variant of a
# two-character Chinese name scores 0.67, two variants of a three-character one 0.56.
NAME_CONFLICT = 0.5


@dataclass(frozen=True)
class Conflict:
    """Two records that share an identifier but not a name: not merged."""

    kind: str
    value: str
    left: str
    right: str
    left_name: str
    right_name: str


def hard_edges(con: duckdb.DuckDBPyConnection, kinds: tuple[str, ...], hub_limit: int) -> HardEdges:
    """Edges from the identifiers in ``rec`` (with ``idx``) and ``links`` on ``con``.

    ``rec`` has the record fields and ``idx``, the record's row in record order;
    ``links`` has ``record_id, kind, value``.
    """
    parts = [
        f"SELECT idx, '{k}' AS kind, {k} AS value FROM rec WHERE {k} IS NOT NULL"
        for k in _RECORD_KINDS
        if k in kinds
    ]
    link_kinds = [k for k in kinds if k not in _RECORD_KINDS]
    if link_kinds:
        listed = ", ".join(f"'{k}'" for k in link_kinds)
        parts.append(
            "SELECT rec.idx, links.kind, links.value FROM links JOIN rec USING (record_id) "
            f"WHERE links.kind IN ({listed})"
        )
    if not parts:
        parts.append("SELECT NULL::BIGINT AS idx, NULL AS kind, NULL AS value WHERE false")
    con.sql(f"CREATE OR REPLACE TEMP TABLE ident AS {' UNION '.join(parts)}").fetchall()
    con.sql(
        """CREATE OR REPLACE TEMP TABLE ident_groups AS
        SELECT kind, value, count(*) AS n, min(idx) AS first FROM ident GROUP BY kind, value"""
    ).fetchall()
    con.sql(
        """CREATE OR REPLACE TEMP TABLE star AS
        SELECT g.first AS left_idx, i.idx AS right_idx, i.kind, i.value,
               coalesce(jaro_winkler_similarity(a.name, b.name) < $conflict
                        AND NOT list_has_any(string_split(a.name, ' '), string_split(b.name, ' ')),
                        false) AS conflict
        FROM ident i JOIN ident_groups g USING (kind, value)
        JOIN rec a ON a.idx = g.first JOIN rec b ON b.idx = i.idx
        WHERE g.n BETWEEN 2 AND $limit AND i.idx <> g.first""",
        params={"limit": hub_limit, "conflict": NAME_CONFLICT},
    ).fetchall()
    edges = con.sql(
        """SELECT left_idx, right_idx, kind, value FROM star WHERE NOT conflict
        ORDER BY left_idx, right_idx, kind, value"""
    ).to_arrow_table()
    conflict_count = con.sql("SELECT count(*) FROM star WHERE conflict").fetchall()[0][0]
    conflict_rows = con.sql(
        """SELECT s.kind, s.value, a.record_id, b.record_id, a.name, b.name
        FROM star s JOIN rec a ON a.idx = s.left_idx JOIN rec b ON b.idx = s.right_idx
        WHERE s.conflict ORDER BY s.left_idx, s.right_idx, s.kind LIMIT $n""",
        params={"n": HUB_REPORT},
    ).fetchall()
    hub_rows = con.sql(
        """SELECT kind, value, n FROM ident_groups WHERE n > $limit
        ORDER BY n DESC, kind, value""",
        params={"limit": hub_limit},
    ).fetchall()
    hubs = [Hub(kind=k, value=v, records=int(n)) for k, v, n in hub_rows]
    return HardEdges(
        edges=edges,
        hubs=hubs[:HUB_REPORT],
        hub_count=len(hubs),
        hub_records=sum(h.records for h in hubs),
        conflicts=[Conflict(*row) for row in conflict_rows],
        conflict_count=int(conflict_count),
    )
