"""Which accounts gang finding looks at, and what they share: SQL over the sources.

The *seeds* are the accounts with a gang behaviour (:mod:`.gang_signals`). The
*candidates* are the seeds plus

- every account a relay paid or was paid by (victims, the coordinator, cash-out cards),
- every account used from a device a seed was used from (the phones a gang works its
  mules' apps from), unless the device is a hub used by very many accounts,
- every account whose KYC record shares a national id, phone or e-mail with a seed's
  (the same person under another name or on another platform).

Nothing is added beyond one step from a seed, so an honest friend of a victim never
joins and honest commerce never forms communities of its own. Candidates get dense
codes in (org, account) order, which keeps everything after this deterministic.

A *thing* (device, IP, identifier) links candidates only if at least two of them share
it, and not if it is a hub: shared by more accounts of the whole data set than its
limit. A carrier-grade NAT address or a cyber café links strangers, not accomplices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from fraudlink.investigate.gang_signals import SignalSettings, find_signals
from fraudlink.investigate.gang_sources import GangSources, load_sources

HOUR_US = 3_600_000_000
Progress = Callable[[str], None]


@dataclass(frozen=True)
class CandidateSettings:
    signals: SignalSettings = field(default_factory=SignalSettings)
    device_hub: int = 50  # a device used by more accounts than this is a hub, not a link
    ip_hub: int = 8  # IPs are shared innocently far more often than devices
    ident_hub: int = 8  # a phone or e-mail on more records than this is a placeholder
    ip_window_us: int = HOUR_US  # an IP links two accounts used from it this close in time


@dataclass
class Candidates:
    """The candidate accounts and their links, as columns (code = row number)."""

    accounts: pa.Table  # code, org, account, kind, name, city, external, seed, signals…
    links: pa.Table  # code, thing, kind (device | ip | ident), one row per account and thing
    transfers: pa.Table  # both ends candidates, in time order: src, dst, amount, currency…
    stats: dict[str, int]


# How many accounts of the whole data set share each thing: hubs are known by it.
_SHARING = """
CREATE TEMP TABLE dev_k AS
SELECT device_id, count(DISTINCT (org, account)) AS k FROM use GROUP BY device_id;
CREATE TEMP TABLE ip_k AS
SELECT ip, count(DISTINCT (org, account)) AS k FROM use GROUP BY ip;
CREATE TEMP TABLE ident_k AS
SELECT key, count(*) AS k FROM ident GROUP BY key;
"""
_CANDIDATES = """
CREATE TEMP TABLE cand AS
SELECT org, account FROM signal
UNION SELECT tr.dst_org, tr.dst FROM tr JOIN relay r ON tr.src_org = r.org AND tr.src = r.account
UNION SELECT tr.src_org, tr.src FROM tr JOIN relay r ON tr.dst_org = r.org AND tr.dst = r.account
UNION SELECT u.org, u.account FROM use u WHERE u.device_id IN (
    SELECT s.device_id FROM use s JOIN signal USING (org, account)
    JOIN dev_k d ON d.device_id = s.device_id WHERE d.k <= $device_hub)
UNION SELECT i.org, i.account FROM ident i WHERE i.key IN (
    SELECT s.key FROM ident s JOIN signal USING (org, account)
    JOIN ident_k k ON k.key = s.key WHERE k.k <= $ident_hub)
