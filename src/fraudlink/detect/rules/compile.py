"""Turn a decoded rule file into checked, ready-to-run rules.

Everything a rule names is resolved here (event types, fields, metrics, template
placeholders, referenced rules), so the engine never meets a bad name at run time.
Errors carry the path inside the file; the loader turns it into a line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fraudlink.detect.durations import parse_duration
from fraudlink.detect.explain import Template
from fraudlink.detect.rules.fields import (
    ACCOUNT_FIELDS,
    EVENT_FIELDS,
    Kind,
    detector_metrics,
    enrichment_fields,
    enrichment_values,
    fields_of,
    is_account_field,
    values_of,
)
from fraudlink.detect.rules.ledger_schema import LedgerRule, ledger_problem
from fraudlink.detect.rules.predicates import Pred, PredicateError, parse_clause
from fraudlink.detect.rules.schema import (
    Aggregate,
    Detector,
    Enrichment,
    ExposureSpec,
    FanSpec,
    LatestSpec,
    PassThroughSpec,
    Rule,
    RuleFile,
    SharedSpec,
    WindowSpec,
)

Path_ = tuple[str | int, ...]
Choices = dict[str, tuple[str, ...]]


class RuleError(ValueError):
    """A rule file problem at ``path`` (keys and list indices from the top of the file)."""

    def __init__(self, message: str, path: Path_) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


@dataclass(frozen=True)
class AggConfig:
    name: str
    fn: str
    field: str | None
    kind: Kind
    where: tuple[Pred, ...]
    field_kind: Kind = "str"  # the kind of ``field``'s values (what a distinct list holds)


@dataclass(frozen=True)
class WindowConfig:
    """A sliding window; ``fan`` and ``shared`` compile to one of these too."""

    key: str
    length_us: int
    aggs: tuple[AggConfig, ...]
    alert_on: str | None


@dataclass(frozen=True)
class PassThroughConfig:
    within_us: int
    min_in: int


@dataclass(frozen=True)
class CompiledRule:
    spec: Rule
    on: tuple[str, ...]
    base_where: tuple[Pred, ...]
    post_where: tuple[Pred, ...]
    enrich: tuple[tuple[str, Enrichment], ...]
    detector: WindowConfig | PassThroughConfig
    when: tuple[Pred, ...]
    template: Template
    kinds: dict[str, Kind]
    entity_field: str
    entity_kind: str
    cooldown_us: int
    depends_on: tuple[str, ...]
    # The distinct aggregate over an account field whose values are the accounts of a hit
    # on another entity (a device, an address); none when the rule names no accounts.
    accounts_from: str | None = None
    # Per distinct aggregate, the kind of the values its ``{name|list}`` writes.
    list_kinds: dict[str, Kind] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def weight(self) -> float:
        return self.spec.weight


@dataclass(frozen=True)
class RulePack:
    """Checked rules in evaluation order (a rule after those whose alerts it reads)."""

    rules: tuple[CompiledRule, ...]
    currency: str
    lateness_us: int
    score_horizon_us: int
    flag_at: int
    severity: tuple[tuple[int, str], ...]
    ip_city_db: Path | None
    zone: tzinfo = UTC
    source: str = "<rules>"
    ledger: tuple[LedgerRule, ...] = ()
    raw: RuleFile | None = field(default=None, compare=False)

    def rule(self, rule_id: str) -> CompiledRule:
        return next(r for r in self.rules if r.id == rule_id)


def entity_kind(field_name: str) -> str:
    """What an alert's entity is, in words: account, device or ip.

    An enrichment field is what its own name says: ``payee.device_id`` is a device.
    """
    base = field_name.rsplit(".", 1)[-1]
    if base in ACCOUNT_FIELDS:
        return "account"
    return {"device_id": "device"}.get(base, base)


def _where(
    raw: dict[str, Any],
    known: dict[str, Kind],
    currency: str,
    path: Path_,
    choices: Choices | None = None,
) -> list[Pred]:
    preds: list[Pred] = []
    for name, clause in raw.items():
        if name not in known:
            raise RuleError(
                f"unknown field {name!r}; expected one of {', '.join(sorted(known))}",
                (*path, name),
            )
        allowed = (choices or {}).get(name, ())
        try:
            preds.extend(parse_clause(name, clause, known[name], currency, allowed))
        except PredicateError as exc:
            raise RuleError(str(exc), (*path, name, *exc.path)) from exc
    return preds


def _duration(raw: str | int, path: Path_) -> int:
    try:
        value = parse_duration(raw)
    except ValueError as exc:
        raise RuleError(str(exc), path) from exc
    if value <= 0:
        raise RuleError("a duration must be longer than zero", path)
    return value


def _money(raw: str | int, currency: str, path: Path_) -> int:
    try:
        pred = parse_clause("amount", raw, "money", currency)[0]
    except PredicateError as exc:
        raise RuleError(str(exc), path) from exc
    assert isinstance(pred.value, int)
    return pred.value


def _detector(
    spec: Detector,
    on: tuple[str, ...],
    fields: dict[str, Kind],
    currency: str,
    path: Path_,
    choices: Choices,
) -> tuple[WindowConfig | PassThroughConfig, str]:
    """The runnable config and the field whose value is the alert's entity."""
    if isinstance(spec, PassThroughSpec | FanSpec) and on != ("wallet_transfer",):
        raise RuleError(f"{spec.__struct_config__.tag} needs on: [wallet_transfer]", (*path, "op"))
    if isinstance(spec, PassThroughSpec):
        within = _duration(spec.within, (*path, "within"))
        return PassThroughConfig(within, _money(spec.min_in, currency, (*path, "min_in"))), (
            "from_account"
        )
    if isinstance(spec, FanSpec):
        key, other = (
            ("to_account", "from_account")
            if spec.direction == "in"
            else ("from_account", "to_account")
        )
        floor = _money(spec.min_amount, currency, (*path, "min_amount"))
        where = parse_clause("amount", {"ge": floor}, "money", currency) if floor else []
        aggs = (
            AggConfig("counterparties", "distinct", other, "int", tuple(where)),
            AggConfig("transfers", "count", None, "int", tuple(where)),
            AggConfig("total", "sum", "amount", "money", tuple(where)),
        )
        return WindowConfig(key, _duration(spec.length, (*path, "length")), aggs, None), key
    if isinstance(spec, SharedSpec):
        if spec.by not in fields or "account" not in fields:
            raise RuleError(
                f"shared by {spec.by!r} needs event types with both {spec.by} and account",
                (*path, "by"),
            )
        if fields[spec.by] != "str":
            texts = sorted(k for k, v in fields.items() if v == "str")
            raise RuleError(
                f"shared by {spec.by!r} needs a text field; expected one of {', '.join(texts)}",
                (*path, "by"),
            )
        shared = (AggConfig("accounts", "distinct", "account", "int", ()),)
        length = _duration(spec.length, (*path, "length"))
        return WindowConfig(spec.by, length, shared, "accounts"), "account"
    assert isinstance(spec, WindowSpec)
    if spec.key not in fields or fields[spec.key] != "str":
        keys = sorted(k for k, v in fields.items() if v == "str")
        raise RuleError(
            f"unknown key {spec.key!r}; expected one of {', '.join(keys)}", (*path, "key")
        )
    configs = []
    for name, agg in spec.aggregates.items():
        apath = (*path, "aggregates", name)
        configs.append(_aggregate(name, agg, fields, currency, apath, choices))
    entity = spec.key
    if spec.alert_on is not None:
        target = next((a for a in configs if a.name == spec.alert_on), None)
        if target is None or target.fn != "distinct" or target.field not in ACCOUNT_FIELDS:
            raise RuleError(
                "alert_on must name a distinct aggregate over an account field",
                (*path, "alert_on"),
            )
        entity = target.field
    length = _duration(spec.length, (*path, "length"))
    return WindowConfig(spec.key, length, tuple(configs), spec.alert_on), entity


