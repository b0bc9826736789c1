"""Person records as entity resolution reads them, whatever table they came from.

Every source (a platform's KYC parties, a police list, any CSV a mapping describes)
becomes the same two tables, so hard-identifier merging and the Splink model are written
once:

- ``records``: one row per person record with the fields in :data:`RECORD_SCHEMA`,
  normalised by :func:`normalise_records` (a field the source lacks is all null);
- ``links``: identifiers a record has besides its own columns, one ``(record_id, kind,
  value)`` row each: the devices an account was used from, the bank cards and wallets it
  paid with or withdrew to.

Normalising here, once, is what makes ``+86 138-0000-0001`` and ``13800000001`` the same
phone for both the hard merge and Splink.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

# The fields a person record can have. ``name`` is the full name; sources that split it
# give ``first_name``/``last_name`` too, and ``name`` is then their join.
TEXT_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "phone",
    "email",
    "id_number",
    "address",
    "city",
    "postcode",
)
RECORD_SCHEMA = pa.schema(
    [
        pa.field("record_id", pa.string(), nullable=False),
        *(pa.field(f, pa.string()) for f in TEXT_FIELDS[:5]),
        pa.field("birth_date", pa.date32()),
        *(pa.field(f, pa.string()) for f in TEXT_FIELDS[5:]),
    ]
)
LINK_SCHEMA = pa.schema(
    [
        pa.field("record_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("value", pa.string(), nullable=False),
    ]
)
# Identifier kinds. The first five identify a person when equal; a device is only
# evidence (a family tablet, a gang's phones, an attacker's phone on a victim's account).
LINK_KINDS = ("phone", "email", "id_number", "bank_card", "wallet", "device")


@dataclass(frozen=True)
class PersonRecords:
    """The person records of one resolution run and their extra identifiers."""

    records: pa.Table  # RECORD_SCHEMA, sorted by record_id, ids unique
    links: pa.Table  # LINK_SCHEMA
    source: str  # what they were read from, for messages

    @property
    def size(self) -> int:
        return int(self.records.num_rows)

    def present_fields(self) -> list[str]:
        """The fields at least one record fills: the model compares only these."""
        return [
            name
            for name in RECORD_SCHEMA.names[1:]
            if self.records.column(name).null_count < self.records.num_rows
        ]


def empty_links() -> pa.Table:
    return LINK_SCHEMA.empty_table()


def normalise_records(table: pa.Table) -> pa.Table:
    """Conform to :data:`RECORD_SCHEMA`, normalise every field, sort by ``record_id``.

    Text is NFKC-normalised (full-width digits and letters become ASCII), trimmed, lower
    case with single spaces; an empty text is null. Phones keep their digits only, less
    a leading ``00``/``86`` country prefix on Chinese mobile numbers; ids lose spaces and
    dashes. Missing columns become nulls; extra columns are dropped.
    """
    n = table.num_rows
    columns = {}
    for field in RECORD_SCHEMA:
        if field.name in table.column_names:
            col = table.column(field.name)
        else:
            col = pa.nulls(n, type=field.type)
        if field.name == "birth_date":
            columns[field.name] = col.cast(pa.date32())
            continue
        col = col.cast(pa.string())
        if field.name != "record_id":
            col = _clean_text(col)
        if field.name == "phone":
            col = _phone(col)
        elif field.name == "id_number":
            col = _empty_to_null(pc.utf8_upper(pc.replace_substring_regex(col, r"[\s\-]", "")))
        elif field.name in ("email", "postcode"):
            col = _empty_to_null(pc.replace_substring_regex(col, r"\s", ""))
        columns[field.name] = col
    if "name" not in table.column_names or table.column("name").null_count == n:
        columns["name"] = _joined_name(columns["first_name"], columns["last_name"])
    out = pa.table(columns, schema=RECORD_SCHEMA)
    return out.sort_by("record_id")


def _clean_text(col: pa.ChunkedArray) -> pa.ChunkedArray:
    col = pc.utf8_normalize(col, "NFKC")
    col = pc.utf8_lower(pc.utf8_trim_whitespace(col))
    return _empty_to_null(pc.replace_substring_regex(col, r"\s+", " "))


def _empty_to_null(col: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)


def _phone(col: pa.ChunkedArray) -> pa.ChunkedArray:
    digits = pc.replace_substring_regex(col, r"\D", "")
    digits = pc.replace_substring_regex(digits, r"^00", "")
    # +86 138…: a Chinese mobile number is 11 digits starting with 1.
    digits = pc.replace_substring_regex(digits, r"^86(1\d{10})$", r"\1")
    return _empty_to_null(digits)


def join_texts(*parts: pa.ChunkedArray) -> pa.ChunkedArray:
    """Texts joined with single spaces, nulls left out; null when all are.

    Nulls are filled rather than skipped by ``binary_join_element_wise``, whose
    ``null_handling="skip"`` drops rows of chunked input where every part is null.
    """
    filled = [pc.fill_null(p, "") for p in parts]
    joined = pc.binary_join_element_wise(*filled, " ")
    squeezed = pc.utf8_trim_whitespace(pc.replace_substring_regex(joined, r" +", " "))
    return _empty_to_null(squeezed)


def _joined_name(first: pa.ChunkedArray, last: pa.ChunkedArray) -> pa.ChunkedArray:
    return join_texts(first, last)
