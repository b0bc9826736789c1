"""The case pages' analysis cache: one build per store version, a page whose case is already
built is served while newer evidence is added in the background, a page that needs the
new evidence waits for it, and an older build never replaces a newer one."""

from __future__ import annotations

import threading
from pathlib import Path

from fraudlink.web.case_cache import Analysis, LatestAnalyses, Memo, Version


class FakeBuilds:
    """Builds that record their folders and, for chosen folder counts, wait to be let go."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.hold: dict[int, threading.Event] = {}
        self.done: dict[int, threading.Event] = {}

    def __call__(self, folders: tuple[Path, ...], version: Version) -> Analysis:
        n = len(folders)
        self.calls.append(n)
        if n in self.hold:
            assert self.hold[n].wait(30)
        built = Analysis(folders=folders, version=version, ledger=None, gangs=None)  # type: ignore[arg-type]
        self.done.setdefault(n, threading.Event()).set()
        return built

    def finished(self, n: int) -> bool:
        return self.done.setdefault(n, threading.Event()).wait(30)


def source(home: Path, name: str) -> Path:
    folder = home / "evidence" / name
    folder.mkdir(parents=True)
    (folder / "events.parquet").write_bytes(b"PAR1" + name.encode())
    return folder


def test_newer_evidence_is_built_in_the_background_for_cases_already_built(
    tmp_path: Path,
) -> None:
    builds = FakeBuilds()
    cache = LatestAnalyses(builds)
    a = source(tmp_path, "case-a")
    first = cache.get(tmp_path, (a,), need=a)
    assert builds.calls == [1] and cache.get(tmp_path, (a,), need=a) is first  # built once
    b = source(tmp_path, "case-b")
    builds.hold[2] = threading.Event()
    # Case a's page does not wait for case b's evidence: the last build, then the new one.
    assert cache.get(tmp_path, (a, b), need=a) is first
    assert cache.get(tmp_path, (a, b), need=None) is first
    builds.hold[2].set()
    assert builds.finished(2)
    for _ in range(1000):  # the refresh stores its result just after building it
        second = cache.get(tmp_path, (a, b), need=a)
        if second is not first:
            break
        threading.Event().wait(0.01)
    assert second.folders == (a, b) and builds.calls == [1, 2]  # one background build


def test_a_case_missing_from_the_last_build_waits_for_the_new_one(tmp_path: Path) -> None:
    builds = FakeBuilds()
    cache = LatestAnalyses(builds)
    a = source(tmp_path, "case-a")
    cache.get(tmp_path, (a,), need=a)
    b = source(tmp_path, "case-b")
    got = cache.get(tmp_path, (a, b), need=b)
    assert got.folders == (a, b) and builds.calls == [1, 2]


def test_an_older_build_finishing_late_does_not_replace_a_newer_one(tmp_path: Path) -> None:
    builds = FakeBuilds()
    cache = LatestAnalyses(builds)
    a = source(tmp_path, "case-a")
    cache.get(tmp_path, (a,), need=a)
    b = source(tmp_path, "case-b")
    builds.hold[2] = threading.Event()
    cache.get(tmp_path, (a, b), need=a)  # starts the background build of a+b, held
    c = source(tmp_path, "case-c")
    newest = cache.get(tmp_path, (a, b, c), need=c)  # case c's page builds a+b+c itself
    builds.hold[2].set()
    assert builds.finished(2)
    for _ in range(100):  # give the late build every chance to store itself
        threading.Event().wait(0.01)
    assert cache.get(tmp_path, (a, b, c), need=c) is newest
    assert sorted(builds.calls) == [1, 2, 3]


def test_the_memo_builds_each_key_once_under_concurrency() -> None:
    memo = Memo(2)
    calls: list[str] = []
    start = threading.Barrier(8)

    def build() -> str:
        calls.append("x")
        return "value"

    def ask() -> None:
        start.wait()
        assert memo.get("key", build) == "value"

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["x"]
    memo.get("b", lambda: "b")
    memo.get("c", lambda: "c")  # the oldest key goes
    assert memo.get("key", lambda: "again") == "again"