def _aggregate(
    name: str,
    agg: Aggregate,
    fields: dict[str, Kind],
    currency: str,
    path: Path_,
    choices: Choices,
) -> AggConfig:
    if name in fields or name in ("events", "span"):
        raise RuleError(f"aggregate name {name!r} is taken by a field or built-in metric", path)
    if agg.fn in ("sum", "max", "distinct"):
        if agg.field is None or agg.field not in fields:
            raise RuleError(
                f"{agg.fn} needs a field; expected one of {', '.join(sorted(fields))}",
                (*path, "field"),
            )
        if agg.fn != "distinct" and fields[agg.field] not in ("int", "float", "money", "duration"):
            raise RuleError(
                f"{agg.fn} needs a numeric field; {agg.field} is text", (*path, "field")
            )
    elif agg.field is not None:
        raise RuleError(f"{agg.fn} takes no field", (*path, "field"))
    where = tuple(_where(agg.where, fields, currency, (*path, "where"), choices))
    if agg.fn == "gap_cv" and where:
        raise RuleError("gap_cv takes no where: it measures the timing of all window events", path)
    if agg.fn == "share" and not where:
        raise RuleError("share needs a where: it is the share of events that pass it", path)
    kind: Kind = "int" if agg.fn in ("count", "distinct") else "ratio"
    if agg.fn == "gap_cv":
        kind = "float"
    if agg.fn in ("sum", "max") and agg.field is not None:
        kind = fields[agg.field]
    field_kind = fields[agg.field] if agg.field is not None else "str"
    return AggConfig(name, agg.fn, agg.field, kind, where, field_kind)