"""
_CODES = """
CREATE TEMP TABLE code AS
SELECT org, account, (row_number() OVER (ORDER BY org, account) - 1)::INTEGER AS code
FROM cand
"""
# Shared things: (code, thing key, kind) for things at least two candidates share.
_LINKS = """
CREATE TEMP TABLE link AS
WITH raw AS (
    SELECT DISTINCT c.code, 'device ' || u.device_id AS thing, 'device' AS kind
    FROM use u JOIN code c USING (org, account) JOIN dev_k d USING (device_id)
    WHERE d.k <= $device_hub
    UNION
    SELECT DISTINCT a.code, 'ip ' || a.ip, 'ip'
    FROM ip_seen a JOIN ip_seen b ON a.ip = b.ip AND a.code <> b.code
    JOIN ip_k i ON i.ip = a.ip
    WHERE i.k <= $ip_hub AND abs(a.ts - b.ts) <= $ip_window
    UNION
    SELECT DISTINCT c.code, i.key, 'ident'
    FROM ident i JOIN code c USING (org, account) JOIN ident_k k USING (key)
    WHERE k.k <= $ident_hub
)
SELECT code, thing, kind FROM raw
QUALIFY count(*) OVER (PARTITION BY thing) >= 2
ORDER BY thing, code
"""
# When each candidate was seen at which IP: an address links two accounts only if both
# used it within an hour of each other. Mobile carriers put thousands of strangers
# behind one address over a month; the same address in the same hour is the same place.
_IP_SEEN = """
CREATE TEMP TABLE ip_seen AS
SELECT c.code, e.ip, epoch_us(e.ts) AS ts
FROM read_parquet($files, union_by_name = true) e
JOIN code c ON c.org = e.org AND c.account = e.account
WHERE e.type IN ('login', 'account_registered')
"""
_ACCOUNTS = """
WITH home AS (
    SELECT org, account,
           coalesce(arg_max(city, n) FILTER (registered), arg_max(city, n)) AS city
    FROM use JOIN code USING (org, account) GROUP BY org, account
),
withdrawn AS (SELECT DISTINCT dst_org AS org, dst AS account FROM tr WHERE channel = 'withdrawal'),
sent_out AS (
    SELECT tr.src_org AS org, tr.src AS account, sum(tr.amount)::BIGINT AS amount FROM tr
    ANTI JOIN code d ON d.org = tr.dst_org AND d.account = tr.dst
    GROUP BY ALL
),
got_out AS (
    SELECT tr.dst_org AS org, tr.dst AS account, sum(tr.amount)::BIGINT AS amount FROM tr
    ANTI JOIN code s ON s.org = tr.src_org AND s.account = tr.src
    GROUP BY ALL
)
SELECT c.code, c.org, c.account, k.kind, k.name, h.city,
       (c.org IN (SELECT org FROM banks) OR w.account IS NOT NULL) AS external,
       (s.account IS NOT NULL) AS seed, (r.account IS NOT NULL) AS relay,
       coalesce(s.received, 0) AS received, coalesce(s.lots, 0) AS lots,
       coalesce(s.passed, 0) AS passed,
       coalesce(s.claims_in_window, 0) AS claims_in_window,
       coalesce(s.claims, 0) AS claims, coalesce(s.claimed, 0) AS claimed, s.claim_currency,
       coalesce(so.amount, 0) AS sent_outside, coalesce(go.amount, 0) AS received_outside
FROM code c
LEFT JOIN kyc k USING (org, account)
LEFT JOIN home h USING (org, account)
LEFT JOIN withdrawn w USING (org, account)
LEFT JOIN relay r USING (org, account)
LEFT JOIN signal s USING (org, account)
LEFT JOIN sent_out so USING (org, account)
LEFT JOIN got_out go USING (org, account)
ORDER BY c.code
"""
_TRANSFERS = """
SELECT s.code AS src, d.code AS dst, tr.amount, tr.currency, tr.ts, tr.channel
FROM tr
JOIN code s ON s.org = tr.src_org AND s.account = tr.src
JOIN code d ON d.org = tr.dst_org AND d.account = tr.dst
ORDER BY tr.ts, tr.src_org, tr.transfer_id
"""


def load_candidates(
    con: duckdb.DuckDBPyConnection,
    sources: GangSources,
    settings: CandidateSettings,
    progress: Progress | None = None,
) -> Candidates:
    """Read the sources into ``con``, find the seeds, and select the candidates."""
    say = progress or (lambda _phase: None)
    say("reading transfers, logins and claims")
    load_sources(con, sources)
    say("measuring pass-through and claim bursts")
    find_signals(con, settings.signals)
    say("selecting candidates and shared devices")
    con.execute(_SHARING)
    con.execute(_CANDIDATES, {"device_hub": settings.device_hub, "ident_hub": settings.ident_hub})
    con.execute(_CODES)
    con.execute(_IP_SEEN, {"files": [str(f) for f in sources.events]})
    con.execute(
        _LINKS,
        {
            "device_hub": settings.device_hub,
            "ip_hub": settings.ip_hub,
            "ident_hub": settings.ident_hub,
            "ip_window": settings.ip_window_us,
        },
    )
    stats = {
        name: _count(con, table)
        for name, table in (
            ("transfers", "tr"),
            ("pass-through accounts", "passer"),
            ("relays", "relay"),
            ("claim bursts", "burst"),
            ("candidates", "code"),
        )
    }
    return Candidates(
        accounts=con.sql(_ACCOUNTS).to_arrow_table(),
        links=con.sql("SELECT code, thing, kind FROM link").to_arrow_table(),
        transfers=con.sql(_TRANSFERS).to_arrow_table(),
        stats=stats,
    )


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(rows[0][0])
