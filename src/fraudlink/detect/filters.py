"""Vectorised ``where`` filters over some rows of a batch and their enrichment values."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fraudlink.detect.frame import Frame
from fraudlink.detect.intern import MISSING
from fraudlink.detect.operators.base import Values
from fraudlink.detect.rules.predicates import Pred

_ARROW = {
    "eq": pc.equal,
    "ne": pc.not_equal,
    "lt": pc.less,
    "le": pc.less_equal,
    "gt": pc.greater,
    "ge": pc.greater_equal,
}


def mask(frame: Frame, rows: np.ndarray, values: Values, preds: tuple[Pred, ...]) -> np.ndarray:
    """Which of ``rows`` pass every predicate (null fails, except for ``ne`` and ``not_in``)."""
    if len(rows) == 0 or not preds:
        return np.ones(len(rows), dtype=bool)
    keep: np.ndarray | None = None
    for pred in preds:
        if pred.field in values:
            part = _numpy_mask(values[pred.field], pred)
        elif frame.small:
            # Each row passes or fails on its own, so one answer for the whole batch,
            # shared by every rule that tests the same thing, can be indexed by any rows.
            whole = frame.masks.get(pred)
            if whole is None:
                whole = frame.masks[pred] = _column_mask(frame, np.arange(frame.n), pred)
            part = whole[rows]
        else:
            part = _column_mask(frame, rows, pred)
        if keep is None:
            # a copy of the first answer (the callers narrow the mask in place)
            keep = np.array(part, dtype=bool)
        else:
            keep &= part
    assert keep is not None
    return keep


def _column_mask(frame: Frame, rows: np.ndarray, pred: Pred) -> np.ndarray:
    if pred.op in _CODE_OPS and pa.types.is_string(frame.column_type(pred.field)):
        return _code_mask(frame, rows, pred)
    arrow = frame.column_type(pred.field)
    if _is_numeric(arrow):
        return _int_mask(frame, rows, pred)
    if pa.types.is_boolean(arrow) and pred.op in _CODE_OPS:
        return _bool_mask(frame, rows, pred)
    return _arrow_mask(frame.take(pred.field, rows), pred)


_CODE_OPS = frozenset({"eq", "ne", "in", "not_in"})


def _is_numeric(arrow: pa.DataType) -> bool:
    return bool(pa.types.is_integer(arrow) or pa.types.is_timestamp(arrow))


def _int_mask(frame: Frame, rows: np.ndarray, pred: Pred) -> np.ndarray:
    """Integer, money and time columns through the frame's cached int64 view."""
    values = frame.ints(pred.field)[rows]
    valid = frame.valid(pred.field)[rows]
    result = _numpy_mask(values, pred)
    if pred.op in ("ne", "not_in"):
        return np.asarray(result | ~valid)  # an empty field passes ne / not_in
    return np.asarray(result & valid)


def _bool_mask(frame: Frame, rows: np.ndarray, pred: Pred) -> np.ndarray:
    """Yes/no columns through the frame's cached boolean view (``success: true``)."""
    result = _numpy_mask(frame.bools(pred.field)[rows], pred)
    valid = frame.valid(pred.field)[rows]
    if pred.op in ("ne", "not_in"):
        return np.asarray(result | ~valid)
    return np.asarray(result & valid)


def _code_mask(frame: Frame, rows: np.ndarray, pred: Pred) -> np.ndarray:
    """Equality on a text column through its interned codes, which every rule shares.

    A batch's codes are computed once per column, so the dozen ``status: completed``
    tests of a rule pack cost one integer comparison each instead of an Arrow kernel
    call; that matters most for the small batches of live streams.
    """
    codes = frame.codes(pred.field)[rows]
    space = frame.interner_of(pred.field)
    wanted = [space.find(str(v)) for v in (pred.values if pred.op in ("in", "not_in") else
                                           (pred.value,))]  # fmt: skip
    wanted = [c for c in wanted if c != MISSING]
    inside = np.isin(codes, wanted) if len(wanted) != 1 else codes == wanted[0]
    if pred.op in ("ne", "not_in"):
        return np.asarray(~inside)  # a null (MISSING) is never inside, so it passes
    return np.asarray(inside)


def _arrow_mask(col: pa.Array, pred: Pred) -> np.ndarray:
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.int64())
    empty_ok = pred.op in ("ne", "not_in")
    if pred.op in ("multiple_of", "not_multiple_of"):
        values = col.to_numpy(zero_copy_only=False)
        valid = col.is_valid().to_numpy(zero_copy_only=False)
        safe = np.where(valid, np.nan_to_num(values.astype(np.float64)), 1).astype(np.int64)
        return np.asarray(valid & _numpy_mask(safe, pred))
    if pred.op in ("in", "not_in"):
        result = pc.is_in(col, value_set=pa.array(list(pred.values), type=col.type))
        if pred.op == "not_in":
            result = pc.invert(result)
        result = pc.if_else(col.is_null(), empty_ok, result)
    else:
        result = _ARROW[pred.op](col, pa.scalar(pred.value, type=col.type))
    out: np.ndarray = result.fill_null(empty_ok).to_numpy(zero_copy_only=False)
    return out.astype(bool, copy=False)


def _numpy_mask(col: np.ndarray, pred: Pred) -> np.ndarray:
    if col.dtype == object:
        return np.fromiter((pred.test(v) for v in col), dtype=bool, count=len(col))
    if pred.op in ("in", "not_in"):
        inside = np.isin(col, np.array(pred.values))
        return ~inside if pred.op == "not_in" else inside
    value = pred.value
    if pred.op in ("multiple_of", "not_multiple_of"):
        assert isinstance(value, int | float)
        with np.errstate(invalid="ignore"):
            whole = np.mod(col, value) == 0
        if pred.op == "multiple_of":
            return np.asarray(whole)
        return np.asarray(~whole & ~np.isnan(col.astype(np.float64)))
    with np.errstate(invalid="ignore"):
        if pred.op == "eq":
            return np.asarray(col == value)
        if pred.op == "ne":
            return np.asarray(col != value)
        if pred.op == "lt":
            return np.asarray(col < value)
        if pred.op == "le":
            return np.asarray(col <= value)
        if pred.op == "gt":
            return np.asarray(col > value)
        return np.asarray(col >= value)