def compile_rule(rule: Rule, index: int, currency: str, known_ids: set[str]) -> CompiledRule:
    path: Path_ = ("rules", index)
    if not rule.on:
        raise RuleError("on needs at least one event type", (*path, "on"))
    for i, t in enumerate(rule.on):
        if t not in EVENT_FIELDS:
            raise RuleError(
                f"unknown event type {t!r}; expected one of {', '.join(EVENT_FIELDS)}",
                (*path, "on", i),
            )
    if not 0 < rule.weight <= 1:
        raise RuleError("weight must be in (0, 1]", (*path, "weight"))
    on = tuple(rule.on)
    base = fields_of(list(on))
    fields = dict(base)
    choices = values_of(list(on))
    depends: list[str] = []
    for alias, spec in rule.enrich.items():
        epath = (*path, "enrich", alias)
        if "." in alias or alias in fields:
            raise RuleError(f"enrichment name {alias!r} is taken or has a dot", epath)
        _check_enrichment(spec, on, base, epath, known_ids)
        if isinstance(spec, ExposureSpec):
            depends.extend(spec.rules)
        fields.update(enrichment_fields(alias, spec))
        choices.update(enrichment_values(alias, spec))
    # Filters on the event's own fields run before enrichment, on enriched fields after.
    where = _where(rule.where, fields, currency, (*path, "where"), choices)
    base_where = [p for p in where if p.field in base]
    post_where = [p for p in where if p.field not in base]
    detector, entity = _detector(rule.detect, on, fields, currency, (*path, "detect"), choices)
    metrics = detector_metrics(rule.detect, fields)
    if isinstance(detector, WindowConfig) and not isinstance(rule.detect, FanSpec | SharedSpec):
        metrics.update({a.name: a.kind for a in detector.aggs})
    when = _where(rule.when, metrics, currency, (*path, "when"))
    template = Template(rule.reason)
    kinds = {**fields, **metrics}
    distinct = (
        {a.name for a in detector.aggs if a.fn == "distinct"}
        if isinstance(detector, WindowConfig)
        else set()
    )
    for name, as_list in template.names():
        if name not in kinds or (as_list and name not in distinct):
            wanted = sorted(distinct) if as_list else sorted(kinds)
            raise RuleError(
                f"unknown placeholder {{{name}{'|list' if as_list else ''}}}; "
                f"expected one of {', '.join(wanted)}",
                (*path, "reason"),
            )
    length = detector.length_us if isinstance(detector, WindowConfig) else detector.within_us
    cooldown = length if rule.cooldown is None else _duration(rule.cooldown, (*path, "cooldown"))
    aggs = detector.aggs if isinstance(detector, WindowConfig) else ()
    accounts_from = next(
        (a.name for a in aggs if a.fn == "distinct" and is_account_field(a.field or "")), None
    )
    return CompiledRule(
        spec=rule,
        on=on,
        base_where=tuple(base_where),
        post_where=tuple(post_where),
        enrich=tuple(rule.enrich.items()),
        detector=detector,
        when=tuple(when),
        template=template,
        kinds=kinds,
        entity_field=entity,
        entity_kind=entity_kind(entity),
        cooldown_us=cooldown,
        depends_on=tuple(depends),
        accounts_from=accounts_from,
        list_kinds={a.name: a.field_kind for a in aggs if a.fn == "distinct"},
    )


