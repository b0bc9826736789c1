"""Ingest: a platform's own files (CSV, JSON lines, Parquet) → canonical events.

A declarative YAML mapping (docs/ingest.md) says how the platform's columns become
canonical fields. Every row becomes an event or a quarantine record; nothing is
dropped silently.
"""

from fraudlink.ingest.errors import MappingError, SourceError
from fraudlink.ingest.mapping import Mapping, load_mapping, parse_mapping
from fraudlink.ingest.pipeline import FileProgress, check_sources, ingest_files
from fraudlink.ingest.quarantine import REASONS, QuarantineRecord, read_quarantine
from fraudlink.ingest.summary import IngestSummary, SourceSummary

__all__ = [
    "REASONS",
    "FileProgress",
    "IngestSummary",
    "Mapping",
    "MappingError",
    "QuarantineRecord",
    "SourceError",
    "SourceSummary",
    "check_sources",
    "ingest_files",
    "load_mapping",
    "parse_mapping",
    "read_quarantine",
]
