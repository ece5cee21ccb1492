"""A snapshot run finished in another process is what every web process shows next, with its time and version."""
from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.roles import Role
from associations.tests.factories import association
from divisions.models import Division
from reports.models import SnapshotRun
from reports.services import snapshots_compute

pytestmark = pytest.mark.django_db

END_2020 = date(2020, 12, 31)


def cache_of(process: str):
    """The cache a process would have on its own: LocMemCache instances with different locations share nothing."""
    return override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                 "LOCATION": f"freshness-{process}"}})


def t1_now(client) -> tuple:
    data = client.get(reverse("reports:data", args=["15"]), {"as_of": "2020-12-31"}).json()
    t1 = next(t for t in data["targets"] if t["code"] == "T1")
    return t1["now"]["numerator"], data["version"], data["computed_at"]


def test_a_run_in_another_process_shows_at_once(client, make_staff, django_capture_on_commit_callbacks):
    codes = list(Division.objects.counties().order_by("code").values_list("code", flat=True))
    for code in codes[:10]:
        association(code, founded_on=date(2020, 6, 1))
    client.force_login(make_staff(Role.OFFICIAL, "15"))
    with cache_of("worker"):
        snapshots_compute([END_2020])
    first = SnapshotRun.objects.get()
    with cache_of("web"):
        assert t1_now(client)[:2] == (10, first.short_version)  # read and kept in the web process's cache
        page = client.get(reverse("reports:division", args=["15"]), {"as_of": "2020-12-31"}).content.decode()
        assert f"数据版本 <code>{first.short_version}</code>" in page and "统计快照计算于" in page

    for code in codes[10:20]:
        association(code, founded_on=date(2020, 6, 1))
    with cache_of("worker"):  # the nightly job, in the worker: the web process's cache is not touched
        snapshots_compute([END_2020])
    second = SnapshotRun.objects.latest("pk")
    assert second.version != first.version and second.dates == ["2020-12-31"] and second.rows == 116 * 25

    with cache_of("web"):  # the same, already running web process: the new figures, no restart
        numerator, version, computed_at = t1_now(client)
        assert (numerator, version) == (20, second.short_version)
        assert computed_at.startswith(second.finished_at.date().isoformat())
        page = client.get(reverse("reports:division", args=["15"]), {"as_of": "2020-12-31"}).content.decode()
        assert f"数据版本 <code>{second.short_version}</code>" in page
        assert f"数据版本 <code>{first.short_version}</code>" not in page
        card = page[page.index('data-target="T1"'):page.index('data-target="T1"') + 1500]
        assert "20/103" in card


def test_a_live_reading_says_so_and_names_no_version(client, make_staff):
    association("150102", founded_on=date(2020, 6, 1))
    client.force_login(make_staff(Role.OFFICIAL, "15"))
    data = client.get(reverse("reports:data", args=["15"]), {"as_of": "2020-12-31"}).json()
    assert data["live"] is True and data["computed_at"] is None
    page = client.get(reverse("reports:division", args=["15"]), {"as_of": "2020-12-31"}).content.decode()
    assert "所选日期尚无统计快照，以下为实时计算结果。" in page and "统计快照计算于" not in page
