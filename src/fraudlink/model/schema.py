"""JSON Schema export of the canonical model."""

from __future__ import annotations

from typing import Any

import msgspec

from fraudlink.model.entities import Account, Organisation, Party
from fraudlink.model.events import AnyEvent

SCHEMA_ID = "https://fraudlink.invalid/schema/canonical-v1.json"


def canonical_json_schema() -> dict[str, Any]:
    """One JSON Schema document with every canonical event and entity."""
    (event_ref, org_ref, party_ref, account_ref), components = msgspec.json.schema_components(
        [AnyEvent, Organisation, Party, Account], ref_template="#/$defs/{name}"
    )
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "fraudlink canonical model v1",
        "description": (
            "Canonical events and entities. Money is integer minor units plus an ISO 4217 "
            "currency; every timestamp carries a time-zone offset."
        ),
        "oneOf": [
            {"title": "event", **event_ref},
            {"title": "organisation", **org_ref},
            {"title": "party", **party_ref},
            {"title": "account", **account_ref},
        ],
        "$defs": components,
    }
    # Defaults such as () are tuples; make the document plain JSON data.
    plain: dict[str, Any] = msgspec.to_builtins(schema)
    return plain
