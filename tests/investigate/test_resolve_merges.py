"""Hard-identifier merging, hubs, name conflicts, undo, and the pairwise score, on small tables.

Hard-only runs (``probabilistic=False``) keep these fast and exact: what is tested here
is the bookkeeping, not the model.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from fraudlink.investigate.resolve import ResolveReport, ResolveSettings, resolve
from fraudlink.investigate.resolve_merges import components, merge_id
from fraudlink.investigate.resolve_records import PersonRecords, empty_links, normalise_records
from fraudlink.investigate.resolve_score import pairwise_scores

HARD_ONLY = ResolveSettings(probabilistic=False)


def people(
    rows: list[dict[str, Any]], links: list[tuple[str, str, str]] | None = None
) -> PersonRecords:
    """Records from dicts; a key missing from a row is a null (from_pylist would drop it)."""
    keys = list(dict.fromkeys(k for row in rows for k in row))
    table = normalise_records(pa.table({k: [row.get(k) for row in rows] for k in keys}))
    link_table = empty_links()
    if links:
        ids, kinds, values = zip(*links, strict=True)
        link_table = pa.table({"record_id": ids, "kind": kinds, "value": values}).cast(
            link_table.schema
        )
    return PersonRecords(table, link_table, "test")


def clusters(report: ResolveReport) -> dict[str, str]:
    res = report.resolution
    return dict(zip(res.record_ids.to_pylist(), res.cluster_ids().to_pylist(), strict=True))


def test_shared_identifiers_merge_and_keep_their_evidence() -> None:
    report = resolve(
        people(
            [
                {"record_id": "a1", "name": "林晓梅", "phone": "+86 138-0000-0001"},
                {"record_id": "a2", "name": "林晓梅", "phone": "13800000001", "id_number": "x1"},
                {"record_id": "a3", "name": "林小梅", "id_number": "X1"},
                {"record_id": "b1", "name": "王伟", "phone": "13900000002"},
            ]
        ),
        HARD_ONLY,
    )
    got = clusters(report)
    assert got == {"a1": "a1", "a2": "a1", "a3": "a1", "b1": "b1"}
    merges = report.resolution.merges.to_pylist()
    assert [(m["left"], m["right"], m["kind"], m["evidence"]) for m in merges] == [
        ("a1", "a2", "hard", "phone 13800000001"),
        ("a2", "a3", "hard", "id_number X1"),
    ]
    assert all(m["merge_id"] == merge_id(m["left"], m["right"]) for m in merges)


def test_a_hub_value_merges_nobody_and_is_reported() -> None:
    # A clerk's placeholder phone on twelve strangers' records, and one real shared phone.
    rows = [
        {"record_id": f"r{i:02d}", "name": f"person {i}", "phone": "13800000000"} for i in range(12)
    ]
    rows += [
        {"record_id": "s1", "name": "张敏", "phone": "13712345678"},
        {"record_id": "s2", "name": "张敏", "phone": "13712345678"},
    ]
    report = resolve(people(rows), ResolveSettings(probabilistic=False, hub_limit=10))
    got = clusters(report)
    assert len({got[f"r{i:02d}"] for i in range(12)}) == 12
    assert got["s2"] == "s1"
    assert [(h.kind, h.value, h.records) for h in report.hubs] == [("phone", "13800000000", 12)]
    assert report.stats()["hub_values"] == 1
    # The same twelve under a higher limit are one cluster: the limit is what protects them.
    loose = resolve(people(rows), ResolveSettings(probabilistic=False, hub_limit=12))
    assert len({clusters(loose)[f"r{i:02d}"] for i in range(12)}) == 1


def test_a_device_alone_never_merges() -> None:
    # A family tablet: three relatives' accounts used from one device.
    report = resolve(
        people(
            [{"record_id": f"f{i}", "name": n} for i, n in enumerate(("王芳", "李强", "赵敏"))],
            [(f"f{i}", "device", "dv-tablet") for i in range(3)],
        ),
        HARD_ONLY,
    )
    assert report.resolution.merges.num_rows == 0
    assert len(set(clusters(report).values())) == 3


def test_a_shared_identifier_with_unrelated_names_is_a_conflict() -> None:
    report = resolve(
        people(
            [
                {"record_id": "p1", "name": "胡丽", "id_number": "hash-1"},
                {"record_id": "p2", "name": "李强", "id_number": "hash-1"},
                {"record_id": "q1", "name": "bradley matthews", "id_number": "777"},
                {"record_id": "q2", "name": "matthews bradley", "id_number": "777"},
            ]
        ),
        HARD_ONLY,
    )
    got = clusters(report)
    assert got["p1"] != got["p2"]
    assert got["q1"] == got["q2"]  # swapped words are the same name
    assert [(c.left, c.right, c.kind) for c in report.conflicts] == [("p1", "p2", "id_number")]


def test_undoing_a_merge_splits_the_cluster() -> None:
    report = resolve(
        people(
            [
                {"record_id": "a", "name": "陈静", "phone": "13000000001"},
                {"record_id": "b", "name": "陈静", "phone": "13000000001", "email": "cj@qq.com"},
                {"record_id": "c", "name": "陈静", "email": "cj@qq.com"},
            ]
        ),
        HARD_ONLY,
    )
    res = report.resolution
    assert len(set(clusters(report).values())) == 1
    after, result = res.unmerge(merge_id("b", "c"))
    assert result.split
    assert (result.left_cluster, result.right_cluster) == ("a", "c")
    assert after.members("a") == ["a", "b"]
    assert after.members("c") == ["c"]
    assert res.members("a") == ["a", "b", "c"]  # the original is unchanged
    with pytest.raises(KeyError):
        res.unmerge("m-000000000000")


def test_undo_reports_what_still_joins_the_two_sides() -> None:
    # a, b, c share a phone (a star from a); b and c also share an e-mail.
    report = resolve(
        people(
            [
                {"record_id": "a", "name": "周杰", "phone": "13100000003"},
                {"record_id": "b", "name": "周杰", "phone": "13100000003", "email": "z@126.com"},
                {"record_id": "c", "name": "周杰", "phone": "13100000003", "email": "z@126.com"},
            ]
        ),
        HARD_ONLY,
    )
    after, result = report.resolution.unmerge(merge_id("a", "c"))
    assert not result.split
    assert result.still_joined_by == [merge_id("a", "b"), merge_id("b", "c")]
    again, second = after.unmerge(merge_id("b", "c"))
    assert second.split
    assert again.undone == {merge_id("a", "c"), merge_id("b", "c")}


def test_components_label_each_node_with_the_smallest_of_its_component() -> None:
    left = pa.array([5, 1, 7, 3]).to_numpy()
    right = pa.array([1, 3, 8, 0]).to_numpy()
    assert components(10, left, right).tolist() == [0, 0, 2, 0, 4, 0, 6, 7, 7, 9]


def test_pairwise_scores_count_pairs() -> None:
    # Truth: {1,2,3} {4,5}; predicted: {1,2} {3,4,5}. Pairs: true 4, predicted 4, correct 2.
    scores = pairwise_scores(pa.array(list("aabbb")), pa.array(list("xxxyy")))
    assert (scores.true_pairs, scores.predicted_pairs, scores.correct_pairs) == (4, 4, 2)
    assert scores.precision == scores.recall == scores.f1 == 0.5
