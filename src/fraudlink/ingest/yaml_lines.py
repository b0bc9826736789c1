"""Load YAML and remember the line of every key, so a mapping error can point at it.

PyYAML's plain ``safe_load`` forgets where things were. Composing the node graph
first keeps each node's ``start_mark``; we build the Python value from the nodes
ourselves and record ``path -> line`` on the way.

Mapping keys are kept as the text written in the file, not resolved as YAML 1.1
scalars: otherwise a value map such as ``{yes: true, no: false}`` or ``{1: a}``
would get the keys ``True`` / ``1`` and never match the text a platform exports.
Duplicate keys, which PyYAML silently lets the last one win, are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]


class LocatedYamlError(Exception):
    """The text is not YAML we accept; ``line`` is 1-based."""

    def __init__(self, line: int | None, path: KeyPath, message: str) -> None:
        self.line = line
        self.path = path
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class LocatedYaml:
    """A YAML document's value and the 1-based line of each key (or sequence item)."""

    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that is in the file."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


def load_located(text: str) -> LocatedYaml:
    """Parse one YAML document; raise :class:`LocatedYamlError` with a line on any fault."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[KeyPath, int] = {}
        if node is None:
            return LocatedYaml(None, lines)
        lines[()] = node.start_mark.line + 1
        return LocatedYaml(_build(loader, node, (), lines), lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(p for p in (exc.context, exc.problem) if p)
        raise LocatedYamlError(line, (), f"not valid YAML: {detail}") from None
    except yaml.YAMLError as exc:
        raise LocatedYamlError(None, (), f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def _build(
    loader: yaml.SafeLoader, node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]
) -> Any:
    if isinstance(node, yaml.MappingNode):
        _refuse_duplicates(node, path)
        loader.flatten_mapping(node)  # resolves `<<: *anchor`; explicit keys come last and win
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1
            out[str(key_node.value)] = _build(loader, value_node, child, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            items.append(_build(loader, item, child, lines))
        return items
    return loader.construct_object(node, deep=True)


def _refuse_duplicates(node: yaml.MappingNode, path: KeyPath) -> None:
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise LocatedYamlError(line, path, "a key must be plain text, not a list or map")
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = str(key_node.value)
        if key in seen:
            raise LocatedYamlError(
                line, (*path, key), f"duplicate key (first given on line {seen[key]})"
            )
        seen[key] = line
