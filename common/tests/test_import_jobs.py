"""Import jobs survive what happens to real systems: a double click, a killed worker, a broker that is down."""
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from common.models import ImportJob
from members.admin import VolunteerAdmin
from members.models import Volunteer
from members.tests.test_volunteer_import import person_row, sheet

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(VolunteerAdmin, "excel_background_bytes", 1)


def _upload(client, rows, name="志愿者.xlsx"):
    upload = io.BytesIO(sheet(rows))
    upload.name = name
    return client.post(reverse("admin:members_volunteer_excel_import"), {"file": upload})


@pytest.mark.django_db
def test_confirming_a_preview_twice_imports_it_once(client, make_staff, small_threshold, eager_celery,
                                                    django_capture_on_commit_callbacks):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, [person_row(n) for n in range(10)])
    preview = ImportJob.objects.get()
    url = reverse("admin:members_volunteer_excel_job_confirm", args=[preview.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, follow=True)
    job = ImportJob.objects.get(phase="import")
    assert first.url == second.redirect_chain[0][0] == reverse("admin:members_volunteer_excel_job", args=[job.pk])
    assert "该文件已经确认导入，不会重复导入。" in second.content.decode()
    assert (job.status, job.new) == ("done", 10) and Volunteer.objects.count() == 10


@pytest.mark.django_db
def test_a_direct_confirmation_sent_twice_imports_once_and_is_listed_as_a_job(client, make_staff):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    preview = _upload(client, [person_row(n) for n in range(3)])
    token = preview.context["token"]
    url = reverse("admin:members_volunteer_excel_confirm")
    client.post(url, {"token": token})
    again = client.post(url, {"token": token}, follow=True)
    assert "该文件已经导入或已过期，请重新上传。" in again.content.decode()
    assert Volunteer.objects.count() == 3
    job = ImportJob.objects.get()
    assert (job.phase, job.status, job.new, job.filename) == ("import", "done", 3, "志愿者.xlsx")


@pytest.mark.django_db
def test_a_job_whose_worker_went_silent_is_failed_and_can_be_run_again(client, make_staff, small_threshold,
                                                                        eager_celery,
                                                                        django_capture_on_commit_callbacks):
    user = make_staff(Role.COUNTY_STAFF, "150102")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, [person_row(n) for n in range(4)])
    preview = ImportJob.objects.get()
    # confirmed, then its worker killed mid-import: running, its transaction gone, silent for eleven minutes
    job = ImportJob.objects.create(user=user, model_label="members.Volunteer", filename=preview.filename,
                                   stored_path=preview.stored_path, phase="import", status="running",
                                   heartbeat_at=timezone.now() - timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):  # confirming again while it "runs" starts nothing
        client.post(reverse("admin:members_volunteer_excel_job_confirm", args=[preview.pk]))
    assert ImportJob.objects.count() == 2
    page = client.get(reverse("admin:members_volunteer_excel_job", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and job.message == ImportJob.WORKER_LOST
    assert "重新执行" in page and ImportJob.WORKER_LOST in page

    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(reverse("admin:members_volunteer_excel_job_retry", args=[job.pk]))
    rerun = ImportJob.objects.exclude(pk__in=[job.pk, preview.pk]).get()
    assert retried.url == reverse("admin:members_volunteer_excel_job", args=[rerun.pk])
    assert (rerun.phase, rerun.status, rerun.new) == ("import", "done", 4) and Volunteer.objects.count() == 4


@pytest.mark.django_db
def test_a_recent_heartbeat_is_left_running():
    from accounts.tests.factories import staff_user

    job = ImportJob.objects.create(user=staff_user(Role.COUNTY_STAFF, "150102"), model_label="members.Volunteer",
                                   filename="a.xlsx", stored_path="imports/a.xlsx", status="running",
                                   heartbeat_at=timezone.now() - timedelta(minutes=3))
    assert ImportJob.reap() == 0
    assert ImportJob.reap(now=timezone.now() + timedelta(minutes=8)) == 1
    job.refresh_from_db()
    assert job.status == "failed"


@pytest.mark.django_db
def test_a_broker_that_cannot_be_reached_fails_the_upload_with_a_message(client, make_staff, small_threshold,
                                                                         monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    """The broker's failure as kombu reports it (the timing with a real dead address is the next test)."""
    from kombu.exceptions import OperationalError

    from common.tasks import excel_import_run

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(excel_import_run, "apply_async", refuse)
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, [person_row(n) for n in range(3)])
    job = ImportJob.objects.get()
    assert (job.status, job.message) == ("failed", ImportJob.BROKER_DOWN)
    page = client.get(response.url).content.decode()
    assert "后台任务服务暂时无法连接" in page and "重新执行" in page
    assert not Volunteer.objects.exists()


@pytest.mark.parametrize("broker", ["redis://127.0.0.1:1/0", "redis://10.255.255.1:6379/0"])
def test_queueing_to_a_dead_broker_answers_within_two_seconds(broker):
    """A separate process with the production kind of settings (a broker, not in-process tasks): a refused port,
    and an address that never answers."""
    script = ("import time, django; django.setup()\n"
              "from common.tasks import send, import_jobs_reap\n"
              "t = time.monotonic(); ok = send(import_jobs_reap); print(ok, round(time.monotonic() - t, 2))\n")
    env = {**os.environ, "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker,
           "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    ok, seconds = result.stdout.split()
    assert ok == "False", result.stderr[-2000:]
    assert float(seconds) < 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.CELERY_BROKER_URL or "postgresql" not in settings.DATABASES["default"]["ENGINE"],
                    reason="需要 PostgreSQL 和 Redis（CI）")
def test_kill_9_of_a_real_worker_mid_import_writes_nothing_and_the_job_can_be_retried(make_staff, tmp_path):
    """A worker process of its own (as in production), killed with SIGKILL while it imports."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.test import override_settings

    with override_settings(STORAGES={**settings.STORAGES, "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}):
        _kill_9(make_staff(Role.COUNTY_STAFF, "150102"), tmp_path, default_storage, ContentFile)


def _end_backends_of_the_dead_worker():
    """A backend whose client was killed mid-statement learns it only when it next writes to the socket; end
    the killed worker's sessions now (what the server does by itself moments later)."""
    with connection.cursor() as cursor:
        for _ in range(100):
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND application_name = 'kill9-worker'")
            cursor.execute("SELECT count(*) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND application_name = 'kill9-worker'")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


def _kill_9(user, tmp_path, default_storage, ContentFile):
    from datetime import date

    from common.tasks import excel_import_run
    from members.tests.factories import id_number

    people = [person_row(n) for n in range(30000)]
    for n, row in enumerate(people):  # 30,000 different people: fifty per birth date
        row["身份证号码"] = id_number("150102", date(1980, 1, 1) + timedelta(days=n // 50), seq=n)
    content = sheet(people)
    stored = default_storage.save("imports/kill9.xlsx", ContentFile(content))
    job = ImportJob.objects.create(user=user, model_label="members.Volunteer", filename="kill9.xlsx",
                                   stored_path=stored, phase="import")
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
                           "?application_name=kill9-worker",
           "TEST_FILE_STORAGE": str(tmp_path)}
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
                               "--without-heartbeat", "--without-mingle", "--without-gossip", "-Q", "kill9",
                               "--loglevel=WARNING"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        excel_import_run.apply_async((str(job.pk),), queue="kill9")  # only this worker consumes it
        for _ in range(240):
            job.refresh_from_db()
            if job.status == "running" and job.total >= 4000:
                break
            time.sleep(0.25)
        running = (job.status, job.total >= 4000)
        os.killpg(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)  # whatever happened above, no worker outlives the test
        worker.wait(timeout=30)
    assert running == ("running", True), (job.status, job.total, job.errors[:3], job.message)
    _end_backends_of_the_dead_worker()
    assert Volunteer.objects.count() == 0  # one transaction: it died with the process
    job.refresh_from_db()
    assert ImportJob.reap(now=timezone.now() + ImportJob.STALE_AFTER + timedelta(seconds=1)) == 1, (
        job.status, job.heartbeat_at, timezone.now())
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", ImportJob.WORKER_LOST)
    assert default_storage.exists(stored)  # kept for 重新执行
