"""What the benchmarks share: a throw-away test database on whatever DATABASE_URL points at (SQLite by default),
a reference figure for the machine, and the COPY ceiling of a table."""
from contextlib import contextmanager

from django.db import connection
from django.test.utils import setup_test_environment


@contextmanager
def throwaway_database():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def machine_reference() -> str:
    """How fast this machine runs plain Python, printed beside every figure so that runs on different machines
    can be compared: the same work takes three times as long on a core three times slower."""
    import os
    import time

    started = time.perf_counter()
    total = 0
    for n in range(10_000_000):
        total += n
    return (f"machine: {os.cpu_count()} cores; a 10,000,000-step Python loop takes "
            f"{time.perf_counter() - started:.2f} s here")


def copy_ceiling(model, rows: int = 200_000) -> float:
    """Rows per second that COPY alone reaches into a table shaped like ``model``'s (same columns and
    indexes, no foreign keys, no history, nothing checked), with rows copied from ``model``'s own table: the
    ceiling that any import of that table is measured against. A real (logged) table, dropped again by the
    rollback."""
    import io
    import time

    from django.db import connection, transaction

    table = connection.ops.quote_name(model._meta.db_table)
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY (SELECT * FROM {table} LIMIT {rows}) TO STDOUT", buffer)
    count = buffer.getvalue().count(b"\n")
    buffer.seek(0)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_copy_ceiling (LIKE {table} INCLUDING ALL)")
            started = time.perf_counter()
            cursor.cursor.copy_expert("COPY bench_copy_ceiling FROM STDIN", buffer, size=len(buffer.getvalue()))
            elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return count / elapsed
