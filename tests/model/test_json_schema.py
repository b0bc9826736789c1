"""The exported JSON Schema accepts what the decoder accepts and rejects what it rejects."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import jsonschema
import msgspec
import pytest
from hypothesis import given

from fraudlink.model.columns import decode_event_json
from fraudlink.model.examples import example_entities, example_events
from fraudlink.model.schema import canonical_json_schema
from tests.model import strategies

# Validate what is published (JSON), not the in-memory dict, which holds tuples.
SCHEMA = json.loads(json.dumps(canonical_json_schema()))
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", flags=re.ASCII
)
# jsonschema checks "date-time" only when rfc3339-validator is installed, and then
# silently; an explicit checker makes the test independent of optional extras.
RFC3339_FORMATS = jsonschema.FormatChecker(formats=())


@RFC3339_FORMATS.checks("date-time", raises=ValueError)
def _is_rfc3339(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.fullmatch(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=RFC3339_FORMATS)
EXAMPLES = {str(e.__struct_config__.tag): e for e in example_events()}


def payload(struct: msgspec.Struct) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(msgspec.json.encode(struct))
    return result


def schema_errors(document: object, definition: str | None = None) -> list[str]:
    """Errors against the whole schema, or against one of its ``$defs``."""
    validator = VALIDATOR if definition is None else definition_validator(definition)
    return [e.message for e in validator.iter_errors(document)]


def definition_validator(name: str) -> jsonschema.Draft202012Validator:
    root = {k: v for k, v in SCHEMA.items() if k != "oneOf"}
    return jsonschema.Draft202012Validator(
        root | {"$ref": f"#/$defs/{name}"}, format_checker=RFC3339_FORMATS
    )


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("tag", sorted(EXAMPLES))
def test_example_event_is_valid(tag: str) -> None:
    assert schema_errors(payload(EXAMPLES[tag])) == []


@pytest.mark.parametrize("entity", example_entities().values(), ids=lambda e: type(e).__name__)
def test_example_entity_is_valid(entity: msgspec.Struct) -> None:
    assert schema_errors(payload(entity), type(entity).__name__) == []


@given(strategies.events())
def test_every_generated_event_is_valid(event: msgspec.Struct) -> None:
    assert schema_errors(payload(event)) == []


@given(strategies.entities())
def test_every_generated_entity_is_valid(entity: msgspec.Struct) -> None:
    assert schema_errors(payload(entity), type(entity).__name__) == []


@pytest.mark.parametrize("kind", ["Organisation", "Party", "Account"])
def test_top_level_entities_are_valid_documents(kind: str) -> None:
    entity = next(e for e in example_entities().values() if type(e).__name__ == kind)
    assert schema_errors(payload(entity)) == []


MISSING = object()
# case: (example event type, field, new value or MISSING to drop the field)
BAD: dict[str, tuple[str, str, object]] = {
    "naive timestamp": ("login", "ts", "2026-03-14T09:12:44"),
    "naive timestamp in a transfer": ("wallet_transfer", "initiated_at", "2026-03-16T02:31:10"),
    "not a timestamp": ("login", "ts", "yesterday"),
    "float amount": ("payment", "amount", 1299.5),
    "amount as a string": ("payment", "amount", "1299.00"),
    "negative amount": ("refund_requested", "amount", -1),
    "amount over the bound": ("order_placed", "amount", 10**15 + 1),
    "lowercase currency": ("payment", "currency", "cny"),
    "currency symbol": ("payment", "currency", "¥"),
    "unknown type": ("login", "type", "chargeback"),
    "missing type": ("login", "type", MISSING),
    "unknown field": ("login", "password", "hunter2"),
    "missing required field": ("order_placed", "merchant", MISSING),
    "empty id": ("login", "account", ""),
    "id over 128 characters": ("login", "device_id", "d" * 129),
    "bad enum value": ("parcel_scan", "scan_status", "lost"),
    "enum value in the wrong case": ("wallet_transfer", "status", "Completed"),
    "null in a non-nullable field": ("refund_requested", "text", None),
    "bool as a string": ("login", "success", "true"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_event_is_rejected_by_schema_and_decoder(case: str) -> None:
    tag, key, value = BAD[case]
    document = payload(EXAMPLES[tag])
    if value is MISSING:
        del document[key]
    else:
        document[key] = value
    assert schema_errors(document), f"JSON Schema accepted {case}"
    # Against the event's own definition the error must be about the changed field,
    # not an unrelated one that happens to make the document invalid.
    validator = definition_validator(type(EXAMPLES[tag]).__name__)
    errors = list(validator.iter_errors(document))
    assert any(list(e.absolute_path) == [key] or f"'{key}'" in e.message for e in errors)
    with pytest.raises(msgspec.ValidationError):
        decode_event_json(json.dumps(document))


def test_decoder_rejects_integral_float_amount_that_json_schema_cannot() -> None:
    # JSON Schema's "integer" is any number with no fraction, so 100.0 passes the
    # schema; the decoder, which is what ingest runs, is the stricter gate.
    document = payload(EXAMPLES["payment"]) | {"amount": 129900.0}
    assert schema_errors(document) == []
    with pytest.raises(msgspec.ValidationError, match="Expected `int`, got `float`"):
        decode_event_json(json.dumps(document))


def test_schema_alone_rejects_naive_timestamp() -> None:
    document = payload(EXAMPLES["login"]) | {"ts": "2026-03-14T09:12:44"}
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(document)
