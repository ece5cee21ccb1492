"""Bulk inserts through PostgreSQL's COPY, for the large imports: the rows and their history rows.

``bulk_create`` compiles an INSERT with one placeholder per value and simple-history builds a historical model
instance per row; COPY streams tab-separated text instead. ``copy_create_with_history`` draws primary keys from
the table's sequence first, so the instances (and their history rows) know their ids, as after ``bulk_create``.
``copy_insert_with_history`` is for the largest tables, whose imports need no ids back: plain tuples, staged with
COPY and inserted with their history in one statement.
The key lookups (``existing_keys``, ``values_by_key``) send arrays as one parameter each.
Everything runs on the caller's connection, in its transaction.
"""
from __future__ import annotations

import io
import json
import operator
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def _converter(field):
    """The fastest safe text conversion for one column, chosen once per COPY instead of per value."""
    internal = field.get_internal_type()
    if internal in ("ForeignKey", "OneToOneField"):
        internal = field.target_field.get_internal_type()
    if internal in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
                    "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
                    "DecimalField"):
        return lambda v: "\\N" if v is None else str(v)
    if internal in ("DateField", "DateTimeField"):
        return _LastValue(lambda v: "\\N" if v is None else v.isoformat())
    if internal in ("CharField", "TextField", "SlugField", "EmailField", "URLField"):
        return _char
    return _text


def _char(value) -> str:
    if value is None:
        return "\\N"
    if value.__class__ is not str:
        return _text(value)
    # Most text has nothing COPY would misread: skip the character-by-character translation for it.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


class _LastValue:
    """A conversion that remembers its last input: an import stamps the same moment on every row."""

    def __init__(self, convert):
        self.convert, self.value, self.text = convert, object(), ""

    def __call__(self, value):
        if value is not self.value:
            self.value, self.text = value, self.convert(value)
        return self.text


def _copy_text(rows, converters=None) -> str:
    """Rows as COPY's tab-separated text."""
    lines = []
    append = lines.append
    if converters is None:
        for row in rows:
            append("\t".join([_text(v) for v in row]))
    else:
        pairs = list(enumerate(converters))
        for row in rows:
            append("\t".join([convert(row[n]) for n, convert in pairs]))
    lines.append("")
    return "\n".join(lines)


def _copy(table: str, columns: list[str], rows=None, converters=None, *, text: str | None = None) -> None:
    conn = connection
    if text is None:
        text = _copy_text(rows, converters)
    data = text.encode()
    quoted = ", ".join(conn.ops.quote_name(c) for c in columns)
    with conn.cursor() as cursor:
        # The whole batch in one read: psycopg2 otherwise asks for 8 KB at a time, each a trip through Python.
        cursor.cursor.copy_expert(f"COPY {conn.ops.quote_name(table)} ({quoted}) FROM STDIN", io.BytesIO(data),
                                  size=max(len(data), 8192))


def copy_create_with_history(model, instances: list, *, user=None, reason: str = "") -> None:
    """Insert ``instances`` and one '+' history row each, as ``bulk_create_with_history`` would."""
    if not instances:
        return
    opts = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(instances)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for instance, pk in zip(instances, ids):
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = connection.alias
    fields = [f for f in opts.concrete_fields]
    values = operator.attrgetter(*[f.attname for f in fields])
    rows = [values(i) for i in instances]
    _copy(opts.db_table, [f.column for f in fields], rows, [_converter(f) for f in fields])

    history = model.history.model
    tracked = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    now = timezone.now()
    user_id = user.pk if user is not None else None
    columns = [f.column for f in tracked] + ["history_date", "history_change_reason", "history_type",
                                              "history_user_id"]
    by_name = {f.attname: n for n, f in enumerate(fields)}
    picks = [by_name[f.attname] for f in tracked]
    extra = (now, reason or None, "+", user_id)
    _copy(history._meta.db_table, columns, ([row[n] for n in picks] + list(extra) for row in rows),
          [_converter(f) for f in tracked] + [_LastValue(_text), _text, _text, _text])


