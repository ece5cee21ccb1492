"""Hostile input across the API, the admin and the imports: each gets a clear Chinese refusal and changes nothing,
or is stored safely and shown escaped."""
import io
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from common.excel import ExcelFileError, iter_sheet
from divisions.models import Division
from members import personal_data
from members.importers import VolunteerImporter
from members.models import PersonalDataAccess, Volunteer
from members.tests.factories import id_number, volunteer
from projects.models import ServiceRecord
from teams.models import Team

from .matrix import MAKERS

pytestmark = pytest.mark.django_db

NASTY = "<script>alert(1)</script>' OR 1=1; DROP TABLE teams_team; --"


@pytest.fixture
def staff(make_staff):
    return make_staff(Role.COUNTY_STAFF, "150102")


@pytest.fixture
def api(staff):
    client = APIClient()
    client.force_authenticate(staff)
    return client


def test_script_and_sql_in_names_are_stored_as_text_and_shown_escaped(api, client, staff):
    township = Division.objects.get(code="150102001")
    response = api.post("/api/v1/teams/", {"name": NASTY, "host_kind": "township", "division": township.pk},
                        format="json")
    assert response.status_code == 201, response.json()
    assert Team.objects.get().name == NASTY  # stored as typed, the table is still there
    client.force_login(staff)
    page = client.get(reverse("admin:teams_team_changelist")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)</script>" not in page


def test_over_long_wrong_typed_and_impossible_values_are_refused_in_chinese(api):
    township = Division.objects.get(code="150102001")
    response = api.post("/api/v1/teams/", {"name": "队" * 300, "host_kind": "township", "division": township.pk},
                        format="json")
    assert response.status_code == 400 and "100" in response.json()["name"][0]
    assert "字符" in response.json()["name"][0]
    response = api.post("/api/v1/teams/", {"name": "队", "host_kind": "township", "division": "第一",
                                           "founded_on": "2021-02-30"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"division", "founded_on"}
    assert response.json()["founded_on"] == ["日期「2021-02-30」不存在：2021年2月没有30日。"]  # as forms and imports say
    assert not Team.objects.exists()


def test_negative_hours_and_a_retried_submission_change_nothing(api):
    record = MAKERS["projects_servicerecord"]("150102", 0)
    payload = {"volunteer": record.volunteer_id, "activity": record.activity_id, "served_on": str(record.served_on)}
    next_day = str(record.served_on + timedelta(days=1))
    response = api.post("/api/v1/service-records/", {**payload, "served_on": next_day, "hours": "-2"}, format="json")
    assert response.status_code == 400 and response.json()["hours"] == ["服务时长必须大于 0 小时。"]
    response = api.post("/api/v1/service-records/", {**payload, "hours": "2"}, format="json")  # the same one again
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["该志愿者在这次活动的同一天已有服务记录。"]
    assert ServiceRecord.objects.count() == 1


def test_full_width_and_lower_case_id_numbers_are_the_same_person(api):
    division = Division.objects.get(code="150102")
    number = id_number("150102", date(1990, 3, 3), seq=41)
    while not number.endswith("X"):  # a number whose check character is X
        number = id_number("150102", date(1990, 3, 3), seq=int(number[14:17]) + 1)
    typed = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number[:17]) + "x"
    response = api.post("/api/v1/volunteers/", {"name": "巴图", "division": division.pk, "id_number": typed,
                                                "registered_on": "2024-01-01"}, format="json")
    assert response.status_code == 201, response.json()
    assert Volunteer.objects.get().id_number_hash == personal_data.keyed_hash(number)
    response = api.post("/api/v1/volunteers/", {"name": "巴图", "division": division.pk, "id_number": number,
                                                "registered_on": "2024-01-01"}, format="json")
    assert response.status_code == 400 and Volunteer.objects.count() == 1


def _workbook(rows, *, formula=False, merged=False, hidden_first=False) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if hidden_first:
        sheet.title = "说明"
        sheet.sheet_state = "hidden"
        sheet.append(["这是隐藏的工作表"])
        sheet = book.create_sheet("注册志愿者")
    else:
        sheet.title = "注册志愿者"
    headers = VolunteerImporter(None).headers
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    if formula:
        sheet["A2"] = '=HYPERLINK("http://evil.example","点我")'
    if merged:
        sheet.merge_cells("A3:B3")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _person(n):
    return {"姓名": f"志愿者{n}", "身份证号码": id_number("150102", date(1995, 1, 1 + n), seq=200 + n),
            "区划代码": "150102001", "所属区划": "海拉尔东路街道", "注册日期": "2022-03-05"}


def test_a_workbook_with_formulas_merged_cells_and_a_hidden_sheet(staff):
    content = _workbook([_person(n) for n in range(3)], formula=True, merged=True, hidden_first=True)
    headers, rows = iter_sheet(content, sheet_name="注册志愿者")
    report = VolunteerImporter(staff).run(headers, rows, dry_run=False)
    messages = {(e.row, e.column) for e in report.errors}
    assert (3, "身份证号码") in messages  # the merged cell left the ID number empty
    assert not Volunteer.objects.exists()  # and nothing landed, the formula row included


def test_a_workbook_declaring_a_million_rows_is_read_quickly(staff):
    content = _workbook([_person(0)])
    source, target = io.BytesIO(content), io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b'<dimension ref="A1:R2"/>', b'<dimension ref="A1:XFD1048576"/>')
            zout.writestr(item, data)
    started = timezone.now()
    headers, rows = iter_sheet(target.getvalue(), sheet_name="注册志愿者")
    assert len(list(rows)) == 1
    assert timezone.now() - started < timedelta(seconds=5)


def test_not_a_workbook_is_refused():
    with pytest.raises(ExcelFileError) as error:
        iter_sheet(b"<html><script>alert(1)</script></html>")
    assert str(error.value) == "文件不是 Excel 工作簿（.xlsx）。请在 Excel 中“另存为 .xlsx”后再上传。"


def test_access_log_is_pruned_after_its_retention(make_staff):
    user = make_staff(superuser=True)
    person = volunteer("150102")
    old = PersonalDataAccess.objects.create(user=user, volunteer=person, subject="x", fields="身份证号码")
    PersonalDataAccess.objects.filter(pk=old.pk).update(accessed_at=timezone.now() - timedelta(days=4 * 365))
    recent = PersonalDataAccess.objects.create(user=user, volunteer=person, subject="x", fields="身份证号码")
    out = io.StringIO()
    call_command("prune_access_log", stdout=out)
    assert "已删除" in out.getvalue() and " 1 条" in out.getvalue()
    assert list(PersonalDataAccess.objects.values_list("pk", flat=True)) == [recent.pk]
