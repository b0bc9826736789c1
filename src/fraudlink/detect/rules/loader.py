"""Read a YAML rule file; every error names the file, the line and what was expected.

PyYAML's composer keeps each node's position, msgspec reports where a value is wrong
as a ``$.rules[0].detect`` path and the compiler as a key path; this module walks
the node tree along either path to find the line a person should look at.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import msgspec.inspect as mi
import yaml

from fraudlink.detect.rules.compile import RuleError, RulePack, compile_pack
from fraudlink.detect.rules.schema import RuleFile

_SEGMENT = re.compile(r"\.([^.\[\]]+)|\[(\d+|\.\.\.)\]")
_UNKNOWN = re.compile(r"^Object contains unknown field `([^`]+)`")
_MISSING = re.compile(r"^Object missing required field `([^`]+)`")


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. YAML 1.1 reads the key ``on:`` as True."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class RuleFileError(ValueError):
    """A rule file that cannot be used, with where and why."""

    def __init__(self, source: str, line: int | None, message: str) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")
        self.source = source
        self.line = line
        self.message = message


def load_rules(path: Path) -> RulePack:
    """Load and check a rule file."""
    return load_rules_text(path.read_text(encoding="utf-8"), str(path), path.parent)


def builtin_pack() -> RulePack:
    """The rule pack shipped with fraudlink (``detect/builtin/pack.yaml``)."""
    text = resources.files("fraudlink.detect.builtin").joinpath("pack.yaml").read_text("utf-8")
    return load_rules_text(text, "builtin:pack.yaml")


def load_rules_text(text: str, source: str = "<rules>", base_dir: Path | None = None) -> RulePack:
    """Load and check rules from YAML text."""
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise RuleFileError(
            source, line, f"not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from exc
    if root is None or not isinstance(data, dict):
        raise RuleFileError(source, 1, "expected a mapping with settings and rules")
    _refuse_repeated_keys(root, source)
    try:
        raw = msgspec.convert(data, RuleFile)
    except msgspec.ValidationError as exc:
        line, message = _explain_validation(str(exc), root, data)
        raise RuleFileError(source, line, message) from exc
    try:
        return compile_pack(raw, source, base_dir)
    except RuleError as exc:
        raise RuleFileError(source, _line_of(root, exc.path), exc.message) from exc


def _refuse_repeated_keys(node: yaml.Node, source: str, done: set[int] | None = None) -> None:
    """YAML keeps the last of two equal keys without a word; a rule file may not repeat one."""
    done = set() if done is None else done
    if id(node) in done:  # an alias of a node already checked (anchors may even loop)
        return
    done.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                name = (key.tag, key.value)
                if name in seen:
                    raise RuleFileError(
                        source,
                        line,
                        f"{key.value!r} is written twice in one mapping (first on line "
                        f"{seen[name]}); YAML would keep only the last",
                    )
                seen[name] = line
            _refuse_repeated_keys(value, source, done)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_repeated_keys(item, source, done)


def _explain_validation(text: str, root: yaml.Node, data: Any) -> tuple[int | None, str]:
    message, _, where = text.partition(" - at `")
    where = where.rstrip("`")
    if "` in `" in where:  # a bad mapping key: "at `key` in `$.rules[0]`"
        _, _, where = where.partition("` in `")
    path = _parse_path(where, data)
    node = _node_at(root, path)
    info = _type_at(path, data)
    if m := _UNKNOWN.match(message):
        key = _key_node(node, m.group(1))
        fields = _field_names(info)
        target = key or node
        line = target.start_mark.line + 1 if target is not None else None
        return line, f"unknown field {m.group(1)!r}; expected one of {', '.join(fields)}"
    if m := _MISSING.match(message):
        line = node.start_mark.line + 1 if node is not None else None
        return line, f"missing field {m.group(1)!r}"
    line = node.start_mark.line + 1 if node is not None else None
    if message.startswith("Invalid value") and path and path[-1] == "op":
        parent = _type_at(path[:-1], data)
        if isinstance(parent, mi.UnionType):
            tags = [str(t.tag) for t in parent.types if isinstance(t, mi.StructType)]
            return line, f"{message.removeprefix('Invalid value ')} is not an operator; " + (
                f"expected one of {', '.join(tags)}"
            )
    if message.startswith("Invalid enum value") and isinstance(info, mi.LiteralType):
        choices = ", ".join(str(v) for v in info.values)
        return (
            line,
            f"{message.removeprefix('Invalid enum value ')} is not allowed; "
            f"expected one of {choices}",
        )
    return line, message


def _parse_path(where: str, data: Any) -> list[str | int]:
    """``$.rules[0].aggregates[...].fn`` → keys; ``[...]`` (a dict key) is found by re-checking."""
    path: list[str | int] = []
    for name, index in _SEGMENT.findall(where.removeprefix("$")):
        if name:
            path.append(name)
        elif index == "...":
            path.append(_failing_key(path, data))
        else:
            path.append(int(index))
    return path


def _failing_key(path: list[str | int], data: Any) -> str:
    """Which entry of the mapping at ``path`` does not convert (msgspec does not say)."""
    mapping = _value_at(data, path)
    info = _type_at(path, data)
    if isinstance(mapping, dict) and isinstance(info, mi.DictType):
        target = _python_type(info.value_type)
        for key, value in mapping.items():
            try:
                msgspec.convert(value, target)
            except msgspec.ValidationError:
                return str(key)
    return "..."


def _python_type(info: mi.Type) -> Any:
    if isinstance(info, mi.StructType):
        return info.cls
    if isinstance(info, mi.UnionType):
        return Any
    return Any


def _value_at(data: Any, path: list[str | int]) -> Any:
    for seg in path:
        if isinstance(data, dict):
            data = data.get(seg)
        elif isinstance(data, list) and isinstance(seg, int) and seg < len(data):
            data = data[seg]
        else:
            return None
    return data


def _type_at(path: list[str | int] | tuple[str | int, ...], data: Any) -> mi.Type | None:
    info: mi.Type | None = mi.type_info(RuleFile)
    walked: list[str | int] = []
    for seg in path:
        info = _resolve_union(info, _value_at(data, walked))
        if isinstance(info, mi.StructType):
            field = next((f for f in info.fields if f.encode_name == seg), None)
            info = field.type if field else None
        elif isinstance(info, mi.ListType):
            info = info.item_type
        elif isinstance(info, mi.DictType):
            info = info.value_type
        else:
            return None
        walked.append(seg)
    return _resolve_union(info, _value_at(data, walked)) if info is not None else None


def _resolve_union(info: mi.Type | None, value: Any) -> mi.Type | None:
    """A tagged union resolves to the member its ``op`` names; optional types to their inner."""
    if not isinstance(info, mi.UnionType):
        return info
    members = [t for t in info.types if not isinstance(t, mi.NoneType)]
    structs = [t for t in members if isinstance(t, mi.StructType) and t.tag is not None]
    if structs and isinstance(value, dict):
        named = next((t for t in structs if t.tag == value.get(t.tag_field)), None)
        return named or info
    return members[0] if len(members) == 1 else info


def _field_names(info: mi.Type | None) -> list[str]:
    if isinstance(info, mi.StructType):
        names = [f.encode_name for f in info.fields]
        return ([info.tag_field] if info.tag_field else []) + names
    return []


def _node_at(root: yaml.Node, path: list[str | int] | tuple[str | int, ...]) -> yaml.Node | None:
    node: yaml.Node | None = root
    for seg in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(seg)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(seg, int) and seg < len(node.value):
            node = node.value[seg]
        else:
            return node
        if node is None:
            return None
    return node


def _key_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        return next((k for k, _ in node.value if k.value == key), None)
    return None


def _line_of(root: yaml.Node, path: tuple[str | int, ...]) -> int | None:
    """The line of the deepest node along ``path`` (the key itself when the path ends on one)."""
    node: yaml.Node | None = root
    line = root.start_mark.line + 1
    for seg in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(seg)), None)
            if pair is None:
                return line
            line = pair[0].start_mark.line + 1
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(seg, int) and seg < len(node.value):
            node = node.value[seg]
            line = node.start_mark.line + 1
        else:
            return line
    return line
