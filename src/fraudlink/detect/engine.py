"""The detection engine: canonical events in (any batch size), alerts out, in event-time order.

Pure and deterministic: no clocks, no I/O. Each released micro-batch is a
:class:`Frame`; every rule selects its event types and filters with array
operations, asks its enrichments for fields as of each event, and hands the rows to
its detector. Hits of all rules are then merged in (time, sequence, rule order)
and turned into alerts one by one, so dedupe and scores see exactly what an
event-at-a-time engine would. Batching changes speed, never results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa

from fraudlink.detect import frame as _frame
from fraudlink.detect.alerts import Alert, AlertBook, accounts_of
from fraudlink.detect.filters import mask
from fraudlink.detect.frame import Frame
from fraudlink.detect.intern import Interners
from fraudlink.detect.live_rows import LiveRows
from fraudlink.detect.operators.base import Enricher, Hit, Values
from fraudlink.detect.operators.counterparty import NewCounterparty
from fraudlink.detect.operators.exposure import Exposure, HitIndex
from fraudlink.detect.operators.geo import GeoVelocity
from fraudlink.detect.operators.ipcity import CityResolver, IpCityDb
from fraudlink.detect.operators.join import LatestJoin
from fraudlink.detect.operators.pass_through import PassThroughDetector
from fraudlink.detect.operators.window import WindowDetector
from fraudlink.detect.reorder import Reorder
from fraudlink.detect.rules.compile import CompiledRule, RulePack, WindowConfig
from fraudlink.detect.rules.schema import (
    CounterpartySpec,
    Enrichment,
    ExposureSpec,
    GeoVelocitySpec,
    LatestSpec,
)
from fraudlink.model.columns import EVENT_SCHEMA

Detector = WindowDetector | PassThroughDetector


@dataclass
class LateEvent:
    event_id: str
    ts_us: int
    behind_us: int


@dataclass
class EngineStats:
    """What the engine saw: counted so nothing is ever dropped silently."""

    events: int = 0
    batches: int = 0
    late: int = 0
    late_events: list[LateEvent] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)


def conform(table: pa.Table | pa.RecordBatch) -> pa.Table:
    """The canonical wide layout: missing columns become nulls, types are cast."""
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    if table.schema.equals(EVENT_SCHEMA):
        return table
    n = table.num_rows
    columns = []
    for f in EVENT_SCHEMA:
        if f.name in table.column_names:
            columns.append(table.column(f.name).cast(f.type))
        else:
            columns.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(columns, schema=EVENT_SCHEMA)


class _RuleRunner:
    def __init__(self, rule: CompiledRule, enrichers: list[tuple[str, Enricher]], prefilter: bool):
        self.rule = rule
        self.enrichers = enrichers
        self.detector: Detector
        if isinstance(rule.detector, WindowConfig):
            self.detector = WindowDetector(rule.detector, rule.when, prefilter)
        else:
            self.detector = PassThroughDetector(rule.detector, rule.when)

    def run(self, frame: Frame) -> tuple[np.ndarray, Values, list[Hit]]:
        rule = self.rule
        rows = frame.rows_of(rule.on)
        if rule.base_where and len(rows):
            rows = rows[mask(frame, rows, {}, rule.base_where)]
        values: Values = {}
        if len(rows) == 0:
            # Enrichments have no side effects and detectors ignore empty input, so a
            # batch without this rule's events costs nothing: live batches are small.
            return rows, values, []
        for alias, enricher in self.enrichers:
            for name, column in enricher.enrich(frame, rows).items():
                values[f"{alias}.{name}"] = column
        if rule.post_where and len(rows):
            keep = mask(frame, rows, values, rule.post_where)
            rows = rows[keep]
            values = {k: v[keep] for k, v in values.items()}
        return rows, values, self.detector.process(frame, rows, values)


def _spec_key(spec: Any) -> bytes:
    return msgspec.json.encode(spec)


class Engine:
    """Feed batches of canonical events with :meth:`push`; call :meth:`flush` at the end."""

    def __init__(
        self,
        pack: RulePack,
        *,
        lateness_us: int | None = None,
        prefilter: bool = True,
        ip_city: IpCityDb | None = None,
    ) -> None:
        self.pack = pack
        self.prefilter = prefilter
        self.interners = Interners()
        self.stats = EngineStats()
        self.hit_index = HitIndex()
        if ip_city is None and pack.ip_city_db is not None:
            ip_city = IpCityDb(pack.ip_city_db)
        self.resolver = CityResolver(ip_city)
        self.reorder = Reorder(pack.lateness_us if lateness_us is None else lateness_us)
        self.book = AlertBook(pack)
        self._seq = 0
        self._enrichers: dict[bytes, Enricher] = {}
        self._runners: dict[str, tuple[bytes, _RuleRunner]] = {}
        self._install(pack)

    # -- rules -------------------------------------------------------------------
    def _install(self, pack: RulePack) -> None:
        needed = _needed_fields(pack)
        enrichers: dict[bytes, Enricher] = {}
        runners: dict[str, tuple[bytes, _RuleRunner]] = {}
        for rule in pack.rules:
            chosen = []
            for alias, spec in rule.enrich:
                key = _spec_key(spec) + b"|" + _spec_key(sorted(needed.get(_spec_key(spec), ())))
                enricher = enrichers.get(key) or self._enrichers.get(key)
                if enricher is None:
                    enricher = self._make_enricher(spec, needed.get(_spec_key(spec), set()))
                enrichers[key] = enricher
                chosen.append((alias, enricher))
            key = _spec_key(rule.spec) + _spec_key(pack.currency)
            old = self._runners.get(rule.id)
            if old is not None and old[0] == key:
                runner = old[1]
                runner.rule = rule
                runner.enrichers = chosen
            else:
                runner = _RuleRunner(rule, chosen, self.prefilter)
            runners[rule.id] = (key, runner)
        self._enrichers, self._runners = enrichers, runners

    def _make_enricher(self, spec: Enrichment, fields: set[str]) -> Enricher:
        if isinstance(spec, LatestSpec):
            return LatestJoin(spec, fields)
        if isinstance(spec, GeoVelocitySpec):
            return GeoVelocity(spec, self.resolver)
        if isinstance(spec, CounterpartySpec):
            return NewCounterparty(spec)
        if isinstance(spec, ExposureSpec):
            return Exposure(spec, self.hit_index)
        raise TypeError(spec)  # pragma: no cover

    def reload(self, pack: RulePack) -> None:
        """Swap in new rules; rules whose definition did not change keep their state."""
        self.pack = pack
        self.book.pack = pack
        self._install(pack)

    # -- events ------------------------------------------------------------------
    def push(self, events: pa.Table | pa.RecordBatch) -> list[Alert]:
        """Take arriving events (any order within the lateness); return the alerts they fire."""
        table = conform(events)
        if table.num_rows == 0:
            return []
        ready, late = self.reorder.push(table)
        if late is not None and late.num_rows:
            self._count_late(late)
        return self._process(ready) if ready is not None else []

    def push_live(self, batch: LiveRows) -> list[Alert]:
        """:meth:`push` for a live batch kept as Python rows (``live_rows``).

        A handful of events that need no waiting in the lateness buffer go to the rules
        as rows, with no Arrow table built unless an alert asks for its event; anything
        else (out of order, a lateness allowed, a big batch) takes :meth:`push`.
        """
        if not batch.rows:
            return []
        if len(batch.rows) > _frame.SMALL_BATCH or not self.reorder.take_in_order(batch.ts):
            return self.push(batch.table())
        return self._evaluate(Frame(batch, self._next_seq(len(batch)), self.interners))

    def flush(self) -> list[Alert]:
        """End of stream: process whatever the lateness buffer still holds."""
        ready = self.reorder.flush()
        return self._process(ready) if ready is not None else []

    def _count_late(self, late: pa.Table) -> None:
        from fraudlink.detect.frame import ts_micros

        self.stats.late += late.num_rows
        room = 10_000 - len(self.stats.late_events)
        if room <= 0:
            return
        ids = late.column("event_id").to_pylist()[:room]
        ts = ts_micros(late.column("ts"))[:room].tolist()
        behind = self.reorder.released_ts
        self.stats.late_events.extend(
            LateEvent(str(i), t, behind - t) for i, t in zip(ids, ts, strict=True)
        )

    def _next_seq(self, n: int) -> np.ndarray:
        seq = np.arange(self._seq, self._seq + n, dtype=np.int64)
        self._seq += n
        return seq

    def _process(self, table: pa.Table) -> list[Alert]:
        return self._evaluate(Frame(table, self._next_seq(table.num_rows), self.interners))

    def _evaluate(self, frame: Frame) -> list[Alert]:
        n = frame.n
        self.stats.events += n
        self.stats.batches += 1
        found: list[tuple[int, int, int, str, Hit, CompiledRule, dict[str, Any]]] = []
        for order, (_, runner) in enumerate(self._runners.values()):
            rule = runner.rule
            rows, values, hits = runner.run(frame)
            if not hits:
                continue
            self.stats.hits[rule.id] = self.stats.hits.get(rule.id, 0) + len(hits)
            for hit in hits:
                t, s = int(frame.ts[hit.pos]), int(frame.seq[hit.pos])
                at = int(np.searchsorted(rows, hit.pos))
                extra = {k: _scalar(v[at]) for k, v in values.items()}
                for entity in hit.entities:
                    # exposure sees the accounts of every hit, a device's or an address's too
                    for account in dict.fromkeys(accounts_of(rule, hit, entity)):
                        self.hit_index.add(account, t, s, rule.id)
                    found.append((t, s, order, entity, hit, rule, extra))
        for enricher in self._enrichers.values():
            enricher.advance(frame)
        found.sort(key=lambda f: (f[0], f[1], f[2]))
        alerts = []
        rows_cache: dict[int, dict[str, Any]] = {}

        def row_of(pos: int, extra: dict[str, Any]) -> Callable[[], dict[str, Any]]:
            def fetch() -> dict[str, Any]:
                row = rows_cache.get(pos)
                if row is None:
                    row = rows_cache[pos] = frame.row(pos)
                return {**row, **extra}

            return fetch

        for t, _s, _o, entity, hit, rule, extra in found:
            alert = self.book.consider(rule, hit, entity, t, row_of(hit.pos, extra))
            if alert is not None:
                alerts.append(alert)
                self.stats.alerts[rule.id] = self.stats.alerts.get(rule.id, 0) + 1
        self._expire(int(frame.ts[-1]))
        return alerts

    def _expire(self, now_us: int) -> None:
        for enricher in self._enrichers.values():
            enricher.expire(now_us)
        for _, runner in self._runners.values():
            runner.detector.expire(now_us)
        self.hit_index.expire(now_us)
        if self.stats.batches % 16 == 0:
            self.book.expire(now_us)


def _scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN: no value
        return None
    return value


def _needed_fields(pack: RulePack) -> dict[bytes, set[str]]:
    """For each enrichment definition, the fields any rule reads from it (joins keep only those)."""
    out: dict[bytes, set[str]] = {}
    for rule in pack.rules:
        names = {p.field for p in rule.post_where} | {p.field for p in rule.when}
        names |= {name for name, _ in rule.template.names()}
        if isinstance(rule.detector, WindowConfig):
            names.add(rule.detector.key)
            for agg in rule.detector.aggs:
                names |= {p.field for p in agg.where}
                if agg.field:
                    names.add(agg.field)
        for alias, spec in rule.enrich:
            prefix = alias + "."
            used = {n[len(prefix) :] for n in names if n.startswith(prefix)}
            out.setdefault(_spec_key(spec), set()).update(used)
    return out
