"""The rule file, declared once as msgspec structs: decoding, validation and docs derive from it.

Every struct forbids unknown fields, so a typo in a rule file is an error with its
line number (see :mod:`.loader`), never a silently ignored setting.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from fraudlink.detect.rules.ledger_schema import LedgerRule

# Durations are text like "90s", "30m", "2h", "7d" (or a number of seconds); money is
# minor units (an integer) or text with the pack's currency, like "¥3,000" or "3000 CNY".
Duration = str | int
Money = str | int


class _Spec(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class _Op(_Spec, frozen=True, tag_field="op"):
    pass


# -- enrichments: add fields to each event, computed from state as of that event ------


class LatestSpec(_Op, frozen=True, kw_only=True, tag="latest"):
    """Join: the latest earlier event of type ``from`` whose ``match`` field equals our ``on``."""

    from_: str = msgspec.field(name="from")
    match: str
    on: str
    within: Duration = "30d"


class GeoVelocitySpec(_Op, frozen=True, kw_only=True, tag="geo_velocity"):
    """The hop from the account's previous login: distance, gap and implied speed."""

    successful_only: bool = True


class CounterpartySpec(_Op, frozen=True, kw_only=True, tag="counterparty"):
    """Whether the payer has paid this payee (a completed transfer) within ``horizon``."""

    horizon: Duration = "30d"


class ExposureSpec(_Op, frozen=True, kw_only=True, tag="exposure"):
    """Whether the account in field ``account`` is under an alert of one of ``rules``."""

    account: str
    rules: list[str]
    within: Duration = "24h"


Enrichment = LatestSpec | GeoVelocitySpec | CounterpartySpec | ExposureSpec


# -- detectors: per-key state over event time, producing metrics per event -----------


class Aggregate(_Spec, frozen=True, kw_only=True):
    """One window aggregate: ``fn`` over ``field`` of the events that pass ``where``."""

    fn: Literal["count", "sum", "distinct", "max", "share", "gap_cv"]
    field: str | None = None
    where: dict[str, Any] = {}


class WindowSpec(_Op, frozen=True, kw_only=True, tag="window"):
    """Sliding event-time window per ``key``: the events in [t - length, t]."""

    key: str
    length: Duration
    aggregates: dict[str, Aggregate]
    alert_on: str | None = None


class PassThroughSpec(_Op, frozen=True, kw_only=True, tag="pass_through"):
    """Money in and out again: an account's outflows against its inflows within ``within``."""

    within: Duration
    min_in: Money = 0


class FanSpec(_Op, frozen=True, kw_only=True, tag="fan"):
    """Fan-in (many payers to one payee) or fan-out (one payer to many payees)."""

    direction: Literal["in", "out"]
    length: Duration
    min_amount: Money = 0


class SharedSpec(_Op, frozen=True, kw_only=True, tag="shared"):
    """One device or IP used by many accounts within ``length``."""

    by: str
    length: Duration


Detector = WindowSpec | PassThroughSpec | FanSpec | SharedSpec

Severity = Literal["low", "medium", "high", "critical"]


class Rule(_Spec, frozen=True, kw_only=True):
    """One rule: which events, filtered how, enriched how, watched by what, alerting when."""

    id: str
    version: int = 1
    title: str
    typology: str
    weight: float
    description: str = ""
    on: list[str]
    where: dict[str, Any] = {}
    enrich: dict[str, Enrichment] = {}
    detect: Detector
    when: dict[str, Any]
    reason: str
    cooldown: Duration | None = None


class Settings(_Spec, frozen=True, kw_only=True):
    """Pack-wide settings."""

    currency: str = "CNY"
    lateness: Duration = 0
    score_horizon: Duration = "7d"
    flag_at: int = 50
    severity: dict[Severity, int] = msgspec.field(
        default_factory=lambda: {"critical": 85, "high": 65, "medium": 40}
    )
    ip_city_db: str | None = None
    time_zone: str = "Asia/Shanghai"


class RuleFile(_Spec, frozen=True, kw_only=True):
    """A rule file: settings, stream rules and ledger rules (at least one rule in all)."""

    version: Literal[1] = 1
    settings: Settings = msgspec.field(default_factory=Settings)
    rules: list[Rule] = []
    ledger: list[LedgerRule] = []
