"""重新计算 as a job: submitted in the admin, its progress reported date by date, its outcome kept; one at a time;
a job nobody works on any more is shown as interrupted; the broker down leaves a failed job and the old figures;
only those who may recompute see a job. Through a real worker where one is configured."""
import time
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from associations.tests.factories import association
from reports.models import MetricSnapshot, SnapshotJob, SnapshotRun
from reports.services import snapshot_dates, snapshots_compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def region(client, make_staff):
    client.force_login(make_staff(Role.REGION_STAFF, "15"))
    return client


def test_progress_is_reported_after_every_date():
    association("150102", founded_on=date(2020, 6, 1))
    seen = []
    dates = [date(2020, 12, 31), date(2021, 12, 31), date(2022, 12, 31)]
    rows = snapshots_compute(dates, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert rows == MetricSnapshot.objects.count() and SnapshotRun.objects.get().dates == [d.isoformat() for d in dates]


def test_recompute_submits_a_job_and_its_page_reports_the_outcome(region, eager_celery):
    association("150102", founded_on=date(2020, 6, 1))
    response = region.post(reverse("admin:reports_metricsnapshot_recompute"))
    job = SnapshotJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:reports_metricsnapshot_job",
                                                                          args=[job.pk])
    total = len(snapshot_dates())
    assert (job.status, job.dates_done, job.dates_total) == ("done", total, total)
    assert job.run == SnapshotRun.objects.get() and job.message == f"共 {job.run.rows} 条快照。"
    page = region.get(response["Location"]).content.decode()
    assert f"计算完成：{total} 个截至日期，共 {job.run.rows} 条快照。数据版本 {job.run.short_version}" in page
    assert region.get(reverse("admin:reports_metricsnapshot_job_status", args=[job.pk])).json() == {
        "status": "done", "label": "计算完成", "done": total, "total": total, "message": job.message}
    listing = region.get(reverse("admin:reports_metricsnapshot_changelist")).content.decode()
    assert "最近一次重新计算：" in listing and reverse("admin:reports_metricsnapshot_job", args=[job.pk]) in listing


def test_one_job_at_a_time_and_a_stale_one_is_given_up(region, make_staff, eager_celery):
    running = SnapshotJob.objects.create(status="running", dates_total=8, dates_done=3, heartbeat_at=timezone.now())
    response = region.post(reverse("admin:reports_metricsnapshot_recompute"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:reports_metricsnapshot_job", args=[running.pk])
    page = response.content.decode()
    assert "已有一次重新计算正在进行，完成后再提交。" in page and "已完成 <span data-job-field=\"done\">3</span>" in page
    assert SnapshotJob.objects.count() == 1 and not SnapshotRun.objects.exists()

    SnapshotJob.objects.filter(pk=running.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=16))
    region.post(reverse("admin:reports_metricsnapshot_recompute"))
    running.refresh_from_db()
    assert running.status == "failed" and running.message.startswith("计算中断（后台任务服务已停止或重启）")
    assert SnapshotJob.objects.count() == 2 and SnapshotJob.objects.first().status == "done"


def test_a_failing_computation_fails_its_job_and_writes_nothing(region, eager_celery, monkeypatch):
    from reports import services

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(services, "snapshots_rows", broken)  # a defect in the measurement, not in our database
    response = region.post(reverse("admin:reports_metricsnapshot_recompute"), follow=True)
    job = SnapshotJob.objects.get()
    assert job.status == "failed" and job.message == "计算失败（ZeroDivisionError），未写入新的快照，看板仍显示上一次的结果。"
    assert job.message in response.content.decode() and 'value="重新提交"' in response.content.decode()
    assert not MetricSnapshot.objects.exists() and not SnapshotRun.objects.exists()


@pytest.mark.parametrize("role,code,expected", [
    ("region", "15", 200), ("league", "1501", 403), ("county", "150102", 403), ("secretariat", "150102", 403),
    ("official", "15", 403), ("none", None, 403), ("anonymous", None, 302),
])
def test_only_those_who_may_recompute_see_a_job(client, make_staff, eager_celery, role, code, expected):
    job = SnapshotJob.objects.create(status="done", dates_total=8, dates_done=8, finished_at=timezone.now())
    roles = {"region": Role.REGION_STAFF, "league": Role.LEAGUE_STAFF, "county": Role.COUNTY_STAFF,
             "secretariat": Role.SECRETARIAT, "official": Role.OFFICIAL}
    if role == "secretariat":
        client.force_login(make_staff(Role.SECRETARIAT, code, association=association(code)))
    elif role in roles:
        client.force_login(make_staff(roles[role], code))
    elif role == "none":
        client.force_login(make_staff(None, None))
    for name in ("admin:reports_metricsnapshot_job", "admin:reports_metricsnapshot_job_status"):
        assert client.get(reverse(name, args=[job.pk])).status_code == expected, name
    before = SnapshotJob.objects.count()
    client.post(reverse("admin:reports_metricsnapshot_recompute"))
    assert SnapshotJob.objects.count() == before + (1 if role == "region" else 0)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="需要 CELERY_BROKER_URL（Redis）")
def test_a_real_worker_runs_the_job_while_the_page_polls(celery_worker_session, make_staff, client):
    association("150102", founded_on=date(2020, 6, 1))
    client.force_login(make_staff(Role.REGION_STAFF, "15"))
    response = client.post(reverse("admin:reports_metricsnapshot_recompute"))
    assert response.status_code == 302
    job = SnapshotJob.objects.get()
    status_url = reverse("admin:reports_metricsnapshot_job_status", args=[job.pk])
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = client.get(status_url).json()
        seen.append((state["status"], state["done"]))
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert seen[-1] == ("done", len(snapshot_dates())), seen
    assert SnapshotRun.objects.get() == SnapshotJob.objects.get().run
