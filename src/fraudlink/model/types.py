"""Constrained scalar types shared by every canonical record.

They are ``Annotated`` aliases so msgspec validates them at C speed on decode and
exports the same constraints into the JSON Schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta

Id = Annotated[str, Meta(min_length=1, max_length=128, description="Opaque identifier")]
AwareDatetime = Annotated[
    datetime,
    Meta(
        tz=True,
        description="RFC 3339 timestamp with a time-zone offset",
        # Validators skip `format: date-time` by default; the pattern makes the offset binding.
        extra_json_schema={
            "pattern": r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
        },
    ),
]
MinorUnits = Annotated[
    int,
    Meta(
        ge=0,
        le=10**15,
        description="Amount in minor units of the currency (fen for CNY); never a float",
    ),
]
Currency = Annotated[str, Meta(pattern="^[A-Z]{3}$", description="ISO 4217 currency code")]
CityName = Annotated[str, Meta(min_length=1, max_length=64, description="City name")]
IpAddress = Annotated[
    str,
    Meta(min_length=2, max_length=45, pattern="^[0-9A-Fa-f:.]+$", description="IPv4 or IPv6"),
]
Text = Annotated[str, Meta(min_length=1, max_length=256)]
