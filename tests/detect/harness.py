"""Run one compiled rule's detector over micro-batches, outside the engine's dedupe."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fraudlink.detect.engine import conform
from fraudlink.detect.filters import mask
from fraudlink.detect.frame import Frame
from fraudlink.detect.intern import Interners
from fraudlink.detect.operators.base import Hit
from fraudlink.detect.operators.window import WindowDetector
from fraudlink.detect.rules.compile import CompiledRule, WindowConfig
from fraudlink.detect.rules.loader import load_rules_text


def rule_from(yaml_rule: str) -> CompiledRule:
    return load_rules_text("version: 1\nrules:\n" + yaml_rule).rules[0]


def window_hits(
    rule: CompiledRule, parts: list[pa.Table], prefilter: bool = True
) -> list[tuple[int, Hit]]:
    """(global sequence number, hit) for every hit of the rule's window over the parts."""
    assert isinstance(rule.detector, WindowConfig)
    assert not rule.enrich
    detector = WindowDetector(rule.detector, rule.when, prefilter)
    interners = Interners()
    seq = 0
    out = []
    for part in parts:
        part = conform(part)
        frame = Frame(part, np.arange(seq, seq + part.num_rows, dtype=np.int64), interners)
        seq += part.num_rows
        rows = frame.rows_of(rule.on)
        rows = rows[mask(frame, rows, {}, rule.base_where)]
        for hit in detector.process(frame, rows, {}):
            out.append((int(frame.seq[hit.pos]), hit))
        detector.expire(int(frame.ts[-1]))
    return out
