"""Raw bulk inserts (multi-row INSERT, COPY) that store exactly what the ORM would, cheaper.

``bulk_create`` prepares every value of every row through the SQL compiler
(``pre_save`` → ``get_db_prep_save`` → the backend's adapter): about 15 µs a
column, 600 µs a ledger row. Here each column's conversion is worked out
once — the backend adapter the field's ``get_db_prep_value`` would end in,
or nothing at all when that adapter returns the value unchanged — and the
rows go to the database as plain lists: on SQLite a few hundred rows per
INSERT, on PostgreSQL through COPY.

Ids, where wanted (projects: their events and audits point to them), come
back without a query per row: PostgreSQL hands out a block of the table's
sequence first (explicit ids are then copied in); SQLite numbers new
rows consecutively while the transaction holds the write lock (the project's
SQLite transactions BEGIN IMMEDIATE; AUTOINCREMENT never reuses an id), so the
last rowid gives them all — checked by a count before going on.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from itertools import chain
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.operations import BaseDatabaseOperations

Converter = Callable[[Any], Any]

#: internal types whose prepared value goes to the driver untouched (Field.get_db_prep_value)
_AS_IS = frozenset({"CharField", "TextField", "SlugField", "EmailField", "BooleanField"})
_INTEGERS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)


#: rows per INSERT statement: beyond a few hundred SQLite gains nothing
ROWS_PER_STATEMENT = 250


def _max_params() -> int:
    """Parameters one statement may carry: SQLite's compiled limit, else the backend's."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return int(connection.features.max_query_params or 65535)


#: SQLite page cache while an import writes (KiB): the default 2 MB makes a 100,000-row
#: transaction spill index pages to the WAL over and over (about 20 % of the write time)
WRITE_CACHE_KIB = 65536


@contextmanager
def big_page_cache() -> Iterator[None]:
    """A larger SQLite page cache for this connection while a big import writes.

    Set and restored on the driver's connection: the pragma is not part of
    the transaction, and restoring must work even after a failed INSERT (when
    Django refuses any query until the atomic block ends).
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    driver = connection.connection
    previous = int(driver.execute("PRAGMA cache_size").fetchone()[0])
    driver.execute(f"PRAGMA cache_size = {-WRITE_CACHE_KIB:d}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size = {previous:d}")


def _log(sql: str, started: float, wrapper: Any = None) -> None:
    """Log a statement sent past Django's cursor, as Django would (tests count queries)."""
    wrapper = wrapper or connection
    if wrapper.queries_logged:
        wrapper.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


class IdsMismatch(Exception):
    """The ids worked out for inserted rows are not the rows' ids (never expected)."""


def _overrides(name: str) -> bool:
    """Whether the backend's adapter ``name`` does anything (the base one returns the value)."""
    return getattr(type(connection.ops), name) is not getattr(BaseDatabaseOperations, name)


def converter(field: models.Field[Any, Any]) -> Converter | None:
    """What ``field.get_db_prep_value(value, connection, prepared=True)`` does, once decided.

    None means “nothing”: the value goes to the driver as it is.
    """
    ops = connection.ops
    if isinstance(field, models.ForeignKey):
        return converter(field.target_field)
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind in _INTEGERS:
        if not _overrides("adapt_integerfield_value"):
            return None
        return partial(field.get_db_prep_value, connection=connection, prepared=True)
    if kind == "DecimalField" and isinstance(field, models.DecimalField):
        if not _overrides("adapt_decimalfield_value"):
            return None
        return partial(
            ops.adapt_decimalfield_value,
            max_digits=field.max_digits,
            decimal_places=field.decimal_places,
        )
    if kind == "DateField":
        return ops.adapt_datefield_value
    if kind == "DateTimeField":
        return ops.adapt_datetimefield_value
    if kind == "JSONField" and isinstance(field, models.JSONField):
        return partial(_json, ops.adapt_json_value, field.encoder)
    if kind == "GenericIPAddressField":
        return ops.adapt_ipaddressfield_value
    return partial(field.get_db_prep_value, connection=connection, prepared=True)


