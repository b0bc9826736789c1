"""The line-keeping YAML loader behind mapping errors."""

from __future__ import annotations

import pytest

from fraudlink.ingest.yaml_lines import LocatedYamlError, load_located


def test_every_key_and_item_has_its_line() -> None:
    doc = load_located("a: 1\nb:\n  c: x\n  d:\n    - 1\n    - {e: 2}\n")
    assert doc.data == {"a": 1, "b": {"c": "x", "d": [1, {"e": 2}]}}
    assert doc.lines[("a",)] == 1
    assert doc.lines[("b", "c")] == 3
    assert doc.lines[("b", "d", 1)] == 6
    assert doc.lines[("b", "d", 1, "e")] == 6


def test_a_missing_path_falls_back_to_its_nearest_ancestor() -> None:
    doc = load_located("a:\n  b: 1\n")
    assert doc.line_of(("a", "b", "nope", 3)) == 2
    assert doc.line_of(("zzz",)) == 1


def test_keys_stay_the_text_written() -> None:
    # YAML 1.1 would make these keys True, False, 1 and None: they could never match a cell.
    doc = load_located("m: {yes: a, no: b, 1: c, null: d, 成功: true}\n")
    assert doc.data["m"] == {"yes": "a", "no": "b", "1": "c", "null": "d", "成功": True}


def test_values_are_resolved_as_usual() -> None:
    doc = load_located("a: 1\nb: true\nc: null\nd: '1'\n")
    assert doc.data == {"a": 1, "b": True, "c": None, "d": "1"}


def test_duplicate_keys_are_refused_with_both_lines() -> None:
    with pytest.raises(LocatedYamlError) as caught:
        load_located("a: 1\nb: 2\na: 3\n")
    assert caught.value.line == 3
    assert caught.value.path == ("a",)
    assert "first given on line 1" in caught.value.message


def test_merge_keys_let_explicit_keys_win() -> None:
    doc = load_located("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n")
    assert doc.data["use"] == {"x": 1, "y": 3}


def test_syntax_errors_carry_a_line() -> None:
    with pytest.raises(LocatedYamlError) as caught:
        load_located("a: 1\nb: [2\n")
    assert caught.value.line == 3
    assert "not valid YAML" in caught.value.message


def test_a_map_as_a_key_is_refused() -> None:
    with pytest.raises(LocatedYamlError, match="plain text"):
        load_located("? {a: 1}\n: x\n")


def test_empty_document() -> None:
    assert load_located("").data is None
    assert load_located("# only a comment\n").data is None
