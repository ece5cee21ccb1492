"""Benchmark: the volunteer admin on a region-scale database.

Fill a database first (PostgreSQL), then time the pages a region user opens every day:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/volunteer_scale
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py generate_scale_data --volunteers 1000000
    .venv/bin/python bench/admin_scale.py

Each page is requested through Django's test client (whole request: middleware, scoping, queries, template)
and the median of several runs is printed.
"""
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

RUNS = 7


def main():
    from accounts.roles import Role
    from accounts.services import staff_account_ensure
    from members import personal_data
    from members.models import Volunteer

    setup_test_environment()  # responses carry their template context (rows shown)
    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = True  # count queries
    total = Volunteer.objects.count()
    user, _ = staff_account_ensure(username="bench_region", role=Role.REGION_STAFF, scope_code="15")
    sample = Volunteer.objects.order_by("pk")[total // 2]
    id_number = personal_data.decrypt(sample.id_number_encrypted)
    client = Client()
    client.force_login(user)
    url = reverse("admin:members_volunteer_changelist")
    print(f"database: {connection.vendor}, volunteers: {total}")
    cases = [
        ("changelist, first page", {}),
        ("changelist, page 500", {"p": "500"}),
        ("changelist, one county", {"county": sample.division.code[:6]}),
        ("search by ID number", {"q": id_number}),
        ("search by name prefix", {"q": sample.name[:2]}),
    ]
    for label, params in cases:
        timings, queries = [], 0
        for _ in range(RUNS):
            reset_queries()
            started = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
            queries = len(connection.queries)
            assert response.status_code == 200, response.status_code
        shown = len(response.context["cl"].result_list)
        print(f"{label:<26} median {statistics.median(timings):7.0f} ms  max {max(timings):7.0f} ms  "
              f"{queries:3d} queries  {shown} rows shown")


if __name__ == "__main__":
    main()
