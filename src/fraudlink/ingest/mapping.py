"""Load a mapping file: YAML with line numbers → checked Structs → a compiled plan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fraudlink.ingest.compile import build_plan
from fraudlink.ingest.errors import MappingError
from fraudlink.ingest.faults import MappingFaults, dotted
from fraudlink.ingest.plan import Plan
from fraudlink.ingest.spec import MappingSpec, SourceSpec
from fraudlink.ingest.yaml_lines import LocatedYamlError, load_located

SUPPORTED_VERSION = 1


@dataclass(frozen=True)
class Mapping:
    """A checked mapping, ready to apply to rows."""

    file: Path
    source: SourceSpec
    plan: Plan
    faults: MappingFaults

    def column_origin(self, column: str) -> tuple[int | None, str]:
        """The line and key of the mapping that names ``column``, for source errors."""
        path = self.plan.columns[column]
        return self.faults.line(path), dotted(path)


def load_mapping(file: Path) -> Mapping:
    """Read and check a mapping file; raise :class:`MappingError` pointing at the fault."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError(file, None, "", f"cannot read the mapping: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise MappingError(file, None, "", "the mapping is not UTF-8 text") from None
    return parse_mapping(text, file)


def parse_mapping(text: str, file: Path) -> Mapping:
    """Check mapping ``text``; ``file`` is the name errors cite."""
    try:
        located = load_located(text)
    except LocatedYamlError as problem:
        raise MappingError(file, problem.line, dotted(problem.path), problem.message) from None
    faults = MappingFaults(file, located)
    if not isinstance(located.data, dict):
        raise faults.error(
            (), "expected a map with version, event_type and events", "see docs/ingest.md"
        )
    if "version" in located.data and located.data["version"] != SUPPORTED_VERSION:
        raise faults.error(
            ("version",),
            f"version {located.data['version']!r} is not supported",
            f"this fraudlink reads version: {SUPPORTED_VERSION}",
        )
    spec = faults.decode(located.data, MappingSpec, ())
    return Mapping(file, spec.source, build_plan(spec, faults), faults)
