"""Benchmark: the snapshot job and the dashboard's server time at region scale.

In a throw-away database on whatever DATABASE_URL points at (PostgreSQL for the figures in the README):
1. ``generate_scale_data`` fills the volunteers (default 1,000,000, with members and rosters) and the demo
   ledger; every county association gets a project and activities, and SQL adds the service records
   (default 10,000,000, confirmed, spread over 2021–today) and some training;
2. times the snapshot job for every division × today and the 4 target deadlines (target: under 60 s);
3. times the dashboard pages and the data endpoint as a region official (server time through Django's test
   client, the whole middleware stack) against a trivial login-protected view in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteer_bench .venv/bin/python bench/snapshots.py
    (options: --volunteers 1000000 --records 10000000 --repeat 50)
"""
import argparse
import io
import os
import statistics
import sys
import time
import types
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.throwaway import throwaway_database  # noqa: E402


def fill(volunteers: int, records: int) -> None:
    from django.core.management import call_command

    from associations.models import Association
    from members.models import Volunteer
    from projects.models import Activity, Project, ServiceRecord
    from training.models import TrainingSession

    started = time.perf_counter()
    call_command("generate_scale_data", volunteers=volunteers, stdout=io.StringIO())
    print(f"volunteers: {Volunteer.objects.count()} in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    associations = list(Association.objects.filter(level="county"))
    Project.objects.bulk_create([Project(association=a, name="社区志愿服务常态化项目", brand="community",
                                         domain="elderly", regular=True, started_on=date(2021, 1, 1))
                                 for a in associations])
    activities = []
    for project in Project.objects.all():
        for year in range(2021, date.today().year + 1):
            for month, day in ((3, 5), (5, 4), (7, 1), (9, 1), (12, 5)):
                if date(year, month, day) <= date.today():
                    activities.append(Activity(project=project, name=f"{month}月{day}日服务", held_on=date(year, month, day),
                                               key_date=f"{month:02d}-{day:02d}" if (month, day) != (7, 1) and (month, day) != (9, 1) else ""))
    Activity.objects.bulk_create(activities)
    TrainingSession.objects.bulk_create([TrainingSession(title=f"{y}年骨干培训", organiser=a, kind="backbone",
                                                         started_on=date(y, 4, 1))
                                         for a in associations for y in range(2021, date.today().year + 1)])
    table = ServiceRecord._meta.db_table
    with connection.cursor() as cursor:
        # Each volunteer serves at activities of the association of the county they live in.
        cursor.execute("CREATE TEMP TABLE bench_activity AS SELECT a.id, a.held_on, p.association_id, d.code AS county, "
                       "row_number() OVER (PARTITION BY d.code ORDER BY a.id) - 1 AS n, "
                       "count(*) OVER (PARTITION BY d.code) AS per_county "
                       "FROM projects_activity a JOIN projects_project p ON p.id = a.project_id "
                       "JOIN associations_association s ON s.id = p.association_id "
                       "JOIN divisions_division d ON d.id = s.division_id")
        cursor.execute("CREATE INDEX ON bench_activity (county, n)")
        cursor.execute("CREATE TEMP TABLE bench_volunteer AS SELECT v.id, substr(d.code, 1, 6) AS county, "
                       "row_number() OVER (ORDER BY v.id) AS r FROM members_volunteer v "
                       "JOIN divisions_division d ON d.id = v.division_id")
        per_volunteer = max(1, records // max(1, volunteers))
        cursor.execute(
            f"INSERT INTO {table} (volunteer_id, activity_id, association_id, served_on, hours, status, recorded_at) "
            f"SELECT v.id, a.id, a.association_id, a.held_on, 1 + ((v.r + k) %% 7), 'confirmed', now() "
            f"FROM bench_volunteer v CROSS JOIN generate_series(0, %s - 1) k "
            f"JOIN bench_activity a ON a.county = v.county AND a.n = (v.r * 7 + k * 13) %% a.per_county "
            f"ON CONFLICT DO NOTHING",
            [per_volunteer],
        )
        cursor.execute("ANALYZE")
    print(f"service records: {ServiceRecord.objects.count()} in {time.perf_counter() - started:.0f} s")


def timed(client, url, repeat: int) -> list[float]:
    client.get(url)  # warm caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with throwaway_database():
        from django.contrib.auth.decorators import login_required, permission_required
        from django.http import HttpResponse
        from django.test import Client, override_settings
        from django.urls import include, path

        from accounts.roles import Role
        from accounts.tests.factories import staff_user
        from reports.models import MetricSnapshot, Target
        from reports.services import snapshots_compute
        from reports.views import VIEW_PERMISSION

        fill(args.volunteers, args.records)
        dates = sorted({date.today(), *Target.objects.filter(active=True).values_list("deadline", flat=True)})
        for run in (1, 2):
            started = time.perf_counter()
            rows = snapshots_compute(dates)
            print(f"snapshot job run {run}: {len(dates)} dates × every division: {rows} rows in "
                  f"{time.perf_counter() - started:.1f} s ({connection.vendor})")
        assert MetricSnapshot.objects.count() == rows

        urls = types.ModuleType("bench_urls")
        def trivial(request):
            return HttpResponse("ok")

        urls.urlpatterns = [
            path("trivial/", login_required(trivial)),
            path("trivial-permission/", login_required(permission_required(VIEW_PERMISSION)(trivial))),
            path("", include("config.urls")),
        ]
        sys.modules["bench_urls"] = urls
        with override_settings(ROOT_URLCONF="bench_urls", DEBUG=False):
            client = Client()
            client.force_login(staff_user(Role.OFFICIAL, "15"))
            results = {
                "trivial view (login required)": timed(client, "/trivial/", args.repeat),
                "trivial view (+ same permission)": timed(client, "/trivial-permission/", args.repeat),
                "dashboard page, region": timed(client, "/dashboard/d/15/", args.repeat),
                "data endpoint, region": timed(client, "/dashboard/d/15/data.json", args.repeat),
                "dashboard page, a league": timed(client, "/dashboard/d/1504/", args.repeat),
                "county page (体检)": timed(client, "/dashboard/county/150402/", args.repeat),
            }
        base = statistics.median(results["trivial view (login required)"])
        same = statistics.median(results["trivial view (+ same permission)"])
        for label, times in results.items():
            p50 = statistics.median(times)
            print(f"{label:<34} p50 {p50:6.1f} ms  p95 {sorted(times)[int(len(times) * 0.95) - 1]:6.1f} ms  "
                  f"{p50 / base:4.1f}× login-only view  {p50 / same:4.1f}× same-permission view")


if __name__ == "__main__":
    main()
