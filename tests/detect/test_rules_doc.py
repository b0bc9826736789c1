"""docs/rules.md cannot fall behind the code: its examples load and run, its lists are complete.

Every ```yaml block is loaded with the real loader: a whole rule file, a fragment (its
first line says ``# fragment: settings`` or ``# fragment: rule``, and it is wrapped into a
file here) or a file the loader must refuse (``# rules.yaml: refused``). Every whole
example file is run through the engine on the small stream below that the doc describes
in words, and the output block after it must be what the engine gives. Shell sessions
(``$ fraudlink ...``) are run for real. The lists (operators, parameters, defaults, fields,
metrics, predicate operators, event fields, built-in rules) are derived from the code.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import typing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import indent
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest

from fraudlink.detect.alerts import Alert
from fraudlink.detect.engine import Engine
from fraudlink.detect.rules import fields as rule_fields
from fraudlink.detect.rules.fields import EVENT_FIELDS, Kind, enrichment_fields
from fraudlink.detect.rules.loader import RuleFileError, builtin_pack, load_rules_text
from fraudlink.detect.rules.predicates import OPS
from fraudlink.detect.rules.schema import (
    Aggregate,
    CounterpartySpec,
    Detector,
    Enrichment,
    ExposureSpec,
    GeoVelocitySpec,
    LatestSpec,
    Rule,
    Settings,
)
from fraudlink.model.columns import table_to_events
from fraudlink.model.events import EVENT_TYPES
from tests.detect.streams import (
    HOUR,
    MINUTE,
    T0,
    claim,
    login,
    registered,
    scan,
    table,
    transfer,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS: list[tuple[str, str]] = [
    (m.group(1), m.group(2))
    for m in re.finditer(r"^```(\w*)\n(.*?)^```$", TEXT, flags=re.DOTALL | re.MULTILINE)
]
YAML = [i for i, (lang, _) in enumerate(BLOCKS) if lang == "yaml"]
REFUSED = "# rules.yaml: refused"
FRAGMENT = re.compile(r"^# fragment: (settings|rule)\n")
FRAUDLINK = str(Path(sys.executable).with_name("fraudlink"))
DAY = 24 * HOUR

# The rule a "# fragment: rule" block is merged into: its keys replace these lines.
BASE_RULE = {
    "id": "id: fragment",
    "title": "title: fragment",
    "typology": "typology: example",
    "weight": "weight: 0.5",
    "on": "on: [wallet_transfer]",
    "detect": (
        "detect: {op: window, key: from_account, length: 24h,"
        " aggregates: {n: {fn: count}, paid: {fn: sum, field: amount}}}"
    ),
    "when": "when: {n: {ge: 1}}",
    "reason": 'reason: "{n} transfers"',
}


def _as_file(body: str) -> str:
    """A whole rule file from a yaml block (fragments wrapped into a minimal file)."""
    found = FRAGMENT.match(body)
    if found is None:
        return body
    inner = body[found.end() :]
    if found.group(1) == "settings":
        rule = "\n    ".join(BASE_RULE.values())
        return f"version: 1\nsettings:\n{indent(inner, '  ')}rules:\n  - {rule}\n"
    keys = {line.split(":")[0] for line in inner.splitlines() if line and line[0].isalpha()}
    rule = "\n    ".join(v for k, v in BASE_RULE.items() if k not in keys)
    return f"version: 1\nrules:\n  - {rule}\n{indent(inner, '    ')}"


def _section(heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    level = len(heading.split(" ")[0])
    lines = TEXT.splitlines()
    start = lines.index(heading) + 1
    fenced = False
    for end in range(start, len(lines)):
        fenced ^= lines[end].startswith("```")
        marks = lines[end].split(" ")[0]
        if not fenced and marks and set(marks) == {"#"} and len(marks) <= level:
            return "\n".join(lines[start:end])
    return "\n".join(lines[start:])


def _table_row(section: str, name: str) -> str:
    row = next((line for line in section.splitlines() if line.startswith(f"| `{name}` |")), None)
    assert row is not None, f"no table row for `{name}`"
    return row


# -- the examples load ---------------------------------------------------------------


def test_the_doc_has_examples_of_each_sort() -> None:
    bodies = [BLOCKS[i][1] for i in YAML]
    assert sum(b.startswith(REFUSED) for b in bodies) >= 2
    assert any(b.startswith("# fragment: settings") for b in bodies)
    assert any(b.startswith("# fragment: rule") for b in bodies)
    assert sum(not b.startswith("#") for b in bodies) >= 10


@pytest.mark.parametrize("index", YAML)
def test_every_yaml_block_loads_or_is_refused_as_shown(index: int, tmp_path: Path) -> None:
    body = BLOCKS[index][1]
    # A database the example names must exist beside the rule file (it is checked at load).
    for name in re.findall(r"ip_city_db: (\S+)", body):
        (tmp_path / name).write_bytes(b"")
    if body.startswith(REFUSED):
        with pytest.raises(RuleFileError) as caught:
            load_rules_text(body, source="rules.yaml")
        shown = BLOCKS[index + 1][1]
        assert f"error: {caught.value}\n" in shown
        return
    assert body.startswith(("version: 1\n", "# fragment: ")), "a whole file or a marked fragment"
    assert load_rules_text(_as_file(body), base_dir=tmp_path).rules


# -- the examples give the output the doc shows ----------------------------------------

# The streams the doc describes in words under each example, by the id of its last rule.
STREAMS: dict[str, list[dict[str, Any]]] = {
    "refund-burst": [scan(T0 + i * MINUTE, "hx-u1001", f"hx-o{i}", "signed") for i in range(3)]
    + [claim(T0 + HOUR + i * 10 * MINUTE, "hx-u1001", f"hx-o{i}", 500_000) for i in range(3)],
    "young-payee": [
        registered(T0, "qb-u7"),
        transfer(T0 + 2 * DAY + 5 * HOUR, "qb-u1", "qb-u7", 800_000),
    ],
    "travel": [
        login(T0, "qb-u1", "Beijing"),
        login(T0 + 40 * MINUTE, "qb-u1", "Kunming", ip="112.112.9.9", device="dv-x"),
    ],
    "new-payees": [transfer(T0 - 10 * DAY, "qb-u1", "qb-u2", 20_000)]
    + [transfer(T0 + i * 30 * MINUTE, "qb-u1", f"qb-u{i + 2}", 20_000) for i in range(6)],
    "drop-account": [
        login(T0, "qb-u1", "Beijing"),
        login(T0 + 40 * MINUTE, "qb-u1", "Kunming", ip="112.112.9.9", device="dv-x"),
        transfer(T0 + HOUR, "qb-u1", "qb-u666", 300_000),
    ],
    "payment-spree": [
        transfer(T0 + at, "qb-u1", f"qb-u{10 + i}", amount)
        for i, (at, amount) in enumerate(
            [
                (0, 123_456),
                (5 * MINUTE, 98_765),
                (20 * HOUR + 5 * MINUTE, 250_000),
                (20 * HOUR + 15 * MINUTE, 314_159),
                (2 * DAY + 12 * HOUR + 15 * MINUTE, 77_777),
                (2 * DAY + 12 * HOUR + 17 * MINUTE, 199_999),
            ]
        )
    ],
    "sign-up-farm": [
        {**registered(T0 + i * 20 * MINUTE, f"qb-u{30 + i}"), "ip": "58.20.7.7"} for i in range(5)
    ],
    "pass-on": [
        transfer(T0, "qb-v1", "qb-m1", 600_000),
        transfer(T0 + 20 * MINUTE, "qb-v2", "qb-m1", 400_000),
        transfer(T0 + 50 * MINUTE, "qb-m1", "qb-m2", 500_000),
        transfer(T0 + 80 * MINUTE, "qb-m1", "qb-m3", 450_000),
    ],
    "fan-in": [
        transfer(T0, "qb-u1", "qb-u9", 150_000),
        transfer(T0 + 40 * MINUTE, "qb-u2", "qb-u9", 120_000),
        transfer(T0 + HOUR, "qb-u5", "qb-u9", 5_000),
        transfer(T0 + 2 * HOUR, "qb-u3", "qb-u9", 200_000),
        transfer(T0 + 3 * HOUR + 10 * MINUTE, "qb-u4", "qb-u9", 170_000),
    ],
    "device-herd": [login(T0 + i * 5 * HOUR, f"qb-u{i + 1}", device="dv-9") for i in range(6)],
    "claims-burst": [login(T0, "hx-u1", "Shanghai"), login(T0 + HOUR, "hx-u1", "Harbin")]
    + [claim(T0 + 2 * HOUR + i * 15 * MINUTE, "hx-u1", f"hx-o{i}", 100_000) for i in range(3)],
}
# The late-events session: logins at 10:00, 10:06, 10:03 and 09:58 (+08:00), in that order.
LATE_LOGINS = [
    login(T0 + 10 * HOUR + offset * MINUTE, f"qb-u{i + 1}")
    for i, offset in enumerate([0, 6, 3, -2])
]
EXAMPLES = [i for i in YAML if BLOCKS[i][1].startswith("version: 1\n")]


def _run(index: int) -> list[Alert]:
    pack = load_rules_text(BLOCKS[index][1])
    assert pack.raw is not None
    engine = Engine(pack)
    return engine.push(table(STREAMS[pack.raw.rules[-1].id])) + engine.flush()


@pytest.mark.parametrize("index", EXAMPLES)
def test_every_example_gives_the_output_the_doc_shows(index: int) -> None:
    alerts = _run(index)
    assert alerts, "an example the doc runs must fire"
    lang, shown = BLOCKS[index + 1]
    if lang == "json":
        (alert,) = alerts
        assert json.loads(shown) == json.loads(msgspec.json.encode(alert))
    else:
        assert lang == "text"
        assert shown.strip() == "\n".join(r for a in alerts for r in a.reasons)


def test_the_alert_id_is_the_hash_the_doc_gives() -> None:
    (alert,) = _run(EXAMPLES[0])
    anchor = (alert.ts - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    parts = [alert.rule_id, str(alert.rule_version), f"{alert.entity_kind}:{alert.entity}"]
    text = "\x1f".join([*parts, str(anchor)])
    assert alert.alert_id == "al-" + hashlib.sha256(text.encode()).hexdigest()[:32]
    assert 'f"{rule_id}\\x1f{version}\\x1f{entity_kind}:{entity}\\x1f{ts}"' in TEXT


SESSIONS = [i for i, (lang, body) in enumerate(BLOCKS) if lang == "text" and body.startswith("$ ")]


@pytest.mark.parametrize("index", SESSIONS)
def test_every_shell_session_prints_what_the_doc_shows(index: int, tmp_path: Path) -> None:
    rules = next((BLOCKS[i][1] for i in reversed(YAML) if i < index), "")
    (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    (tmp_path / "events.jsonl").write_bytes(b"")
    logins = b"".join(msgspec.json.encode(e) + b"\n" for e in table_to_events(table(LATE_LOGINS)))
    (tmp_path / "logins.jsonl").write_bytes(logins)
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    status = 0
    for step in BLOCKS[index][1].split("$ ")[1:]:
        command, _, shown = step.partition("\n")
        argv = shlex.split(command)
        if argv[0] == "cat":
            printed = (tmp_path / argv[1]).read_text(encoding="utf-8")
        elif argv == ["echo", "$?"]:
            printed = str(status)
        else:
            assert argv[0] == "fraudlink"
            done = subprocess.run(
                [FRAUDLINK, *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True
            )
            printed, status = done.stdout + done.stderr, done.returncode
        assert printed.strip() == shown.strip(), command


# -- the lists are complete ---------------------------------------------------------------


def _tag(cls: Any) -> str:
    return str(cls.__struct_config__.tag)


def _params(cls: Any) -> list[mi.Field]:
    info = mi.type_info(cls)
    assert isinstance(info, mi.StructType)
    return list(info.fields)


def _default(value: Any) -> str | None:
    """A default as the doc writes it, or None when it is "none"/empty."""
    if value in (msgspec.NODEFAULT, None, "", {}) or isinstance(value, dict):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{value}`"


OPERATORS = [*typing.get_args(Enrichment), *typing.get_args(Detector)]


@pytest.mark.parametrize("cls", OPERATORS, ids=_tag)
def test_every_operator_has_a_section_with_its_parameters_defaults_and_example(cls: Any) -> None:
    section = _section(f"### `{_tag(cls)}`")
    for param in _params(cls):
        row = _table_row(section, param.encode_name)
        default = _default(param.default)
        if param.required:
            assert "required" in row, row
        elif default is not None:
            assert default in row, row
    assert f"op: {_tag(cls)}" in section, "each operator needs an example rule"


def test_every_enrichment_field_is_documented() -> None:
    specs: list[Any] = [
        LatestSpec(from_="login", match="account", on="account"),
        GeoVelocitySpec(),
        CounterpartySpec(),
        ExposureSpec(account="account", rules=["x"]),
    ]
    for spec in specs:
        section = _section(f"### `{_tag(spec)}`")
        names = set(enrichment_fields("e", spec))
        if isinstance(spec, LatestSpec):
            names -= {f"e.{name}" for name in EVENT_FIELDS[spec.from_]}
        for name in names:
            assert f"`{name.removeprefix('e.')}`" in section, name


@pytest.mark.parametrize(
    ("tag", "metrics"),
    [
        ("window", rule_fields.WINDOW_BUILTIN),
        ("pass_through", rule_fields.PASS_THROUGH_METRICS),
        ("fan", rule_fields.FAN_METRICS),
        ("shared", rule_fields.SHARED_METRICS),
    ],
)
def test_every_detector_metric_is_documented(tag: str, metrics: dict[str, Kind]) -> None:
    section = _section(f"### `{tag}`")
    for name in metrics:
        assert f"`{name}`" in section, f"{tag} metric {name}"


def test_every_aggregate_function_has_a_row() -> None:
    fn = next(f for f in _params(Aggregate) if f.name == "fn")
    assert isinstance(fn.type, mi.LiteralType)
    section = _section("### `window`")
    for name in fn.type.values:
        _table_row(section, str(name))
    for param in _params(Aggregate):
        assert f"`{param.encode_name}`" in section


def test_every_predicate_operator_has_a_row() -> None:
    section = _section("## Filters")
    for op in OPS:
        _table_row(section, op)


@pytest.mark.parametrize(("cls", "heading"), [(Settings, "### `settings`"), (Rule, "### A rule")])
def test_every_key_of_the_file_has_a_row_with_its_default(cls: Any, heading: str) -> None:
    section = _section(heading)
    for param in _params(cls):
        row = _table_row(section, param.encode_name)
        if param.required:
            assert "required" in row, row
            continue
        value = param.default_factory() if param.default_factory is not msgspec.NODEFAULT else None
        value = param.default if value is None else value
        if isinstance(value, dict):
            for name, threshold in value.items():
                assert f"{name}: {threshold}" in row, row
        elif (shown := _default(value)) is not None:
            assert shown in row, row


KIND_WORDS: dict[str, str] = {
    "str": "text",
    "int": "number",
    "float": "decimal",
    "bool": "yes/no",
    "money": "money",
    "time": "time",
    "duration": "duration",
    "ratio": "share",
}


def test_every_kind_of_value_has_a_row() -> None:
    section = _section("### Kinds of values")
    for kind in typing.get_args(Kind):
        assert f"| {KIND_WORDS[kind]} |" in section, kind


def test_the_event_field_table_is_the_model() -> None:
    section = _section("### Event fields")
    columns = ["text", "money", "time", "yes/no"]
    rows: dict[str, dict[str, set[str]]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 5 and cells[0] not in ("event type", "---"):
            names = [set(re.findall(r"`([a-z_]+)`", c)) for c in cells[1:]]
            rows[cells[0].strip("`")] = dict(zip(columns, names, strict=True))
    common = rows.pop("every event")
    assert set(rows) == set(EVENT_FIELDS)
    for event_type, kinds in EVENT_FIELDS.items():
        for column in columns:
            wanted = {n for n, k in kinds.items() if KIND_WORDS[k] == column}
            assert rows[event_type][column] | common[column] == wanted, (event_type, column)


def test_every_allowed_value_of_an_event_field_is_listed() -> None:
    section = _section("### Event fields")
    for cls in EVENT_TYPES.values():
        for field in _params(cls):
            types = field.type.types if isinstance(field.type, mi.UnionType) else (field.type,)
            for t in types:
                if isinstance(t, mi.LiteralType):
                    for value in t.values:
                        assert f"`{value}`" in section, (field.name, value)


def test_the_builtin_pack_table_lists_every_rule_with_its_weight() -> None:
    section = _section("## The built-in pack")
    pack = builtin_pack().raw
    assert pack is not None
    rows = [line for line in section.splitlines() if re.match(r"\| `[a-z-]+` \|", line)]
    assert [r.split("`")[1] for r in rows] == [r.id for r in pack.rules]
    for rule in pack.rules:
        weight = _table_row(section, rule.id).split("|")[2].strip()
        assert weight == f"{rule.weight:g}", rule.id


def test_the_alert_fields_are_listed() -> None:
    section = _section("### The alert")
    for field in _params(Alert):
        _table_row(section, field.encode_name)
