"""Raw multi-row INSERTs that store exactly what the ORM would, without its per-value cost.

``bulk_create`` prepares every value of every row through the SQL compiler
(``pre_save`` → ``get_db_prep_save`` → the backend's adapter): about 15 µs a
column, 600 µs a ledger row. Here each column's conversion is worked out
once — the backend adapter the field's ``get_db_prep_value`` would end in,
or nothing at all when that adapter returns the value unchanged — and the
rows go to ``cursor.executemany`` as plain tuples.

Ids come back without a query per row: PostgreSQL hands out a block of the
table's sequence first (explicit ids are then inserted); SQLite numbers the
rows of one ``executemany`` consecutively while the transaction holds the
write lock, so the last rowid gives them all (checked by a count).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from django.db import connection, models
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
        return partial(_integer, ops.adapt_integerfield_value, kind)
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


def _integer(adapt: Callable[[Any, str], Any], kind: str, value: Any) -> Any:
    return adapt(value, kind)


def _json(adapt: Callable[[Any, Any], Any], encoder: Any, value: Any) -> Any:
    return adapt(value, encoder)


class RawInsert:
    """INSERT of one model's columns (``attnames``, in order) from tuples of Python values.

    The id column is left out: ``insert`` returns the new ids in row order.
    """

    def __init__(self, model: type[models.Model], attnames: Sequence[str]) -> None:
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
        self.postgres = connection.vendor == "postgresql"
        names = ([self.pk_column] if self.postgres else []) + columns
        # identifiers from the model's own metadata, quoted; values are always parameters
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            qn(self.table),
            ", ".join(qn(c) for c in names),
            ", ".join(["%s"] * len(names)),
        )

        table, pk = qn(self.table), qn(self.pk_column)
        self.count_sql = f"SELECT COUNT(*) FROM {table} WHERE {pk} BETWEEN %s AND %s"  # noqa: S608

    def constant(self, attname: str, value: Any) -> Any:
        """A value the same for every row, converted once (use ``prepared=True`` rows then)."""
        conv = self.by_name[attname]
        return value if value is None or conv is None else conv(value)

    def prepared(self, rows: Iterable[Sequence[Any]], skip: frozenset[int]) -> list[list[Any]]:
        """Rows with each column converted for the database, except the ``skip`` indexes."""
        work = [(i, conv) for i, conv in self.converters if i not in skip]
        result: list[list[Any]] = []
        for row in rows:
            values = list(row)
            for i, conv in work:
                value = values[i]
                if value is not None:
                    values[i] = conv(value)
            result.append(values)
        return result

    def insert(self, rows: list[list[Any]]) -> list[int]:
        """Insert rows already ``prepared``; return their new ids in order."""
        if not rows:
            return []
        with connection.cursor() as cursor:
            if self.postgres:
                ids = self._reserve(cursor, len(rows))
                cursor.executemany(
                    self.sql, [[pk, *row] for pk, row in zip(ids, rows, strict=True)]
                )
                return ids
            cursor.executemany(self.sql, rows)
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
            first = last - len(rows) + 1
            cursor.execute(self.count_sql, [first, last])
            if cursor.fetchone()[0] != len(rows):
                raise IdsMismatch(self.table)
            return list(range(first, last + 1))

    def _reserve(self, cursor: Any, count: int) -> list[int]:
        """A block of ids from the table's own sequence (also used by the ORM's inserts)."""
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [self.table, self.pk_column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]
