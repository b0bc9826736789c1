"""A received package that cannot become events is refused once per version of its files,
not converted again on every view of its case page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fraudlink.cases import package
from fraudlink.investigate import evidence
from fraudlink.web import case_views


def _timeless_package(folder: Path, amount: int) -> None:
    manifest, blobs = package.build(
        case_id="case-00000000000000bb", title="rows without times", subject_accounts=["u1"],
        alerts=[], tables={"transactions": [{"transfer_id": "T1", "amount": amount,
                                             "from_account": "u0", "to_account": "u1"}]},
        sender="hx-mall", recipient="hz-cyber", created=datetime.now(UTC),
    )  # fmt: skip
    package.write(folder, manifest, blobs)


def test_a_refused_package_is_not_read_again_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, folder = tmp_path / "police", tmp_path / "police" / "inbox" / "case-00000000000000bb"
    _timeless_package(folder, 100)
    calls: list[Path] = []
    real = evidence.import_package

    def counted(h: Path, f: Path) -> evidence.ImportedSource:
        calls.append(f)
        return real(h, f)

    monkeypatch.setattr(evidence, "import_package", counted)
    for _ in range(3):
        with pytest.raises(evidence.EvidenceError):
            case_views.ensure_imported(home, "case-00000000000000bb", folder)
    assert len(calls) == 1
    _timeless_package(folder, 200)  # a new version of the files is tried again
    with pytest.raises(evidence.EvidenceError):
        case_views.ensure_imported(home, "case-00000000000000bb", folder)
    assert len(calls) == 2
    assert evidence.case_folder(home, "case-00000000000000bb") is None  # nothing written
