"""Large files are checked and imported by a Celery worker, with progress and a downloadable error report."""
import io
import time

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from accounts.roles import Role
from common.models import ImportJob
from members.admin import VolunteerAdmin
from members.models import Volunteer

from .test_volunteer_import import person_row, sheet


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(VolunteerAdmin, "excel_background_bytes", 1)


def _upload(client, rows):
    upload = io.BytesIO(sheet(rows))
    upload.name = "志愿者.xlsx"
    return client.post(reverse("admin:members_volunteer_excel_import"), {"file": upload})


@pytest.mark.django_db
def test_large_file_is_previewed_then_imported_in_the_background(client, make_staff, small_threshold, eager_celery,
                                                                  django_capture_on_commit_callbacks):
    user = make_staff(Role.COUNTY_STAFF, "150102")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, [person_row(n) for n in range(30)])
    preview = ImportJob.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/excel/job/{preview.pk}/")
    assert (preview.status, preview.phase, preview.total, preview.new) == ("done", "preview", 30, 30)
    assert not Volunteer.objects.exists()
    page = client.get(response.url).content.decode()
    assert "将新增 <strong>30</strong> 名志愿者" in page
    assert client.get(reverse("admin:members_volunteer_excel_job_status", args=[preview.pk])).json() == {
        "status": "done", "total": 30, "errors": 0}

    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(reverse("admin:members_volunteer_excel_job_confirm", args=[preview.pk]))
    job = ImportJob.objects.get(phase="import")
    assert confirm.url.endswith(f"/excel/job/{job.pk}/")
    assert (job.status, job.new) == ("done", 30)
    assert Volunteer.objects.count() == 30
    assert Volunteer.history.filter(history_user=user).count() == 30


@pytest.mark.django_db
def test_background_errors_are_listed_and_downloadable_and_only_for_their_owner(
        client, make_staff, small_threshold, eager_celery, django_capture_on_commit_callbacks):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    rows = [person_row(n) for n in range(5)]
    rows[3]["注册日期"] = "2022-02-30"
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, rows)
    job = ImportJob.objects.get()
    assert job.errors == [[5, "注册日期", "日期「2022-02-30」不存在：2022年2月没有30日。"]]
    report = openpyxl.load_workbook(io.BytesIO(
        client.get(reverse("admin:members_volunteer_excel_job_errors", args=[job.pk])).content)).active
    assert list(report.values) == [("行号", "列", "问题"), (5, "注册日期", "日期「2022-02-30」不存在：2022年2月没有30日。")]
    assert client.post(reverse("admin:members_volunteer_excel_job_confirm", args=[job.pk])).status_code == 403

    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    assert client.get(reverse("admin:members_volunteer_excel_job", args=[job.pk])).status_code == 404


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="需要 CELERY_BROKER_URL（Redis）")
def test_a_real_worker_runs_the_import(client, make_staff, small_threshold, celery_worker_session):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    _upload(client, [person_row(n) for n in range(12)])
    job = ImportJob.objects.get()
    for _ in range(120):
        job.refresh_from_db()
        if job.status in ("done", "failed"):
            break
        time.sleep(0.5)
    assert (job.status, job.total, job.errors) == ("done", 12, [])
    client.post(reverse("admin:members_volunteer_excel_job_confirm", args=[job.pk]))
    final = ImportJob.objects.get(phase="import")
    for _ in range(120):
        final.refresh_from_db()
        if final.status in ("done", "failed"):
            break
        time.sleep(0.5)
    assert final.status == "done" and Volunteer.objects.count() == 12
