"""Benchmark: the association ledger through Excel at 5,000 rows.

Generates a realistic ledger workbook (current and dissolved associations across the 103 counties), then
measures reading, the dry-run preview, the real import (bulk, with history) and the four-sheet export, each
with its query count and peak Python memory. Runs in a throw-away test database on whatever DATABASE_URL
points at (SQLite by default):

    .venv/bin/python bench/ledger_excel.py [--rows 5000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteer_platform .venv/bin/python bench/ledger_excel.py
"""
import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from datetime import date, timedelta  # noqa: E402

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.throwaway import throwaway_database  # noqa: E402


def measure(label, func, rows, *, memory=True):
    """Time (without tracing, which slows Python several-fold), then peak traced memory in a second run when
    the step can be repeated without side effects."""
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = func()
    elapsed = time.perf_counter() - started
    peak_text = "       —"
    if memory:
        tracemalloc.start()
        func()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_text = f"{peak / 1024 / 1024:7.1f} MB"
    print(f"{label:<28} {elapsed * 1000:8.0f} ms  {rows / elapsed:9.0f} rows/s  {len(queries):5d} queries  "
          f"{peak_text} peak")
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    with throwaway_database():
        from accounts.roles import Role
        from accounts.tests.factories import staff_user
        from associations.exports import ledger_workbook
        from associations.importers import LedgerImporter
        from associations.models import Association
        from associations.tests.workbooks import county_row, workbook
        from common.excel import iter_sheet
        from divisions.models import Division

        user = staff_user(Role.REGION_STAFF, "15")
        counties = list(Division.objects.counties().select_related("parent__parent"))
        rows = []
        for i in range(args.rows):
            county = counties[i % len(counties)]
            current = i < len(counties)
            founded = date(2005, 1, 1) + timedelta(days=(i * 37) % 5000)
            rows.append(county_row(
                county,
                成立日期=founded.isoformat(),
                注销日期=None if current else (founded + timedelta(days=400)).isoformat(),
                确定为团委主管的日期=founded.strftime("%Y/%-m/%-d"),
                登记日期=f"{founded.year}年{founded.month}月{founded.day}日",
                备注=f"第{i + 1}条记录",
            ))
        content = workbook(rows)
        print(f"workbook: {args.rows} rows, {len(content) / 1024:.0f} KB, database: {connection.vendor}")

        def run(dry_run):
            headers, rows = iter_sheet(content, max_rows=args.rows)
            return LedgerImporter(user).run(headers, rows, dry_run=dry_run)

        measure("read .xlsx", lambda: list(iter_sheet(content, max_rows=args.rows)[1]), args.rows)
        report = measure("preview (dry run)", lambda: run(True), args.rows)
        assert report.ok, report.errors[:5]
        report = measure("import (bulk, with history)", lambda: run(False), args.rows, memory=False)
        assert report.ok and Association.objects.count() == args.rows
        assert Association.history.count() == args.rows
        exported = measure("export (4 sheets)", lambda: ledger_workbook(Association.objects.all(), user=user, as_of=date.today()), args.rows)
        print(f"export file: {len(exported) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
