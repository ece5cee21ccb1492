"""导入任务: each account sees the imports it started — who, file, rows, state, duration, problems — and no one
else's, on the list, the detail page, the history page and the search; nobody adds, edits or deletes a job."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from associations.tests.factories import association
from common.models import ImportJob
from tests.matrix import OWN
from tests.test_role_matrix import ROLE_OF, accounts

pytestmark = pytest.mark.django_db

LIST = "admin:common_importjob_changelist"


def job(user, filename, *, took=None, **fields):
    """A job started three minutes ago; ``took`` (a timedelta): how long it ran."""
    started = timezone.now() - timedelta(minutes=3)
    made = ImportJob.objects.create(user=user, model_label="members.Volunteer", filename=filename,
                                    stored_path=f"excel-imports/{filename}", **fields)
    ImportJob.objects.filter(pk=made.pk).update(created_at=started,
                                                finished_at=started + took if took is not None else None)
    made.refresh_from_db()
    return made


@pytest.fixture
def users():
    return accounts(association(OWN))


def test_each_role_sees_only_the_jobs_it_started(client, users):
    jobs = {role: job(user, f"{role}的名单.xlsx", status="done", new=3, error_count=0)
            for role, user in users.items() if user is not None}
    for role, user in users.items():
        client.logout()
        if user is None:
            response = client.get(reverse(LIST))
            assert response.status_code == 302 and "/login/" in response.url
            continue
        client.force_login(user)
        response = client.get(reverse(LIST))
        assert response.status_code == 200, role
        assert [j.pk for j in response.context["cl"].result_list] == [jobs[role].pk], role
        others = [j for r, j in jobs.items() if r != role]
        for other in others[:3]:
            assert client.get(reverse("admin:common_importjob_change", args=[other.pk])).status_code == 302, role
            assert client.get(reverse("admin:common_importjob_history", args=[other.pk])).status_code == 302, role
        found = client.get(reverse(LIST), {"q": "的名单"}).context["cl"].result_list
        assert [j.pk for j in found] == [jobs[role].pk], role
        own = client.get(reverse("admin:common_importjob_change", args=[jobs[role].pk]))
        assert own.status_code == 200 and f"{role}的名单.xlsx" in own.content.decode()
    assert set(jobs) == set(ROLE_OF) - {"anonymous"}


def test_the_list_says_what_happened_in_chinese_with_constant_queries(client, users):
    county = users["county"]
    done = job(county, "新城区志愿者.xlsx", phase="import", status="done", total=120, new=100, updated=15,
               unchanged=3, skipped=2, error_count=0, took=timedelta(minutes=2, seconds=5))
    job(county, "有错的名单.xlsx", status="done", total=50, error_count=1234,
        errors=[[2, "姓名", "必填，不能为空。"]], took=timedelta(seconds=7))
    job(county, "中断的名单.xlsx", phase="import", status="failed", message=ImportJob.WORKER_LOST)
    client.force_login(county)
    client.get(reverse(LIST))
    with CaptureQueriesContext(connection) as three:
        page = client.get(reverse(LIST)).content.decode()
    for text in ("我的导入任务", "数据导入", "注册志愿者", "正式导入", "预览检查", "已完成", "失败", "新增 100，更新 15，无变化 3，跳过 2",
                 "1234", "2 分 5 秒", "7 秒", "处理该文件的后台进程意外中止", "文件名", "问题数", "用时"):
        assert text in page, text
    assert reverse("admin:members_volunteer_excel_job", args=[done.pk]) in page
    assert "导入人" not in page  # a clerk's own list needs no column of who
    for n in range(5):
        job(county, f"第{n}批.xlsx", status="done", took=timedelta(seconds=n))
    with CaptureQueriesContext(connection) as eight:
        response = client.get(reverse(LIST))
    assert len(response.context["cl"].result_list) == 8
    assert len(eight) == len(three)


def test_nobody_adds_edits_or_deletes_a_job_and_a_superuser_sees_everyone(client, users, django_user_model):
    county_job = job(users["county"], "名单.xlsx", status="done")
    client.force_login(users["county"])
    assert client.get(reverse("admin:common_importjob_add")).status_code == 403
    assert client.post(reverse("admin:common_importjob_change", args=[county_job.pk]),
                       {"filename": "改名.xlsx"}).status_code == 403
    assert client.post(reverse("admin:common_importjob_delete", args=[county_job.pk]),
                       {"post": "yes"}).status_code == 403
    county_job.refresh_from_db()
    assert county_job.filename == "名单.xlsx"

    admin_user = django_user_model.objects.create_superuser("root", password="x")
    job(users["league"], "盟市名单.xlsx", status="done")
    client.force_login(admin_user)
    page = client.get(reverse(LIST))
    assert len(page.context["cl"].result_list) == 2 and "导入人" in page.content.decode()
