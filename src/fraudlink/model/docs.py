"""The data-model reference (docs/data-model.md), rendered from the declarations.

The prose is written here by hand; every table and example below it is derived
from the structs, their ``Annotated`` constraints and the columnar schema, so
the reference cannot describe a field the code does not have. Examples are real
struct instances encoded by msgspec: if one became invalid, importing this
module would fail.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from string import Template
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec

from fraudlink.model import types as scalar_types
from fraudlink.model.columns import EVENT_SCHEMA
from fraudlink.model.entities import Account, Identifier, Organisation, Party
from fraudlink.model.events import (
    EVENT_TYPES,
)
from fraudlink.model.examples import example_entities, example_events

ENTITY_TYPES: tuple[type[msgspec.Struct], ...] = (Organisation, Party, Account, Identifier)

_CST = timezone(timedelta(hours=8))
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_BASE_NAMES: dict[Any, str] = {str: "string", int: "int", bool: "bool", float: "float"}


def render_data_model_markdown() -> str:
    """The whole of docs/data-model.md: hand-written prose around derived tables."""
    examples = {e.__struct_config__.tag: e for e in example_events()}
    missing = set(EVENT_TYPES) - set(examples)
    if missing:
        raise LookupError(f"no example event for {sorted(missing)}: add one to example_events()")
    entity_examples = example_entities()
    events = "\n\n".join(
        _struct_section(f"`{tag}`", cls, examples[tag]) for tag, cls in EVENT_TYPES.items()
    )
    entities = "\n\n".join(
        _struct_section(cls.__name__, cls, entity_examples[cls]) for cls in ENTITY_TYPES
    )
    text = _TEMPLATE.substitute(
        scalars=_scalar_table(),
        events=events,
        entities=entities,
        columns=_column_table(),
    )
    return text.strip() + "\n"


def _struct_section(heading: str, cls: type[msgspec.Struct], example: msgspec.Struct) -> str:
    tag = cls.__struct_config__.tag
    intro = f"Declared as `{cls.__name__}`." if tag is not None else ""
    rows = [("field", "type", "presence", "default", "description")]
    if tag is not None:
        tag_field = cls.__struct_config__.tag_field
        rows.append((f"`{tag_field}`", f'`"{tag}"`', "required", "", "Event type"))
    hints = typing.get_type_hints(cls, include_extras=True)
    infos = {f.name: f for f in msgspec.structs.fields(cls)}
    for name, annotation in hints.items():
        info = infos[name]
        default = "" if info.required else f"`{_json(info.default)}`"
        rows.append(
            (
                f"`{info.encode_name}`",
                _render_type(annotation),
                "required" if info.required else "optional",
                default,
                _description(annotation),
            )
        )
    parts = [f"### {heading}", _docstring(cls)]
    if intro:
        parts.append(intro)
    parts += [_table(rows), f"```json\n{_example_json(example, hints)}\n```"]
    return "\n\n".join(parts)


def _docstring(cls: type) -> str:
    doc = inspect.cleandoc(cls.__doc__ or "")
    return doc.replace("``", "`")


def _example_json(example: msgspec.Struct, hints: dict[str, Any]) -> str:
    # Wire order (subclass fields first) reads oddly; list the common fields first.
    data = msgspec.to_builtins(example)
    order = ["type", *hints]
    ordered = {k: data[k] for k in order if k in data}
    return msgspec.json.format(msgspec.json.encode(ordered), indent=2).decode()


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _render_type(annotation: Any) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        base, *extras = args
        metas = [m for m in extras if isinstance(m, msgspec.Meta)]
        text = _render_constrained(base, metas)
        label = _alias_label(annotation)
        return f"{text} ({label})" if label and base is not datetime else text
    if origin in (Union, types.UnionType):
        inner = [_render_type(a) for a in args if a is not type(None)]
        nullable = type(None) in args
        return " or ".join(inner) + (" or null" if nullable else "")
    if origin is Literal:
        return "one of " + " | ".join(f"`{v}`" for v in args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return f"list of {_render_type(args[0])}"
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return _render_constrained(annotation, [])


def _render_constrained(base: Any, metas: list[msgspec.Meta]) -> str:
    def first(attr: str) -> Any:
        return next((getattr(m, attr) for m in metas if getattr(m, attr) is not None), None)

    if base is datetime:
        tz = first("tz")
        return {True: "timestamp (tz-aware)", False: "timestamp (naive)"}.get(tz, "timestamp")
    if base is date:
        return "date (YYYY-MM-DD)"
    name = _BASE_NAMES.get(base, getattr(base, "__name__", repr(base)))
    if base is int or base is float:
        bounds = [
            f"{symbol} {_number(first(attr))}"
            for attr, symbol in (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤"))
            if first(attr) is not None
        ]
        return " ".join([name, ", ".join(bounds)]) if bounds else name
    if base is str:
        lo, hi, pattern = first("min_length"), first("max_length"), first("pattern")
        if lo is not None and hi is not None:
            name += f" of {lo}–{hi} chars"
        elif lo is not None:
            name += f" of ≥ {lo} chars"
        elif hi is not None:
            name += f" of ≤ {hi} chars"
        if pattern is not None:
            name += f" matching `{pattern}`"
    return str(name)


def _number(n: int | float) -> str:
    if isinstance(n, int) and n >= 10**6 and re.fullmatch(r"10*", str(n)):
        return "10" + str(len(str(n)) - 1).translate(_SUPERSCRIPT)
    return str(n)


def _scalar_aliases() -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(scalar_types).items()
        if get_origin(value) is Annotated and not name.startswith("_")
    }


def _alias_label(annotation: Any) -> str | None:
    for name, value in _scalar_aliases().items():
        if value == annotation:
            return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
    return None


def _description(annotation: Any) -> str:
    if get_origin(annotation) in (Union, types.UnionType):
        return " ".join(_description(a) for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) is not Annotated:
        return ""
    found = [m.description for m in get_args(annotation)[1:] if isinstance(m, msgspec.Meta)]
    return " ".join(d for d in found if d)


def _scalar_table() -> str:
    rows = [("name", "type", "description")]
    for name, value in _scalar_aliases().items():
        base = get_args(value)[0]
        metas = [m for m in get_args(value)[1:] if isinstance(m, msgspec.Meta)]
        rows.append((f"`{name}`", _render_constrained(base, metas), _description(value)))
    return _table(rows)


def _column_table() -> str:
    users: dict[str, list[str]] = {name: [] for name in EVENT_SCHEMA.names}
    for tag, cls in EVENT_TYPES.items():
        users["type"].append(tag)
        for f in msgspec.structs.fields(cls):
            users[f.name].append(tag)
    rows = [("column", "Arrow type", "used by")]
    for field in EVENT_SCHEMA:
        used = users[field.name]
        who = "all event types" if len(used) == len(EVENT_TYPES) else _code_list(used)
        rows.append((f"`{field.name}`", f"`{field.type}`", who))
    return _table(rows)


def _code_list(items: Iterable[str]) -> str:
    return ", ".join(f"`{i}`" for i in items)


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    header, *body = rows
    lines = [_row(header), _row(tuple("---" for _ in header))]
    lines += [_row(r) for r in body]
    return "\n".join(lines)


def _row(cells: tuple[str, ...]) -> str:
    # A bare pipe inside a cell would split it, even inside a code span.
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


_TEMPLATE = Template(
    """\
