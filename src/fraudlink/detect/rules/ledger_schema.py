"""Ledger rules: typologies judged over the whole transfer ledger, declared as data.

A stream rule (:mod:`.schema`) sees one event at a time and keeps per-key windows;
a *ledger rule* reads the complete ledger of a replay (every completed transfer,
registration, refund and login of the files given) and judges each account against
the population and against its own history. That is what the standard typologies of
anti-money-laundering need: a fan-in spread over a month, a cycle of seven hops
over three weeks, an account that wakes after months of silence. Nothing here names
an amount in one currency: thresholds are quantiles of the population, z-scores over
the account's own baseline, or (for structuring only) a reporting threshold given
per currency, because that one is set by law, not by the data.

Each detector is one struct, tagged by ``op``; its fields are its parameters with
their defaults. ``docs/rules.md#ledger-rules`` documents each definition.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from fraudlink.detect.durations import parse_duration

Duration = str | int


class _Spec(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class _LedgerOp(_Spec, frozen=True, tag_field="op"):
    pass


# -- account behaviour (DuckDB over the ledger) ------------------------------------


class FanLedgerSpec(_LedgerOp, frozen=True, kw_only=True, tag="fan"):
    """Many distinct one-off counterparties into (``in``) or out of (``out``) one
    account within ``window``: beyond the population's robust fence (median + ``z``
    robust deviations of the same count, on a log scale) and at least
    ``min_counterparties``. A counterparty met in ``regular_after`` or more distinct
    half-windows (a tenant's rent, an employee's pay) does not count."""

    direction: Literal["in", "out"]
    window: Duration = "30d"
    z: float = 3.5
    min_counterparties: int = 5
    regular_after: int = 3


class PassThroughLedgerSpec(_LedgerOp, frozen=True, kw_only=True, tag="pass_through"):
    """Money in and most of it out again, at every time scale in ``windows``: an
    inflow is *passed on* at a scale when at least ``min_share`` of its amount
    leaves the account (to someone other than its sender) within that time. An
    account is found at the fastest scale where its passed-on inflows number at
    least ``min_transfers`` and stand beyond the population's robust fence (``z``)
    for that scale: at a month everyone spends their pay; within an hour few do."""

    windows: list[Duration] = msgspec.field(default_factory=lambda: ["1h", "1d", "7d", "30d"])
    min_share: float = 0.8
    z: float = 3.5
    min_transfers: int = 2


class StructuringSpec(_LedgerOp, frozen=True, kw_only=True, tag="structuring"):
    """Repeated amounts just under a reporting threshold: at least ``min_count``
    transfers within ``window`` in [threshold × (1 − ``band``), threshold)."""

    # Minor units per currency: US and EU cash reporting at 10,000; China's large-value
    # reporting at ¥50,000; JPY has no minor unit.
    thresholds: dict[str, int] = msgspec.field(
        default_factory=lambda: {
            "USD": 1_000_000, "EUR": 1_000_000, "GBP": 1_000_000, "CNY": 5_000_000,
            "HKD": 12_000_000, "JPY": 1_000_000, "INR": 100_000_000,
        }
    )  # fmt: skip
    band: float = 0.1
    window: Duration = "7d"
    min_count: int = 3


class DormantBurstSpec(_LedgerOp, frozen=True, kw_only=True, tag="dormant_burst"):
    """Silence for at least ``quiet`` (and longer than the account's own usual gaps),
    then a burst: within ``burst`` at least ``min_transfers`` and a rate ``z`` standard
    deviations above the account's own."""

    quiet: Duration = "30d"
    burst: Duration = "7d"
    min_transfers: int = 5
    z: float = 3.0


class CounterpartyExplosionSpec(_LedgerOp, frozen=True, kw_only=True, tag="counterparty_explosion"):
    """New counterparties within ``window`` far above the account's own history:
    ``z`` standard deviations over its mean per window, and at least ``min_new``."""

    window: Duration = "7d"
    history: Duration = "90d"
    z: float = 3.0
    min_new: int = 5


class RapidInOutSpec(_LedgerOp, frozen=True, kw_only=True, tag="rapid_in_out"):
    """A new account (opened, or first seen, at most ``new_within`` ago) that
    receives money and sends at least ``min_share`` of it on within ``within``."""

    new_within: Duration = "30d"
    within: Duration = "3d"
    min_share: float = 0.8
    min_transfers: int = 2


class PurchaseRefundSpec(_LedgerOp, frozen=True, kw_only=True, tag="purchase_refund"):
    """Repeated purchase → refund pairs: a payment and money back from the same
    counterparty (or a refund on the same order) within ``within``, for an amount
    within ``tolerance``, at least ``min_pairs`` times and more often than the
    population's ``quantile``."""

    within: Duration = "3d"
    tolerance: float = 0.1
    min_pairs: int = 3
    quantile: float = 0.99


class BehaviourShiftSpec(_LedgerOp, frozen=True, kw_only=True, tag="behaviour_shift"):
    """Spending unlike the account's own past within ``window`` after a credential
    change (or, without one in the data, at any point): amounts ``z`` standard
    deviations above its own, new counterparties, hours it never used, a drained
    balance. At least ``min_signals`` of those together."""

    window: Duration = "2d"
    history: Duration = "60d"
    z: float = 3.0
    min_transfers: int = 3
    min_signals: int = 3


# -- graph structure (python-igraph over the transfer graph) -----------------------


class CycleSpec(_LedgerOp, frozen=True, kw_only=True, tag="cycle"):
    """Money that returns to where it started: a time-ordered path of
    ``min_length``..``max_length`` distinct accounts ending at its origin within
    ``within``, each hop keeping at least ``min_retained`` of the amount before it.
    A 2-cycle of a pair that paid each other both ways in ``regular_after`` or more
    distinct periods of ``within`` (a family, flatmates) is not counted."""

    min_length: int = 2
    max_length: int = 8
    within: Duration = "30d"
    min_retained: float = 0.5
    regular_after: int = 3


class ScatterGatherSpec(_LedgerOp, frozen=True, kw_only=True, tag="scatter_gather"):
    """``scatter_gather``: one source pays at least ``min_middle`` intermediaries who
    all pay one sink within ``within``. ``gather_scatter``: at least ``min_middle``
    payers into one account that pays at least ``min_middle`` payees on, the
    outflows following the inflows within ``within`` and carrying ``min_retained``
    of the money, and the hub's fan beyond the robust fence (``z``) of every
    account's. Pairs paid in ``regular_after`` or more distinct periods of
    ``within`` (a salary, a tenant's rent) are not part of a fan."""

    shape: Literal["scatter_gather", "gather_scatter"] = "scatter_gather"
    within: Duration = "14d"
    min_middle: int = 3
    min_retained: float = 0.5
    regular_after: int = 3
    z: float = 3.5


class LayeringSpec(_LedgerOp, frozen=True, kw_only=True, tag="layering"):
    """Stacked layers: money passes through at least ``min_layers`` successive sets
    of at least ``min_width`` accounts (a bipartite stack), each layer passing on
    ``min_retained`` of what it got within ``within`` of the first hop. Pairs paid
    in ``regular_after`` or more distinct periods of ``within`` are left out."""

    min_layers: int = 2
    min_width: int = 2
    within: Duration = "14d"
    min_retained: float = 0.5
    regular_after: int = 3


class CommunityFlowSpec(_LedgerOp, frozen=True, kw_only=True, tag="community_flow"):
    """Communities of the transfer graph (Leiden) whose flow is unusual against the
    other communities: money passed through rather than spent (the larger of
    money in and out over what the community kept), beyond the robust fence
    (``z``) of the population of communities, in one of ``min_size``..``max_size``
    accounts."""

    z: float = 3.5
    min_size: int = 3
    max_size: int = 60


class RiskPropagationSpec(_LedgerOp, frozen=True, kw_only=True, tag="risk_propagation"):
    """Risk spread from known-bad accounts along the money (personalised PageRank
    from the seeds, weighted by amount): accounts beyond the robust fence (``z``) of
    propagated risk among the accounts it reaches, seeds excepted. Seeds are the
    accounts given as known bad and those other ledger rules of the pack hit with
    a weight of at least ``seed_weight``."""

    damping: float = 0.85
    z: float = 3.5
    seed_weight: float = 0.6
    max_seeds: int = 10_000


LedgerDetector = (
    FanLedgerSpec
    | PassThroughLedgerSpec
    | StructuringSpec
    | DormantBurstSpec
    | CounterpartyExplosionSpec
    | RapidInOutSpec
    | PurchaseRefundSpec
    | BehaviourShiftSpec
    | CycleSpec
    | ScatterGatherSpec
    | LayeringSpec
    | CommunityFlowSpec
    | RiskPropagationSpec
)


class LedgerRule(_Spec, frozen=True, kw_only=True):
    """One typology over the whole ledger; its alerts are like a stream rule's."""

    id: str
    version: int = 1
    title: str
    typology: str
    weight: float
    description: str = ""
    detect: LedgerDetector


# Parameter names that hold durations, and those that hold a share from 0 to 1.
DURATION_PARAMS = frozenset(
    {"window", "windows", "quiet", "burst", "history", "new_within", "within"}
)
SHARE_PARAMS = frozenset(
    {
        "quantile",
        "min_share",
        "band",
        "tolerance",
        "min_retained",
        "damping",
        "seed_weight",
    }
)


def ledger_problem(
    rules: list[LedgerRule], stream_ids: set[str]
) -> tuple[tuple[str | int, ...], str] | None:
    """The first mistake in the ledger rules (its key path and what is wrong), or None.

    Ids are unique across stream and ledger rules, weights in (0, 1], every duration
    readable and longer than zero, every share between 0 and 1.
    """
    seen = set(stream_ids)
    for i, rule in enumerate(rules):
        path: tuple[str | int, ...] = ("ledger", i)
        if rule.id in seen:
            return (*path, "id"), f"rule id {rule.id!r} is used twice"
        seen.add(rule.id)
        if not 0 < rule.weight <= 1:
            return (*path, "weight"), "weight must be in (0, 1]"
        for name in rule.detect.__struct_fields__:
            value = getattr(rule.detect, name)
            at: tuple[str | int, ...] = (*path, "detect", name)
            if name in DURATION_PARAMS:
                items = value if isinstance(value, list) else [value]
                if not items:
                    return at, "give at least one duration"
                for item in items:
                    try:
                        seconds = parse_duration(item)
                    except ValueError as exc:
                        return at, str(exc)
                    if seconds <= 0:
                        return at, "a duration must be longer than zero"
            if name in SHARE_PARAMS and not 0 <= value <= 1:
                return at, f"{name} must be between 0 and 1, not {value}"
    return None
