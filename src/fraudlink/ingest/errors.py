"""The two fatal errors of ingest: a mapping that cannot be used, a file that cannot be read.

Row-level problems are never exceptions: they become quarantine records. These two
stop the whole run, because every row after them would be wrong in the same way.
"""

from __future__ import annotations

from pathlib import Path


class MappingError(Exception):
    """A mapping file that is not valid, pointing at the line and key to fix."""

    def __init__(
        self, file: Path, line: int | None, key: str, message: str, hint: str | None = None
    ) -> None:
        self.file = file
        self.line = line
        self.key = key
        self.message = message
        self.hint = hint
        where = f"{file}:{line}" if line is not None else str(file)
        self.headline = f"{where}: {key}: {message}" if key else f"{where}: {message}"
        super().__init__(self.headline if hint is None else f"{self.headline} ({hint})")


class SourceError(Exception):
    """An input file that cannot be read at all (missing, wrong encoding, not Parquet)."""

    def __init__(self, file: Path, message: str, hint: str | None = None) -> None:
        self.file = file
        self.message = message
        self.hint = hint
        self.headline = f"{file}: {message}"
        super().__init__(self.headline if hint is None else f"{self.headline} ({hint})")