# The canonical data model

<!-- Generated by `fraudlink schema --markdown --out docs/data-model.md` from
src/fraudlink/model. Edit the declarations or the prose in
src/fraudlink/model/docs.py, then regenerate; do not edit this file by hand. -->

Every source a platform has (CSV exports, JSON lines, Parquet, a stream) becomes
*canonical events* at ingest, and every later stage (detection, cases, exchange,
investigation, reports) reads only those. This page is the reference for them and
for the entities they point at. The machine-readable form is the JSON Schema in
[`docs/schema/canonical-v1.json`](schema/canonical-v1.json)
(`fraudlink schema --out docs/schema/canonical-v1.json`).

## Principles

### The model is data

Each event type and entity is declared once, as a msgspec struct in
`src/fraudlink/model/`. The declaration drives decoding and validation, the JSON
Schema, the Parquet column layout and the tables on this page; only the prose is
written by hand. A test fails if this page or the JSON Schema differs from what
the code generates, so they cannot drift from the code.

### Money is an integer of minor units plus a currency

Every amount is an integer count of the currency's minor unit (fen for CNY, cents
for USD; JPY has none, BHD has three decimals) beside an ISO 4217 code in
`currency`. Floats never carry money: binary floating point cannot hold 0.29
exactly, and a loss total that is a fen out is a total the defence can question.
The decoder rejects a JSON number written with a decimal point, even `100.0`.
`fraudlink.model.money.to_minor` turns the decimal text platforms export
("1,299.00") into minor units exactly and refuses text with more decimals than
the currency has instead of rounding it away; `format_money` turns minor units
back into text for people. Amounts are
never negative: the direction of money is carried by the event (a refund is its
own event, a transfer names its payer and its payee).

