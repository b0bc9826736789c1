"""Reads that every page makes, compiled once and run on the driver's own connection.

SQLAlchemy Core spends 100–160 µs around each statement it runs (a ``Connection``, an
execution context, result metadata, events): more than SQLite takes to answer an
indexed read. Every staff page reads its session, and the case page the freezes too.
A :class:`PreparedRead` compiles its statement once for the engine's dialect and runs it
with the driver's cursor, applying the column types' own bind and result processors,
so values come back as ``Connection.execute`` would give them (a test checks this on
both backends). Only for one SELECT with no transaction around it: a single statement
reads one consistent snapshot on either backend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any] | None
_PREPARED: dict[tuple[int, int], PreparedRead] = {}


def prepared_rows(
    engine: Engine, statement: Select[Any], params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """``statement``'s rows for ``params``, compiled once per dialect (for statements
    built once, at import: each distinct object is compiled and kept)."""
    key = (id(engine.dialect), id(statement))
    prepared = _PREPARED.get(key)
    if prepared is None:
        prepared = _PREPARED.setdefault(key, PreparedRead.of(statement, engine.dialect))
    return prepared.rows(engine, params)


@dataclass(frozen=True)
class PreparedRead:
    # Both kept, so that their ids (the cache key) are never reused while it is.
    statement: Select[Any]
    dialect: Dialect
    compiled: SQLCompiler
    binds: Mapping[str, Processor]
    columns: tuple[tuple[str, Processor], ...]

    @classmethod
    def of(cls, statement: Select[Any], dialect: Dialect) -> PreparedRead:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        binds = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                 for name, bind in compiled.binds.items()}  # fmt: skip
        columns = tuple((str(column.key), _result_processor(column.type, dialect))
                        for column in statement.selected_columns)  # fmt: skip
        return cls(statement, dialect, compiled, binds, columns)

    def rows(self, engine: Engine, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The statement's rows for ``params``, each as a dict by column key."""
        values = self.compiled.construct_params(dict(params))
        for name, process in self.binds.items():
            if process is not None:
                values[name] = process(values[name])
        positions = self.compiled.positiontup
        args: Any = [values[name] for name in positions] if positions else values
        dbapi = engine.dialect.loaded_dbapi
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(self.compiled.string, args)
                fetched = cursor.fetchall()
            finally:
                cursor.close()
        except dbapi.Error as exc:
            # Raised as SQLAlchemy raises it, so the store's error handling applies.
            raise DBAPIError.instance(self.compiled.string, args, exc, dbapi.Error) from exc
        finally:
            raw.close()  # back to the pool, which ends any transaction the driver began
        return [{key: process(value) if process is not None else value
                 for (key, process), value in zip(self.columns, row, strict=True)}
                for row in fetched]  # fmt: skip


def _result_processor(kind: TypeEngine[Any], dialect: Dialect) -> Processor:
    return kind.dialect_impl(dialect).result_processor(dialect, None)
