"""Readers: numbered rows from CSV, JSON lines and Parquet; malformed rows are rows too."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fraudlink.ingest import SourceError
from fraudlink.ingest.readers import SourceRow, detect_format, flatten, open_reader
from fraudlink.ingest.spec import SourceSpec


def rows(path: Path, source: SourceSpec | None = None) -> list[SourceRow]:
    with open_reader(path, source or SourceSpec()) as reader:
        return list(reader)


def test_csv_rows_lines_and_header(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('id, name \n1,a\n\n2,"two\nlines"\n3,c\n', encoding="utf-8")
    got = rows(path)
    assert [(r.row, r.line) for r in got] == [(1, 2), (2, 4), (3, 6)]
    assert got[1].values == {"id": "2", "name": "two\nlines"}
    with open_reader(path, SourceSpec()) as reader:
        assert reader.columns == ("id", "name")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_utf8_with_or_without_bom(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(bom + "金额,用户\n1.00,张三\n".encode())
    assert rows(path)[0].values == {"金额": "1.00", "用户": "张三"}


def test_csv_gbk(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("金额,用户\n1.00,张三\n".encode("gbk"))
    assert rows(path, SourceSpec(encoding="gbk"))[0].values == {"金额": "1.00", "用户": "张三"}
    with pytest.raises(SourceError, match="not utf-8 text") as caught:
        rows(path)
    assert caught.value.hint is not None and "gbk" in caught.value.hint


def test_csv_delimiter_and_quote(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a;b\n'x;y';2\n", encoding="utf-8")
    assert rows(path, SourceSpec(delimiter=";", quotechar="'"))[0].values == {"a": "x;y", "b": "2"}


def test_csv_wrong_cell_count_is_a_malformed_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n1,2,3\n4\n5,6\n", encoding="utf-8")
    got = rows(path)
    assert [(r.row, r.line, r.problem) for r in got] == [
        (1, 2, None),
        (2, 3, "expected 2 columns, got 3"),
        (3, 4, "expected 2 columns, got 1"),
        (4, 5, None),
    ]
    assert got[1].raw == ["1", "2", "3"]


def test_csv_unreadable_cell_is_a_malformed_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n3," + "x" * 200_000 + "\n5,6\n", encoding="utf-8")
    got = rows(path)
    assert [(r.row, r.line) for r in got] == [(1, 2), (2, 3), (3, 4)]
    assert got[1].values is None
    assert got[1].problem == "unreadable CSV: field larger than field limit (131072)"
    assert got[2].values == {"a": "5", "b": "6"}


def test_csv_repeated_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b,a\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SourceError, match="repeats column 'a'"):
        rows(path)


def test_empty_csv_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("", encoding="utf-8")
    assert rows(path) == []


def test_jsonl_rows_blank_lines_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"a": 1, "u": {"id": 7, "geo": {"city": "上海"}}}\n\n[1, 2]\n{"a": \n  \n{"a": 2}\n',
        encoding="utf-8",
    )
    got = rows(path)
    assert [(r.row, r.line) for r in got] == [(1, 1), (2, 3), (3, 4), (4, 6)]
    assert got[0].values == {"a": 1, "u.id": 7, "u.geo.city": "上海"}
    assert got[0].raw == {"a": 1, "u": {"id": 7, "geo": {"city": "上海"}}}
    assert got[1].problem == "expected a JSON object, got list"
    assert got[2].problem is not None and got[2].problem.startswith("not JSON")
    assert got[2].raw == '{"a": '


def test_jsonl_bad_bytes_on_one_line_do_not_stop_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.ndjson"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}\n{"a": "\xff"}\n{"a": 3}\n')
    got = rows(path)
    assert [r.values for r in got] == [{"a": 1}, None, {"a": 3}]
    assert got[1].problem is not None and "utf-8" in got[1].problem


def test_parquet_rows_in_batches_with_structs(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    table = pa.table({"id": list(range(70_000)), "u": [{"name": f"n{i}"} for i in range(70_000)]})
    pq.write_table(table, path, row_group_size=20_000)
    with open_reader(path, SourceSpec()) as reader:
        assert reader.columns == ("id", "u.name")
        got = list(reader)
        assert reader.position() == (70_000, 70_000)
    assert len(got) == 70_000
    assert got[-1].row == 70_000 and got[-1].line is None
    assert got[-1].values == {"id": 69_999, "u.name": "n69999"}


def test_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    path.write_text("id\n1\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not a readable Parquet file"):
        rows(path)


def test_gzip_inputs(tmp_path: Path) -> None:
    path = tmp_path / "a.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    assert rows(path)[0].values == {"a": "1", "b": "2"}
    jl = tmp_path / "a.jsonl.gz"
    jl.write_bytes(gzip.compress(b'{"a": 1}\n'))
    assert rows(jl)[0].values == {"a": 1}


def test_format_from_extension_or_mapping(tmp_path: Path) -> None:
    assert detect_format(Path("x.CSV"), SourceSpec()) == "csv"
    assert detect_format(Path("x.ndjson.gz"), SourceSpec()) == "jsonl"
    assert detect_format(Path("x.txt"), SourceSpec(format="csv")) == "csv"
    with pytest.raises(SourceError, match="cannot tell the format") as caught:
        detect_format(Path("x.txt"), SourceSpec())
    assert caught.value.hint is not None and "source.format" in caught.value.hint


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        rows(tmp_path / "nope.csv")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(SourceError, match="not a file"):
        rows(tmp_path / "d.csv")


def test_flatten_keeps_a_literal_dotted_key_over_a_nested_one() -> None:
    assert flatten({"a.b": 1, "a": {"b": 2, "c": 3}}) == {"a.b": 1, "a.c": 3}
    flat = {"a": 1}
    assert flatten(flat) is flat