### Every timestamp carries a time zone

Timestamps are RFC 3339 strings with an explicit offset, such as
`2026-03-14T09:20:31+08:00` or `2026-03-16T02:31:14.204Z`, with microsecond
precision. A timestamp without an offset is rejected when decoded: a platform's
local time, a server's UTC and a police node's clock would otherwise be three
instants read as one, and geo-velocity checks would invent impossible journeys.
JSON keeps the offset the source gave, which tells what the local clock showed.
Parquet stores the instant only (`timestamp[us, tz=UTC]`), so events read back
from a table carry UTC; compare instants, never wall-clock fields. Offsets are
whole minutes, as RFC 3339 writes them.

### `ts` is event time

`ts` is when the thing happened in the world, as the source recorded it: not when
fraudlink ingested it, nor when a node received it. Detection windows, timelines
and replays run on `ts`, which is why a batch replay and a live stream give the
same alerts. A wallet transfer has more than one moment: `initiated_at` when the
payer sent it, `completed_at` when it completed (null if it never did), and `ts`
the moment it reached its reported `status`, which is the completion, or the
initiation if it never completed. That is when money actually moved or failed
to: when a mule's balance can be frozen, and when the next hop of a laundering
chain can start. The gap between initiation and completion is kept because it is
evidence too.

### Ids are opaque and scoped by organisation

An `Id` is a string of 1 to 128 characters chosen by the organisation that issued
it. Nothing is parsed out of an id, and an id means something only together with
its organisation: an account is (`org`, `account`), a transfer's payee is
(`to_org`, `to_account`), and `event_id` names an event within its `org`. Sources
must keep ids stable, so that ingesting the same file twice yields the same events.

### Unknown is `null`, never a made-up value

Not every source knows everything. A bank ledger records that an account was
opened and that money moved, not from which IP, device or city; so `ip`,
`device_id` and `city` of registrations and logins are optional and `null` when
the source does not say. Ingest never fills them with a placeholder such as
`0.0.0.0` or `unknown`: a placeholder would make every such account share one
"device" and one "IP", and the shared-device rules would link them all. Rules
keyed by a device or IP skip events without one.

### Customers and external parties

A wallet transfer names both sides, but not both sides are always customers of
the organisation whose data it is. On a card statement the payee is a merchant;
on a payroll credit the payer is an employer. `external` says which side
(`payer` or `payee`) is outside the customer base: its id names a counterparty
(ingest derives one from the name, such as `ext:acme-payroll`), not an account
anyone can be alerted on, referred or frozen. Detection counts external parties
as counterparties, and alerts name customers only.

### Parties are not people

A *party* is a person or business as one organisation knows it: its KYC record,
with the name, phone, birth date and address that organisation was given. The same
human usually appears as several parties, one per platform, with a homophone in
the name, an old phone or another address; a gang opens accounts under many names
from the same few phones and devices. The model never merges parties into people.
Linking them is entity resolution's job (`investigate/resolve`): it weighs the
evidence, gives each link a probability and can be re-run when new data arrives. A
merge made at ingest would be invisible and irreversible, and a wrong one puts an
innocent person into a gang.

### National ids travel hashed

Resident id numbers are carried only as `national_id_hash` identifiers. Every
partner hashes them the same way, so equal numbers still match across
organisations without the number itself being copied to every node. The hash is a
matching key, not anonymisation: an 18-character resident id is made of a region
code, a birth date and a short sequence, few enough combinations to recover a
number from its hash by trying them all. A hashed id is personal data and is
handled as such.

## Scalar types

Constrained scalars shared by every record (`fraudlink.model.types`). Each field
table below names them by their constraint, with the alias in parentheses.

${scalars}

## Events

Events are JSON objects tagged by `type`. Unknown fields are rejected rather than
ignored, so a mapping error at ingest fails loudly. "optional" fields may be left
out and then take their default; only fields whose type says "or null" accept an
explicit `null`.

${events}

## Entities

${entities}

## Parquet columns

Events are stored in one wide Arrow/Parquet table: the union of every event
type's fields, `type` saying which apply, null where a field does not. One table
keeps a whole stream in event-time order in a single file, which is how replay and
detection read it, and "everything this account did" is a filter rather than a
merge of eight tables. Parquet has no union type, so the alternatives were a table
per event type (and a k-way merge on every replay) or a JSON column (no column
pruning, no statistics); dictionary and null encodings make the unused columns
nearly free. The price is one rule: a field name has the same type in every event
type that declares it, and `fraudlink.model.columns` refuses to import otherwise.
Every column is nullable; columns are listed in file order.

${columns}
"""
)