def _check_enrichment(
    spec: Enrichment, on: tuple[str, ...], base: dict[str, Kind], path: Path_, known_ids: set[str]
) -> None:
    if isinstance(spec, LatestSpec):
        if spec.from_ not in EVENT_FIELDS:
            raise RuleError(
                f"unknown event type {spec.from_!r}; expected one of {', '.join(EVENT_FIELDS)}",
                (*path, "from"),
            )
        if spec.match not in EVENT_FIELDS[spec.from_]:
            raise RuleError(
                f"{spec.from_} has no field {spec.match!r}; expected one of "
                f"{', '.join(EVENT_FIELDS[spec.from_])}",
                (*path, "match"),
            )
        if spec.on not in base:
            raise RuleError(
                f"unknown field {spec.on!r}; expected one of {', '.join(sorted(base))}",
                (*path, "on"),
            )
        _duration(spec.within, (*path, "within"))
    elif isinstance(spec, ExposureSpec):
        if spec.account not in base or spec.account not in ACCOUNT_FIELDS:
            wanted = sorted(ACCOUNT_FIELDS & base.keys())
            raise RuleError(
                f"unknown account field {spec.account!r}; expected one of {', '.join(wanted)}",
                (*path, "account"),
            )
        for i, rid in enumerate(spec.rules):
            if rid not in known_ids:
                raise RuleError(
                    f"unknown rule {rid!r}; expected one of {', '.join(sorted(known_ids))}",
                    (*path, "rules", i),
                )
        _duration(spec.within, (*path, "within"))
    elif on != ("login",) and spec.__struct_config__.tag == "geo_velocity":
        raise RuleError("geo_velocity needs on: [login]", (*path, "op"))
    elif spec.__struct_config__.tag == "counterparty":
        if on != ("wallet_transfer",):
            raise RuleError("counterparty needs on: [wallet_transfer]", (*path, "op"))
        _duration(spec.horizon, (*path, "horizon"))  # type: ignore[union-attr]


def _check_exposures(compiled: list[CompiledRule]) -> None:
    """``exposure`` flags the accounts of other rules' hits: a rule must name some."""
    by_id = {r.id: r for r in compiled}
    for i, rule in enumerate(compiled):
        for alias, spec in rule.enrich:
            if not isinstance(spec, ExposureSpec):
                continue
            for j, rid in enumerate(spec.rules):
                other = by_id[rid]
                if other.entity_kind != "account" and other.accounts_from is None:
                    raise RuleError(
                        f"{rid!r} is keyed by {other.entity_field} and names no accounts; "
                        "exposure needs a rule keyed by an account or with a distinct "
                        "aggregate over account, from_account or to_account",
                        ("rules", i, "enrich", alias, "rules", j),
                    )


def _time_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuleError(
            f"unknown time zone {name!r}; expected an IANA name such as Asia/Shanghai or UTC",
            ("settings", "time_zone"),
        ) from exc


def _lateness(raw: str | int) -> int:
    """Like other durations, but zero (no waiting) is allowed."""
    try:
        value = parse_duration(raw)
    except ValueError as exc:
        raise RuleError(str(exc), ("settings", "lateness")) from exc
    if value < 0:
        raise RuleError("lateness cannot be negative", ("settings", "lateness"))
    return value


def compile_pack(raw: RuleFile, source: str = "<rules>", base_dir: Path | None = None) -> RulePack:
    """Check every rule and order them so a rule runs after the rules whose alerts it reads."""
    s = raw.settings
    if not raw.rules and not raw.ledger:
        raise RuleError("a rule file needs at least one rule under rules or ledger", ("rules",))
    ids = [r.id for r in raw.rules]
    for i, rid in enumerate(ids):
        if rid in ids[:i]:
            raise RuleError(f"rule id {rid!r} is used twice", ("rules", i, "id"))
    problem = ledger_problem(raw.ledger, set(ids))
    if problem is not None:
        raise RuleError(problem[1], problem[0])
    compiled = [compile_rule(r, i, s.currency, set(ids)) for i, r in enumerate(raw.rules)]
    _check_exposures(compiled)
    ordered: list[CompiledRule] = []
    placed: set[str] = set()
    pending = list(compiled)
    while pending:
        ready = [r for r in pending if set(r.depends_on) <= placed]
        if not ready:
            i = ids.index(pending[0].id)
            raise RuleError("rules read each other's alerts in a cycle", ("rules", i, "enrich"))
        for r in ready:
            ordered.append(r)
            placed.add(r.id)
            pending.remove(r)
    bands = tuple(sorted(((v, k) for k, v in s.severity.items()), reverse=True))
    db = None
    if s.ip_city_db:
        db = Path(s.ip_city_db)
        if not db.is_absolute() and base_dir is not None:
            db = base_dir / db
        if not db.is_file():
            raise RuleError(
                f"IP→city database {db} not found "
                "(a MaxMind .mmdb file; a relative path is read from the rule file's folder)",
                ("settings", "ip_city_db"),
            )
    return RulePack(
        rules=tuple(ordered),
        currency=s.currency,
        lateness_us=_lateness(s.lateness),
        score_horizon_us=_duration(s.score_horizon, ("settings", "score_horizon")),
        flag_at=s.flag_at,
        severity=bands,
        ip_city_db=db,
        zone=_time_zone(s.time_zone),
        source=source,
        raw=raw,
        ledger=tuple(raw.ledger),
    )