def _json(adapt: Callable[[Any, Any], Any], encoder: Any, value: Any) -> Any:
    return adapt(value, encoder)


class RawInsert:
    """INSERT of one model's columns (``attnames``, in order) from tuples of Python values.

    The id column is left out: with ``ids`` ``insert`` returns the new ids in
    row order, without it the database numbers the rows and nothing is returned.
    """

    def __init__(
        self, model: type[models.Model], attnames: Sequence[str], *, ids: bool = True
    ) -> None:
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        self.model = model
        self.table = meta.db_table
        self.attnames = tuple(attnames)
        self.pk_column = meta.pk.column
        columns = [fields[name].column for name in self.attnames]
        self.converters = [
            (i, conv)
            for i, name in enumerate(self.attnames)
            if (conv := converter(fields[name])) is not None
        ]
        self.by_name = {name: converter(fields[name]) for name in self.attnames}
        qn = connection.ops.quote_name
        #: PostgreSQL: rows go through COPY, which takes every value as text (JSON too)
        self.copies = connection.vendor == "postgresql"
        self.ids = ids
        self.width = len(columns)
        self.batch = max(1, min(ROWS_PER_STATEMENT, _max_params() // self.width))
        # identifiers from the model's own metadata, quoted; values are always parameters
        copied = ([self.pk_column] if ids else []) + columns  # ids reserved beforehand
        self.copy_sql = f"COPY {qn(self.table)} ({', '.join(qn(c) for c in copied)}) FROM STDIN"
        self.head = f"INSERT INTO {qn(self.table)} ({', '.join(qn(c) for c in columns)}) VALUES "  # noqa: S608
        self.one = "(" + ", ".join(["%s"] * self.width) + ")"
        self.statements: dict[tuple[int, bool], str] = {}
        table, pk = qn(self.table), qn(self.pk_column)
        self.count_sql = f"SELECT COUNT(*) FROM {table} WHERE {pk} BETWEEN %s AND %s"  # noqa: S608

    def statement(self, rows: int, *, qmark: bool = False) -> str:
        """INSERT of ``rows`` rows in one statement (a few sizes per import: cached)."""
        sql = self.statements.get((rows, qmark))
        if sql is None:
            one = self.one.replace("%s", "?") if qmark else self.one
            sql = self.statements[rows, qmark] = self.head + ", ".join([one] * rows)
        return sql

    def constant(self, attname: str, value: Any) -> Any:
        """A value converted for its column (``converters`` does the same for whole columns)."""
        conv = self.by_name[attname]
        return value if value is None or conv is None else conv(value)

    def insert(self, columns: Sequence[Sequence[Any]], count: int) -> list[int]:
        """Insert ``count`` rows given as columns of converted values; their new ids in order.

        SQLite: multi-row VALUES statements of up to ``batch`` rows, about 40 %
        cheaper than ``executemany`` of one-row statements. PostgreSQL: COPY.
        """
        if not count:
            return []
        assert len(columns) == len(self.attnames) and all(len(c) == count for c in columns)
        with connection.cursor() as cursor:
            if self.copies:
                ids = self.reserve(count) if self.ids else []
                self.copy_rows(cursor.cursor, [ids, *columns] if self.ids else columns, count)
                return ids
            for start in range(0, count, self.batch):
                end = min(count, start + self.batch)
                part = [column[start:end] for column in columns]
                self._execute(
                    cursor, end - start, list(chain.from_iterable(zip(*part, strict=True)))
                )
            if not self.ids:
                return []
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
            first = last - count + 1
            cursor.execute(self.count_sql, [first, last])
            if cursor.fetchone()[0] != count:
                raise IdsMismatch(self.table)
            return list(range(first, last + 1))

    def _execute(self, cursor: Any, rows: int, params: list[Any]) -> None:
        """One INSERT; on SQLite straight to the driver in its own “?” style.

        Django's SQLite cursor rewrites every “%s” with a regex on each call —
        for 7,500 placeholders that costs as much as the insert itself. Errors
        are still turned into Django's, the query is still logged when queries
        are (tests count them), and installed execute wrappers still see it.
        """
        if connection.execute_wrappers:
            cursor.execute(self.statement(rows), params)
            return
        started = time.monotonic()
        sql = self.statement(rows, qmark=True)
        with connection.wrap_database_errors:
            sqlite3.Cursor.execute(cursor.cursor, sql, params)
        _log(f"{self.head}… ({rows} rows)", started)

    def copy_rows(
        self, driver_cursor: Any, columns: Sequence[Sequence[Any]], count: int, wrapper: Any = None
    ) -> None:
        """PostgreSQL: the rows through ``COPY … FROM STDIN`` (psycopg's ``Cursor.copy``).

        Multi-row INSERTs cost PostgreSQL a parse of 7,000-parameter statements
        and Django's client-side binding a Python quote of every value: 100,000
        ledger rows took 90 s that way; COPY streams the values as text. As
        with ``_execute``, errors become Django's and the statement is logged
        (on ``wrapper``: Django's connection of the thread that owns it).
        """
        wrapper = wrapper or connection
        started = time.monotonic()
        with wrapper.wrap_database_errors, driver_cursor.copy(self.copy_sql) as copy:
            write = copy.write_row
            for row in zip(*columns, strict=True):
                write(row)
        _log(f"{self.copy_sql} ({count} rows)", started, wrapper)

    def reserve(self, count: int) -> list[int]:
        """PostgreSQL: ``count`` ids from the table's own sequence (the ORM uses it too)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [self.table, self.pk_column, count],
            )
            return [pk for (pk,) in cursor.fetchall()]


class CopyStream:
    """PostgreSQL: COPY statements sent by a worker thread while the caller builds the next rows.

    Once COPY has handed over its rows PostgreSQL still inserts them, updates
    the indexes and checks the foreign keys; done in line the import waits
    for all of that (about half its time for 100,000 rows). Here a worker
    thread sends the statements, in order, on the caller's own driver
    connection — the same transaction — while the caller builds the next
    chunk; the caller must not use the database until the stream is closed.
    For the duration, deferrable constraints are checked at each statement's
    end (SET CONSTRAINTS ALL IMMEDIATE) instead of all at once at commit, so
    those checks overlap too; closing sets them back to deferred. The first
    error stops the sending and is raised to the caller, as Django's error,
    from ``put`` or on closing. At most ``depth`` statements wait in between.
    """

    def __init__(self, depth: int = 3) -> None:
        self.wrapper = connections[DEFAULT_DB_ALIAS]  # this thread's, not the worker's
        self.queue: queue.Queue[tuple[RawInsert, Sequence[Sequence[Any]], int] | None] = (
            queue.Queue(maxsize=depth)
        )
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="ledger-copy", daemon=True)

    def __enter__(self) -> CopyStream:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.driver = connection.connection
        self.thread.start()
        return self

    def put(self, insert: RawInsert, columns: Sequence[Sequence[Any]], count: int) -> None:
        """Queue one COPY (``columns`` are the statement's, id first when it has one)."""
        self._raise()
        self.queue.put((insert, columns, count))

    def __exit__(self, kind: type[BaseException] | None, *rest: Any) -> None:
        self.queue.put(None)
        self.thread.join()
        if kind is not None:
            return  # the caller's error goes on; the transaction will be rolled back
        self._raise()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        """Send what is queued; after an error only drain, so ``put`` never blocks for good."""
        cursor = None
        try:
            while (item := self.queue.get()) is not None:
                if self.error is not None:
                    continue
                insert, columns, count = item
                try:
                    cursor = cursor or self.driver.cursor()
                    insert.copy_rows(cursor, columns, count, self.wrapper)
                except BaseException as exc:  # handed to the caller's thread
                    self.error = exc
        finally:
            if cursor is not None:
                cursor.close()