def copy_insert_with_history(model, rows: list[tuple], *, user=None, reason: str = "") -> int:
    """Insert ``rows`` (tuples of every concrete field but the primary key, in field order) and one '+' history
    row each, when the caller needs no primary keys back (the largest tables).

    The rows go through COPY into a temporary staging table, then one statement inserts them and, from what it
    returns, their history rows: the ids come from the table's own default, with no round trip to fetch them
    first, and the text is built once for both tables."""
    if not rows:
        return 0
    if not connection.in_atomic_block:  # the staging table lives until the end of the transaction
        with transaction.atomic():
            return copy_insert_with_history(model, rows, user=user, reason=reason)
    opts = model._meta
    fields = _inserted_fields(model)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    stage_table = f"import_stage_{opts.db_table}"
    stage = quote(stage_table)
    history = model.history.model
    tracked = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    tracked_columns = ", ".join(quote(f.column) for f in tracked)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DROP AS "
                       f"SELECT {columns} FROM {quote(opts.db_table)} WITH NO DATA")
        cursor.execute(f"TRUNCATE {stage}")
    _copy(stage_table, [f.column for f in fields], text=_copy_text(rows, [_converter(f) for f in fields]))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH inserted AS (INSERT INTO {quote(opts.db_table)} ({columns}) SELECT {columns} FROM {stage} "
            f"RETURNING {tracked_columns}) "
            f"INSERT INTO {quote(history._meta.db_table)} ({tracked_columns}, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {tracked_columns}, %s, %s, '+', %s FROM inserted",
            [timezone.now(), reason or None, user.pk if user is not None else None],
        )
        return cursor.rowcount


def _inserted_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _array(values) -> str:
    """A PostgreSQL array literal ('{1,2,"a b"}'), sent as one text parameter: the server reads it with its
    array parser instead of parsing and planning thousands of constants."""
    values = list(values)
    kinds = {v.__class__ for v in values}
    if kinds == {int}:  # ids: the common case, joined without a look at each value
        return "{" + ",".join(map(str, values)) + "}"
    if kinds == {date}:
        return "{" + ",".join(map(date.isoformat, values)) + "}"
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        elif isinstance(value, bool):
            parts.append("t" if value else "f")
        elif isinstance(value, (int, date)):
            parts.append(value.isoformat() if isinstance(value, date) else str(value))
        else:
            parts.append('"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "{" + ",".join(parts) + "}"


def existing_keys(model, fields: tuple[str, ...], keys: set[tuple]) -> set[tuple]:
    """Which of ``keys`` (tuples of values for ``fields``, e.g. activity, volunteer, date) already exist.

    On PostgreSQL one query probes an index once per key (a lateral join with LIMIT 1, so the planner cannot
    turn it into a scan of the whole table when its statistics are young); the cost follows the batch, not the
    table. The fallback filters each field by IN and compares in Python."""
    if not keys:
        return set()
    conn = connection
    if conn.vendor != "postgresql":
        queryset = model._default_manager.using(conn.alias)
        for n, name in enumerate(fields):
            queryset = queryset.filter(**{f"{name}__in": {k[n] for k in keys}})
        return set(queryset.values_list(*fields)) & keys
    opts = model._meta
    columns = [opts.get_field(name) for name in fields]
    types = [f.db_type(conn) if not f.is_relation else f.target_field.rel_db_type(conn) for f in columns]
    ordered = list(keys)
    arrays = [_array([k[n] for k in ordered]) for n in range(len(fields))]
    quote = conn.ops.quote_name
    unnest = ", ".join(f"%s::{t.split('(')[0]}[]" for t in types)
    names = ", ".join(f"k{n}" for n in range(len(fields)))
    match = " AND ".join(f"t.{quote(c.column)} = k.k{n}" for n, c in enumerate(columns))
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT {names} FROM unnest({unnest}) AS k({names}) CROSS JOIN LATERAL "
                       f"(SELECT 1 FROM {quote(opts.db_table)} t WHERE {match} LIMIT 1) AS found", arrays)
        return {tuple(row) for row in cursor.fetchall()}


def values_by_key(model, key: str, values, *fields: str) -> list[tuple]:
    """``(key, *fields)`` of the rows whose ``key`` is one of ``values``: one array parameter on PostgreSQL
    instead of thousands of placeholders."""
    values = list(values)
    if not values:
        return []
    conn = connection
    if conn.vendor != "postgresql":
        return list(model._default_manager.using(conn.alias).filter(**{f"{key}__in": values}).values_list(
            key, *fields))
    opts = model._meta
    quote = conn.ops.quote_name
    column = opts.get_field(key)
    select = ", ".join(quote((opts.pk if f == "pk" else opts.get_field(f)).column) for f in (key, *fields))
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {quote(opts.db_table)} WHERE {quote(column.column)} = "
                       f"ANY(%s::{column.db_type(conn).split('(')[0]}[])", [_array(values)])
        return cursor.fetchall()
