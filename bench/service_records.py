"""Benchmark: importing service records (志愿服务记录) at region scale, and recomputing star levels.

In a throw-away database on whatever DATABASE_URL points at (SQLite by default):
1. fills volunteers with ``generate_scale_data`` (default 100,000) and gives every county association a
   project with activities;
2. writes the records as monthly-sized workbooks (default 5 files × 200,000 rows = 1,000,000 records, each
   file under the 20 MB upload limit) and imports each through the same importer the admin uses (validation,
   volunteers by keyed hash, activities by name, 0.1 h check, duplicate checks, COPY with history on PostgreSQL);
3. recomputes star levels in SQL; with ``--star-volunteers`` it first tops the records up so that that many
   volunteers (default 1,000,000) have hours, to time the recompute at region scale.

Prints rows/s, queries and peak memory (RSS of this process).

    .venv/bin/python bench/service_records.py [--files 5 --rows 200000 --volunteers 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteer_platform .venv/bin/python bench/service_records.py
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

ACTIVITIES_PER_ASSOCIATION = 40


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def activities_create() -> list:
    from associations.models import Association
    from projects.models import Activity, Project

    projects = Project.objects.bulk_create([
        Project(association=a, name="社区志愿服务常态化项目", brand="community", domain="elderly", regular=True,
                started_on=date(2021, 1, 1))
        for a in Association.objects.filter(level="county")
    ])
    if projects and projects[0].pk is None:
        projects = list(Project.objects.all())
    start = date(2024, 1, 6)
    activities = [
        Activity(project=p, name=f"第{n + 1}次社区服务", held_on=start + timedelta(days=7 * n))
        for p in projects for n in range(ACTIVITIES_PER_ASSOCIATION)
    ]
    Activity.objects.bulk_create(activities)
    return list(Activity.objects.select_related("project__association__division").order_by("pk"))


def volunteers_by_county(id_numbers: dict) -> dict:
    """County code → [(ID number, name)] for the volunteers the scale data made (numbers kept in memory)."""
    from members.models import Volunteer

    grouped: dict[str, list] = {}
    for digest, name, code in Volunteer.objects.values_list("id_number_hash", "name", "division__code").iterator(
        chunk_size=20_000
    ):
        grouped.setdefault(code[:6], []).append((id_numbers[digest], name))
    return grouped


def workbook(rows: int, activities, people, rng, used) -> bytes:
    from openpyxl import Workbook

    from projects.importers import ServiceRecordImporter

    headers = ServiceRecordImporter(None).headers
    book = Workbook(write_only=True)
    sheet = book.create_sheet(ServiceRecordImporter.sheet_name)
    sheet.append(headers)
    hours = ["1", "1.5", "2", "2", "2.5", "3", "3.5", "4", "4.5", "6", "8"]
    made = 0
    while made < rows:
        activity = rng.choice(activities)
        county = activity.project.association.division.code
        number, name = rng.choice(people[county])
        key = (activity.pk, number)
        if key in used:
            continue
        used.add(key)
        sheet.append([activity.project.association.serial_number, activity.project.name, activity.name,
                      activity.held_on.isoformat(), number, name, None, rng.choice(hours), "已确认"])
        made += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def scale_numbers(volunteers: int) -> dict:
    """Fill volunteers and return keyed hash → ID number (recomputed the way the command draws them)."""
    from django.core.management import call_command

    from members import personal_data
    from members.models import Volunteer

    call_command("generate_scale_data", volunteers=volunteers, stdout=io.StringIO())
    numbers = {}
    for pk, encrypted, digest in Volunteer.objects.values_list("pk", "id_number_encrypted", "id_number_hash").iterator(
        chunk_size=20_000
    ):
        numbers[digest] = personal_data.decrypt(encrypted)
    return numbers


def top_up(star_volunteers: int, activities) -> None:
    """SQL-generated confirmed records so that ``star_volunteers`` volunteers have hours (many past 100 h)."""
    from members.models import Volunteer
    from projects.models import ServiceRecord

    missing = star_volunteers - Volunteer.objects.count()
    if missing > 0:
        from django.core.management import call_command

        call_command("generate_scale_data", volunteers=missing, stdout=io.StringIO())
    first = activities[0]
    records = ServiceRecord._meta.db_table
    with connection.cursor() as cursor:
        # Twelve confirmed records of 1–24 h for every volunteer (0–288 h in all, most past 100 h), at twelve
        # activities of the first association.
        for n in range(12):
            activity = activities[n]
            cursor.execute(
                f"INSERT INTO {records} (volunteer_id, activity_id, association_id, served_on, hours, status, "
                f"recorded_at) SELECT v.id, %s, %s, %s, 1 + (v.id * 7 + %s) %% 24, 'confirmed', %s "
                f"FROM members_volunteer v ON CONFLICT DO NOTHING",
                [activity.pk, first.project.association_id, activity.held_on, n * 3, activity.held_on],
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--rows", type=int, default=200_000, help="rows per workbook")
    parser.add_argument("--volunteers", type=int, default=100_000)
    parser.add_argument("--star-volunteers", type=int, default=1_000_000)
    args = parser.parse_args()
    with throwaway_database():
        from accounts.roles import Role
        from accounts.tests.factories import staff_user
        from common.excel import iter_sheet
        from members.models import Volunteer, VolunteerStar
        from members.services import star_levels_recompute
        from projects.importers import ServiceRecordImporter
        from projects.models import ServiceRecord

        print(machine_reference())
        started = time.perf_counter()
        numbers = scale_numbers(args.volunteers)
        activities = activities_create()
        people = volunteers_by_county(numbers)
        activities = [a for a in activities if a.project.association.division.code in people]
        print(f"setup: {len(numbers)} volunteers, {len(activities)} activities in {time.perf_counter() - started:.0f} s; "
              f"database: {connection.vendor}")
        user = staff_user(Role.REGION_STAFF, "15")
        rng, used = random.Random(11), set()
        total_rows, total_time, total_queries = 0, 0.0, 0
        for n in range(args.files):
            started = time.perf_counter()
            content = workbook(args.rows, activities, people, rng, used)
            made = time.perf_counter() - started
            started = time.perf_counter()  # end to end: from the uploaded bytes to the committed rows
            with CaptureQueriesContext(connection) as queries:
                headers, rows = iter_sheet(content, sheet_name=ServiceRecordImporter.sheet_name,
                                           max_rows=ServiceRecordImporter.max_rows)
                report = ServiceRecordImporter(user).run(headers, rows, dry_run=False)
            elapsed = time.perf_counter() - started
            assert report.ok, report.errors[:5]
            total_rows, total_time, total_queries = total_rows + report.new, total_time + elapsed, total_queries + len(
                queries)
            print(f"file {n + 1}: {len(content) / 1024 / 1024:5.1f} MB (written in {made:4.1f} s), imported "
                  f"{report.new} rows in {elapsed:5.1f} s = {report.new / elapsed:7.0f} rows/s, {len(queries)} queries, "
                  f"peak RSS {rss_mb():5.0f} MB")
        assert ServiceRecord.objects.count() == total_rows == ServiceRecord.history.count()
        if total_rows:
            print(f"service records: {total_rows} rows in {total_time:.1f} s = {total_rows / total_time:.0f} rows/s "
                  f"end-to-end (read, validate, write with history), {total_queries} queries, "
                  f"peak RSS {rss_mb():.0f} MB")
            if connection.vendor == "postgresql":
                ceiling = copy_ceiling(ServiceRecord)
                print(f"COPY alone into a table of the same shape (no checks, no history): {ceiling:.0f} rows/s; "
                      f"the import reaches {total_rows / total_time / ceiling:.0%} of it")

        started = time.perf_counter()
        result = star_levels_recompute()
        print(f"star recompute over {total_rows} records: {time.perf_counter() - started:.1f} s, "
              f"{result['added']} stars added")
        if args.star_volunteers:
            started = time.perf_counter()
            top_up(args.star_volunteers, activities)
            count, records = Volunteer.objects.count(), ServiceRecord.objects.count()
            print(f"top-up to {count} volunteers, {records} records in {time.perf_counter() - started:.0f} s")
            started = time.perf_counter()
            result = star_levels_recompute()
            print(f"star recompute at {count} volunteers / {records} records: {time.perf_counter() - started:.1f} s, "
                  f"{result['added']} stars added, {VolunteerStar.objects.count()} in all")
            started = time.perf_counter()
            result = star_levels_recompute()
            print(f"star recompute again (nothing new): {time.perf_counter() - started:.1f} s, "
                  f"{result['added']} added")


if __name__ == "__main__":
    main()
