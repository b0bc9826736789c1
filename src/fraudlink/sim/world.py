"""``simulate``: build a synthetic world with planted fraud and write it to a folder.

Deterministic for a seed: the same seed writes byte-identical files. Files:

- ``events.parquet``   every canonical event, in event-time order
- ``accounts.parquet`` every account (platform user, merchant, wallet, bank card)
- ``parties.parquet``  each organisation's KYC record behind each account
- ``organisations.parquet``
- ``truth.json``       gangs, roles, victims and losses, takeovers, look-alikes, identities
- ``manifest.json``    row counts and SHA-256 of each file
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fraudlink.digests import file_sha256
from fraudlink.model.columns import TIMESTAMP
from fraudlink.model.geo import CITIES
from fraudlink.sim.background import Background
from fraudlink.sim.ids import IdSource
from fraudlink.sim.orgs import ALL_ORGS
from fraudlink.sim.planted.context import Context, iso
from fraudlink.sim.planted.lookalikes import (
    plant_family_device,
    plant_returner,
    plant_small_merchant,
    plant_traveller,
)
from fraudlink.sim.planted.refund_ring import plant_refund_ring
from fraudlink.sim.planted.scam_gang import plant_scam_gang
from fraudlink.sim.planted.takeover import plant_takeover
from fraudlink.sim.population import build_population
from fraudlink.sim.registry import Registry
from fraudlink.sim.scales import DAY_US, SCALES, world_start_us
from fraudlink.sim.sink import DaySink, frame, rows_frame
from fraudlink.sim.truth import Truth

Progress = Callable[[str, int, int], None]


@dataclass
class WorldSummary:
    out_dir: Path
    scale: str
    seed: int
    events: int
    accounts: int
    people: int
    counts: dict[str, int]
    truth: Truth
    files: dict[str, dict[str, object]] = field(default_factory=dict)


def simulate(
    scale_name: str, seed: int, out_dir: Path, progress: Progress | None = None
) -> WorldSummary:
    """Generate a world into ``out_dir``; files appear only once complete."""
    if scale_name not in SCALES:
        raise ValueError(f"unknown scale {scale_name!r}; choose one of {', '.join(SCALES)}")
    report = progress or (lambda _phase, _done, _total: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".simulate-", dir=out_dir))
    try:
        summary = _generate(scale_name, seed, work, report)
        for item in sorted(work.iterdir()):
            item.replace(out_dir / item.name)
        summary.out_dir = out_dir
        return summary
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _generate(scale_name: str, seed: int, work: Path, report: Progress) -> WorldSummary:
    scale = SCALES[scale_name]
    start = world_start_us()
    end = start + scale.days * DAY_US
    reg = Registry(random.Random(seed))
    nprng = np.random.default_rng(seed)
    report("people", 0, scale.people)
    pop = build_population(
        reg, scale.people, start, nprng, tick=lambda n: report("people", n, scale.people)
    )
    ordinary_accounts = len(reg.account_ids)
    truth = Truth(seed=seed, scale=scale_name, start=iso(start), end=iso(end))
    ids = IdSource()
    ctx = Context(reg, pop, ids, random.Random(seed * 7919 + 1), start, end, truth)
    stories: list[Callable[[], None]] = [
        *(partial(plant_refund_ring, ctx, i + 1, scale.days) for i in range(scale.refund_rings)),
        *(partial(plant_scam_gang, ctx, i + 1, scale.days) for i in range(scale.scam_gangs)),
        *(partial(plant_takeover, ctx, i, scale.days) for i in range(scale.takeovers)),
    ]
    for kind in (plant_returner, plant_traveller, plant_small_merchant, plant_family_device):
        stories.extend(partial(kind, ctx, scale.days) for _ in range(scale.lookalikes_each))
    for i, story in enumerate(stories):
        story()
        report("planted", i + 1, len(stories))

    sink = DaySink(work / "events.parquet", start, scale.days)
    if ctx.rows:
        sink.add(*rows_frame(ctx.rows))
    _registrations(reg, ordinary_accounts, sink)
    background = Background(reg, pop, start, nprng, ids)
    background.scripted[list(ctx.scripted_logins)] = True
    for day in range(scale.days):
        background.day(day, sink)
        sink.flush(day - 1)
        report("days", day + 1, scale.days)
    sink.close()

    truth.identities = _identities(reg)
    _write_entities(reg, work)
    (work / "truth.json").write_bytes(msgspec.json.format(msgspec.json.encode(truth), indent=1))
    counts = dict(sorted(sink.counts.items()))
    files = _manifest(work, scale_name, seed, counts, sink.written)
    return WorldSummary(
        out_dir=work,
        scale=scale_name,
        seed=seed,
        events=sink.written,
        accounts=len(reg.account_ids),
        people=len(reg.person_ids),
        counts=counts,
        truth=truth,
        files=files,
    )


def _registrations(reg: Registry, upto: int, sink: DaySink) -> None:
    """Registration events of ordinary accounts (planted ones register themselves)."""
    idx = [i for i in range(upto) if reg.account_kind[i] != "bank_card"]
    person = [reg.account_person[i] for i in idx]
    ts = np.array([reg.account_opened_us[i] for i in idx], dtype=np.int64)
    city_names = [c.name for c in CITIES]
    sink.add(
        ts,
        frame(
            "account_registered",
            ts,
            {
                "org": [reg.account_org[i] for i in idx],
                "account": [reg.account_ids[i] for i in idx],
                "city": [city_names[reg.account_city[i]] for i in idx],
                "ip": [reg.home_ips[p] for p in person],
                "device_id": [reg.devices[p][0] for p in person],
            },
        ),
    )


def _identities(reg: Registry) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for account, person in zip(reg.account_ids, reg.account_person, strict=True):
        out.setdefault(reg.person_ids[person], []).append(account)
    return out


def _write_entities(reg: Registry, work: Path) -> None:
    city_names = [c.name for c in CITIES]
    party_ids = [f"PTY-{a}" for a in reg.account_ids]
    accounts = pa.table(
        {
            "account_id": reg.account_ids,
            "org": reg.account_org,
            "party_id": party_ids,
            "kind": reg.account_kind,
            "opened_at": pa.array(reg.account_opened_us, type=TIMESTAMP),
            "city": [city_names[c] for c in reg.account_city],
        }
    )
    births = [None if b is None else f"{b[:4]}-{b[4:6]}-{b[6:]}" for b in reg.party_birth]
    parties = pa.table(
        {
            "party_id": party_ids,
            "org": reg.account_org,
            "name": reg.party_name,
            "birth_date": pa.array(births, type=pa.string()).cast(pa.date32()),
            "city": [city_names[c] for c in reg.account_city],
            "phone": pa.array(reg.party_phone, type=pa.string()),
            "email": pa.array(reg.party_email, type=pa.string()),
            "national_id_hash": pa.array(reg.party_id_hash, type=pa.string()),
            "address": pa.array(reg.party_address, type=pa.string()),
        }
    )
    orgs = pa.Table.from_pylist([msgspec.structs.asdict(o) for o in ALL_ORGS])
    for name, table in (("accounts", accounts), ("parties", parties), ("organisations", orgs)):
        pq.write_table(table, work / f"{name}.parquet", compression="zstd")


def _manifest(
    work: Path, scale: str, seed: int, counts: dict[str, int], events: int
) -> dict[str, dict[str, object]]:
    files: dict[str, dict[str, object]] = {}
    for path in sorted(work.iterdir()):
        entry: dict[str, object] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
        if path.suffix == ".parquet":
            entry["rows"] = pq.ParquetFile(path).metadata.num_rows
        files[path.name] = entry
    manifest = {
        "scale": scale,
        "seed": seed,
        "events": events,
        "event_counts": counts,
        "files": files,
    }
    (work / "manifest.json").write_bytes(
        msgspec.json.format(msgspec.json.encode(manifest), indent=2)
    )
    return files
