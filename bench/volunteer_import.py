"""Benchmark: importing a region-scale volunteer workbook.

Generates a realistic workbook (names, valid ID numbers across Inner Mongolia's townships, ethnicity,
political status, phones, registration dates), then measures reading, the dry-run preview and the real import
(validation, encryption, keyed hashes, bulk writes with history) in a throw-away test database on whatever
DATABASE_URL points at (SQLite by default). Prints rows/s and peak memory (RSS of this process).

    .venv/bin/python bench/volunteer_import.py [--rows 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteer_platform .venv/bin/python bench/volunteer_import.py
"""
import argparse
import io
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.throwaway import copy_ceiling, machine_reference, throwaway_database  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = ["志强", "丽娟", "晓东", "敏", "乌云", "其其格", "巴图", "宝音", "那日苏", "斯琴", "娜仁", "图雅", "鹏", "婷", "浩"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workbook(rows: int) -> bytes:
    from openpyxl import Workbook
    from stdnum.cn import ric

    from divisions.models import Division
    from members.importers import VolunteerImporter

    rng = random.Random(7)
    townships = list(Division.objects.townships().values_list("code", "name"))
    headers = VolunteerImporter(None).headers
    book = Workbook(write_only=True)
    sheet = book.create_sheet("注册志愿者")
    sheet.append(headers)
    used: set[str] = set()
    for n in range(rows):
        code, name = rng.choice(townships)
        while True:  # one person, one number
            birth = date(1975, 1, 1) + timedelta(days=rng.randrange(365 * 30))
            base = f"{code[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            if base not in used:
                used.add(base)
                break
        values = {
            "姓名": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "身份证号码": base + ric.calc_check_digit(base + "0"),
            "区划代码": code,
            "所属区划": name,
            "民族": rng.choice(["汉族", "汉族", "蒙古族", "回族", "满族"]),
            "政治面貌": rng.choice(["中国共产主义青年团团员", "群众", "中国共产党党员"]),
            "手机号码": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            "技能特长/专业领域": rng.choice(["", "应急救护", "心理疏导", "支教", "文艺"]),
            "注册日期": (birth + timedelta(days=365 * 19 + rng.randrange(2000))).isoformat(),
        }
        sheet.append([values.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--peer-default-rows", type=int, default=10_000,
                        help="rows for django-import-export with its defaults (it is about 30 times slower)")
    args = parser.parse_args()
    with throwaway_database():
        from accounts.roles import Role
        from accounts.tests.factories import staff_user
        from common.excel import iter_sheet
        from members.importers import VolunteerImporter
        from members.models import Volunteer

        print(machine_reference())
        user = staff_user(Role.REGION_STAFF, "15")
        started = time.perf_counter()
        content = workbook(args.rows)
        print(f"workbook: {args.rows} rows, {len(content) / 1024 / 1024:.1f} MB, generated in "
              f"{time.perf_counter() - started:.1f} s; database: {connection.vendor}")

        started = time.perf_counter()
        headers, rows = iter_sheet(content, sheet_name="注册志愿者", max_rows=args.rows)
        count = sum(1 for _ in rows)
        elapsed = time.perf_counter() - started
        print(f"{'read (calamine)':<32} {elapsed:7.1f} s  {count / elapsed:9.0f} rows/s")

        for label, dry_run in (("preview (dry run)", True), ("import (encrypt, history)", False)):
            started = time.perf_counter()  # end to end: from the uploaded bytes to the committed rows
            with CaptureQueriesContext(connection) as queries:
                headers, rows = iter_sheet(content, sheet_name="注册志愿者", max_rows=args.rows)
                report = VolunteerImporter(user).run(headers, rows, dry_run=dry_run)
            elapsed = time.perf_counter() - started
            assert report.ok, report.errors[:5]
            print(f"{label:<32} {elapsed:7.1f} s  {args.rows / elapsed:9.0f} rows/s  {len(queries):6d} queries  "
                  f"peak RSS {rss_mb():6.0f} MB")
        assert Volunteer.objects.count() == args.rows
        assert Volunteer.history.count() == args.rows
        ours = args.rows / elapsed
        if connection.vendor == "postgresql":
            ceiling = copy_ceiling(Volunteer, args.rows)
            print(f"COPY alone into a table of the same shape (no checks, no encryption, no history): "
                  f"{ceiling:.0f} rows/s; the import reaches {ours / ceiling:.0%} of it")
        compare_with_peer(content, args, ours)


def _empty_volunteers():
    from members.models import Volunteer

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Volunteer._meta.db_table}, {Volunteer.history.model._meta.db_table} CASCADE")
    else:
        Volunteer.history.all().delete()
        Volunteer.objects.all().delete()


def compare_with_peer(content: bytes, args, ours: float) -> None:
    """The same workbook through django-import-export, defaults and tuned (bench/import_export_peer.py)."""
    from bench import import_export_peer

    if not import_export_peer.available():
        print("django-import-export: not installed (.venv/bin/pip install -r requirements-bench.txt)")
        return
    for label, tuned, rows in (("django-import-export, defaults", False, min(args.peer_default_rows, args.rows)),
                               ("django-import-export, tuned (no history)", True, args.rows)):
        _empty_volunteers()
        elapsed, written = import_export_peer.run(content, tuned=tuned, rows=rows)
        assert written == rows, (written, rows)
        rate = rows / elapsed
        print(f"{label:<42} {rows:7d} rows {elapsed:7.1f} s  {rate:9.0f} rows/s  peak RSS {rss_mb():6.0f} MB  "
              f"the platform's import is {ours / rate:.1f}x as fast")


if __name__ == "__main__":
    main()
