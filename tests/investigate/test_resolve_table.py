"""Plain person tables through a mapping: reading, errors that say where, and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fraudlink.cli import app
from fraudlink.ingest.errors import MappingError, SourceError
from fraudlink.investigate.resolve_mapping import load_person_mapping
from fraudlink.investigate.resolve_table import read_person_table

runner = CliRunner()

MAPPING = """\
version: 1
record_id: 编号
name: 姓名
phone: 手机
birth_date: {column: 生日, format: "%Y/%m/%d"}
address: [地址, 门牌]
city: 城市
identifiers:
  device: 设备
"""
HEADER = ["编号", "姓名", "手机", "生日", "地址", "门牌", "城市", "设备"]
ROWS = [
    [
        "p1",
        "林晓梅",
        "0086 138 0000 0001",
        "1991/06/18",
        "杭州市西湖区文三路",
        "12号",
        "杭州",
        "dv-1",
    ],
    ["p2", "林晓梅", "13800000001", "1991/06/18", "西湖区文三路", "12号", "杭州", ""],
    ["p3", "王伟", "13900000002", "1988/13/40", "", "", "成都", "dv-1"],
]


def write(tmp_path: Path, rows: list[list[str]], mapping: str = MAPPING) -> tuple[Path, Path]:
    table, spec = tmp_path / "persons.csv", tmp_path / "map.yaml"
    with table.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    spec.write_text(mapping, encoding="utf-8")
    return table, spec


def test_a_csv_is_read_through_the_mapping(tmp_path: Path) -> None:
    table, spec = write(tmp_path, ROWS)
    people, notes = read_person_table(table, load_person_mapping(spec))
    rows = people.records.to_pylist()
    assert [r["phone"] for r in rows] == ["13800000001", "13800000001", "13900000002"]
    assert rows[0]["address"] == "杭州市西湖区文三路 12号"
    assert rows[2]["address"] is None
    assert str(rows[0]["birth_date"]) == "1991-06-18"
    assert rows[2]["birth_date"] is None  # 13th month: read as missing, with a note
    assert notes == [
        "persons.csv: 1 birth dates in 生日 are not dates in format %Y/%m/%d "
        "(first: row 3, '1988/13/40'); read as missing"
    ]
    assert people.links.to_pylist() == [
        {"record_id": "p1", "kind": "device", "value": "dv-1"},
        {"record_id": "p3", "kind": "device", "value": "dv-1"},
    ]


def test_parquet_reads_the_same(tmp_path: Path) -> None:
    table, spec = write(tmp_path, ROWS)
    parquet = tmp_path / "persons.parquet"
    columns = list(zip(*ROWS, strict=True))
    pq.write_table(pa.table({h: list(c) for h, c in zip(HEADER, columns, strict=True)}), parquet)
    mapping = load_person_mapping(spec)
    from_csv, _ = read_person_table(table, mapping)
    from_parquet, _ = read_person_table(parquet, mapping)
    assert from_parquet.records.equals(from_csv.records)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (MAPPING.replace("city: 城市", "cty: 城市"), "map.yaml:7: cty: unknown key `cty`"),
        (MAPPING.replace("version: 1", "version: 2"), "map.yaml:1: version: expected `version: 1`"),
        (MAPPING.replace("record_id: 编号\n", ""), "map.yaml:1: missing key `record_id`"),
        (MAPPING + "hard: [phone, device]\n", "map.yaml:10: hard.1: 'device' is not a hard"),
        (MAPPING + "hub_limit: 1\n", "map.yaml:10: hub_limit: expected a whole number ≥ 2"),
        (
            MAPPING.replace('format: "%Y/%m/%d"', "fmt: x"),
            "map.yaml:5: birth_date.fmt: unknown key `fmt`",
        ),
    ],
)
def test_mapping_errors_name_the_line_and_key(tmp_path: Path, text: str, where: str) -> None:
    spec = tmp_path / "map.yaml"
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_person_mapping(spec)
    assert caught.value.headline.startswith(str(tmp_path / where))


def test_a_missing_column_names_the_mapping_line_and_the_closest_column(tmp_path: Path) -> None:
    table, spec = write(
        tmp_path, ROWS, MAPPING.replace("address: [地址, 门牌]", "address: [地址, 门牌号]")
    )
    with pytest.raises(MappingError) as caught:
        read_person_table(table, load_person_mapping(spec))
    assert caught.value.headline == f"{spec}:6: address.1: persons.csv has no column '门牌号'"
    assert caught.value.hint == "closest column: 门牌"


def test_record_ids_must_be_present_and_unique(tmp_path: Path) -> None:
    table, spec = write(tmp_path, [ROWS[0], ROWS[1], ["p1", *ROWS[2][1:]]])
    with pytest.raises(SourceError, match=r"rows 1 and 3 have the same record id 'p1'"):
        read_person_table(table, load_person_mapping(spec))
    table, spec = write(tmp_path, [ROWS[0], ["", *ROWS[1][1:]]])
    with pytest.raises(SourceError, match=r"row 2: the record id \(column '编号'\) is empty"):
        read_person_table(table, load_person_mapping(spec))


def test_cli_writes_record_and_cluster_ids(tmp_path: Path) -> None:
    table, spec = write(tmp_path, ROWS)
    out = tmp_path / "clusters.csv"
    result = runner.invoke(
        app, ["resolve", str(table), "--mapping", str(spec), "--out", str(out), "--hard-only"]
    )
    assert result.exit_code == 0, result.output
    assert "3 records → 2 persons" in result.output
    with out.open(encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [
            ["record_id", "cluster_id"],
            ["p1", "p1"],
            ["p2", "p1"],
            ["p3", "p3"],  # shares only a device with p1: not a merge
        ]
    # With the model on: a device and nothing else in common is still not the same person.
    model = runner.invoke(app, ["resolve", str(table), "--mapping", str(spec), "--json"])
    assert model.exit_code == 0, model.output
    assert json.loads(model.stdout)["stats"]["clusters"] == 2


def test_cli_errors_say_what_to_fix(tmp_path: Path) -> None:
    table, spec = write(tmp_path, ROWS, MAPPING.replace("城市\n", "城 市\n"))
    result = runner.invoke(app, ["resolve", str(table), "--mapping", str(spec)])
    assert result.exit_code == 2
    assert "has no column '城 市'" in result.output
    assert "closest column: 城市" in result.output
    alone = runner.invoke(app, ["resolve", str(table)])
    assert alone.exit_code == 2
    assert "go together" in alone.output
    both = runner.invoke(app, ["resolve", "--world", str(tmp_path), "--parties", str(table)])
    assert both.exit_code == 2
    assert "give one of" in both.output


def test_pandas_floats_are_read_as_the_numbers_they_were(tmp_path: Path) -> None:
    """pandas writes an integer column with gaps as floats, the gaps as NaN."""
    parquet, spec = tmp_path / "persons.parquet", tmp_path / "map.yaml"
    ids = pa.array([1.0, 2.0, 3.0])
    phones = pa.array([13800000001.0, float("nan"), 13800000001.0])
    pq.write_table(pa.table({"id": ids, "name": ["a", "b", "a"], "tel": phones}), parquet)
    spec.write_text("version: 1\nrecord_id: id\nname: name\nphone: tel\n", encoding="utf-8")
    people, _ = read_person_table(parquet, load_person_mapping(spec))
    assert people.records.column("record_id").to_pylist() == ["1", "2", "3"]
    assert people.records.column("phone").to_pylist() == ["13800000001", None, "13800000001"]
