"""A verified case package read into memory for the exporters."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fraudlink.cases import package
from fraudlink.model.money import minor_exponent

Row = dict[str, Any]
NAMESPACE = uuid.UUID("6f1b2c0e-5a53-5d7e-9c1f-0f7a1d2b3c4e")  # fraudlink's own


@dataclass(frozen=True)
class CaseData:
    manifest: package.Manifest
    tables: dict[str, list[Row]]

    def rows(self, name: str) -> list[Row]:
        return self.tables.get(name, [])

    def uid(self, *parts: object) -> str:
        """A stable id for an object of this case (same case and key → same id)."""
        return str(uuid.uuid5(NAMESPACE, "\x1f".join([self.manifest.case_id, *map(str, parts)])))


def read(folder: Path) -> CaseData:
    """Verify the package (every table against its SHA-256), then read its tables."""
    manifest = package.verify(folder)
    tables = {
        name: [json.loads(line) for line in (folder / entry.file).read_text("utf-8").splitlines()]
        for name, entry in sorted(manifest.tables.items())
    }
    return CaseData(manifest, tables)


def major(minor: int, currency: str) -> str:
    """Minor units as an exact decimal string in major units: 4800050 CNY → "48000.50"."""
    places = minor_exponent(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f}"
