"""Turn a problem at a key path of a mapping file into an error naming file, line and key.

msgspec reports where a value failed as ``$.source.delimiter``; we decode the mapping
block by block with a known prefix, parse that suffix back into a key path, and
look the path up in the line table :mod:`.yaml_lines` kept.
"""

from __future__ import annotations

import difflib
import re
import types
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import msgspec

from fraudlink.ingest.errors import MappingError
from fraudlink.ingest.spec import keys_of
from fraudlink.ingest.yaml_lines import KeyPath, LocatedYaml

T = TypeVar("T")

_AT = re.compile(r"^(?P<what>.*?)(?: - at `\$(?P<path>.*)`)?$", re.DOTALL)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<key>.*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<key>.*)`$")
_EXPECTED = re.compile(r"^Expected `(?P<want>.*)`, got `(?P<got>.*)`$")
_ENUM = re.compile(r"^Invalid enum value (?P<got>.*)$")


def dotted(path: KeyPath) -> str:
    """``("events", "login", "ts")`` → ``events.login.ts``; list items as ``[0]``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def expected(got: str, known: Any) -> str:
    """A hint listing ``known`` names, leading with the one ``got`` was probably meant to be."""
    close = difflib.get_close_matches(got, list(known), n=1)
    lead = f"did you mean {close[0]}? " if close else ""
    return f"{lead}expected one of: {', '.join(sorted(known))}"


class MappingFaults:
    """Raises errors located in one mapping file."""

    def __init__(self, file: Path, located: LocatedYaml) -> None:
        self.file = file
        self.located = located

    def error(self, path: KeyPath, message: str, hint: str | None = None) -> MappingError:
        return MappingError(self.file, self.located.line_of(path), dotted(path), message, hint)

    def line(self, path: KeyPath) -> int | None:
        return self.located.line_of(path)

    def written(self, path: KeyPath) -> bool:
        """Whether ``path`` itself is in the file (not implied, as by a shorthand)."""
        return path in self.located.lines

    def decode(self, value: Any, target: type[T], path: KeyPath) -> T:
        """``msgspec.convert`` with any failure reported at its key and line."""
        try:
            return msgspec.convert(value, target)
        except msgspec.ValidationError as exc:
            raise self._translate(str(exc), target, path) from None

    def _translate(self, text: str, target: type, prefix: KeyPath) -> MappingError:
        parts = _AT.match(text)
        assert parts is not None  # the pattern matches any text
        path: KeyPath = prefix + tuple(
            name or int(index) for name, index in _STEP.findall(parts["path"] or "")
        )
        what = parts["what"]
        block = _struct_at(target, path[len(prefix) :])
        if m := _UNKNOWN.match(what):
            allowed = ", ".join(keys_of(block)) if block else None
            return self.error(
                (*path, m["key"]),
                f"unknown key `{m['key']}`",
                f"expected one of: {allowed}" if allowed else None,
            )
        if m := _MISSING.match(what):
            return self.error(path, f"missing key `{m['key']}`")
        if m := _EXPECTED.match(what):
            return self.error(path, f"expected {_plain(m['want'])}, got {_plain(m['got'])}")
        if m := _ENUM.match(what):
            return self.error(path, f"{m['got']} is not allowed", _choices(target, path, prefix))
        return self.error(path, what)


def _plain(msgspec_type: str) -> str:
    words = {
        "str": "text",
        "object": "a map",
        "array": "a list",
        "null": "nothing",
        "int": "a number",
    }
    return " or ".join(words.get(t.strip(), t.strip()) for t in msgspec_type.split("|"))


def _member_struct(annotation: Any) -> Any:
    """The Struct (or container) inside an Optional/Union annotation."""
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            if isinstance(arg, type) and issubclass(arg, msgspec.Struct):
                return arg
    return annotation


def _struct_at(root: type, steps: KeyPath) -> type[msgspec.Struct] | None:
    """The Struct type that holds the value at ``steps`` below ``root``, if there is one."""
    current: Any = root
    for step in steps:
        current = _member_struct(current)
        if isinstance(step, int) or not (
            isinstance(current, type) and issubclass(current, msgspec.Struct)
        ):
            return None
        hints = {f.encode_name: f.type for f in msgspec.structs.fields(current)}
        if step not in hints:
            return None
        current = hints[step]
    current = _member_struct(current)
    if isinstance(current, type) and issubclass(current, msgspec.Struct):
        return current
    return None


def _choices(root: type, path: KeyPath, prefix: KeyPath) -> str | None:
    steps = path[len(prefix) :]
    holder = _struct_at(root, steps[:-1])
    if holder is None or not steps or not isinstance(steps[-1], str):
        return None
    hints = {f.encode_name: f.type for f in msgspec.structs.fields(holder)}
    annotation = hints.get(steps[-1])
    for arg in (annotation, *get_args(annotation)):
        if get_origin(arg) is Literal:
            return "expected one of: " + ", ".join(str(a) for a in get_args(arg))
    return None
