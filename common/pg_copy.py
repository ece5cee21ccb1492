"""Bulk inserts through PostgreSQL's COPY, for the large imports: the rows and their history rows.

``bulk_create`` compiles an INSERT with one placeholder per value and simple-history builds a historical model
instance per row; COPY streams tab-separated text instead. Primary keys are drawn from the table's sequence
first, so the instances (and their history rows) know their ids, as after ``bulk_create``.
"""
from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

from django.db import connection
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


def _copy(table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_text(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN", buffer)


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
    _copy(opts.db_table, [f.column for f in fields],
          ([getattr(i, f.attname) for f in fields] for i in instances))

    history = model.history.model
    tracked = [f for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    now = timezone.now()
    user_id = user.pk if user is not None else None
    columns = [f.column for f in tracked] + ["history_date", "history_change_reason", "history_type",
                                              "history_user_id"]
    _copy(history._meta.db_table, columns,
          ([getattr(i, f.attname) for f in tracked] + [now, reason or None, "+", user_id] for i in instances))
