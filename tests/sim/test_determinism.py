"""Same seed, same bytes; another seed, another world."""

from __future__ import annotations

from pathlib import Path

from fraudlink.sim.world import simulate

FILES = (
    "events.parquet",
    "accounts.parquet",
    "parties.parquet",
    "organisations.parquet",
    "truth.json",
    "manifest.json",
)


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    simulate("tiny", 1, tmp_path / "a")
    simulate("tiny", 1, tmp_path / "b")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_different_seed_gives_a_different_world(tmp_path: Path) -> None:
    simulate("tiny", 1, tmp_path / "a")
    simulate("tiny", 2, tmp_path / "b")
    for name in ("events.parquet", "accounts.parquet", "parties.parquet", "truth.json"):
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes(), name


def test_output_folder_holds_only_finished_files(tmp_path: Path) -> None:
    simulate("tiny", 5, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)
