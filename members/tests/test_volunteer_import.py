"""Volunteers through Excel: the same contract as the ledger, on the batch engine."""
import io
from datetime import date

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from common.excel import iter_sheet
from common.imports import RowError
from common.tests.sheets import xlsx
from divisions.models import Division
from members import personal_data
from members.importers import VolunteerImporter
from members.models import Volunteer

from .factories import id_number, volunteer

pytestmark = pytest.mark.django_db


def sheet(rows, headers=None) -> bytes:
    return xlsx("注册志愿者", headers or VolunteerImporter(None).headers, rows)


def person_row(n: int, **overrides):
    township = overrides.pop("township", "150102001")
    row = {
        "姓名": f"志愿者{n}",
        "身份证号码": id_number("150102", date(1980 + n % 15, 1 + n % 12, 1 + n % 28), seq=n),
        "区划代码": township,
        "所属区划": Division.objects.get(code=township).name,
        "民族": "蒙古族" if n % 3 else "汉族",
        "政治面貌": "中国共产主义青年团团员",
        "手机号码": f"1381234{n:04d}",
        "注册日期": "2022-03-05",
    }
    row.update(overrides)
    return row


def run(user, content, dry_run=False):
    headers, rows = iter_sheet(content, sheet_name="注册志愿者")
    return VolunteerImporter(user).run(headers, rows, dry_run=dry_run)


@pytest.fixture
def user(make_staff):
    return make_staff(Role.COUNTY_STAFF, "150102")


def test_fifty_three_rows_with_three_bad_land_nothing_and_name_exactly_those(user):
    rows = [person_row(n) for n in range(53)]
    rows[4]["身份证号码"] = rows[4]["身份证号码"][:17] + ("0" if rows[4]["身份证号码"][17] != "0" else "1")
    rows[30]["身份证号码"] = rows[2]["身份证号码"]  # the same person twice
    rows[50]["所属区划"], rows[50]["区划代码"] = "红山区", None  # another league

    report = run(user, sheet(rows))

    assert [(e.row, e.column) for e in report.errors] == [(6, "身份证号码"), (32, "身份证号码"), (52, "所属区划")]
    assert report.errors[0].message == "身份证号码校验位不正确，请核对证件。"
    assert report.errors[1].message == "与第 4 行是同一人（身份证号码相同）。"
    assert report.errors[2].message == "「红山区」不在您的管辖范围（新城区）内，不能在此保存或查看记录。"
    assert not Volunteer.objects.exists()


def test_the_fixed_file_lands_all_rows_encrypted_with_history(user):
    rows = [person_row(n) for n in range(53)]
    report = run(user, sheet(rows))
    assert report.ok, report.errors[:3]
    assert report.new == 53 and Volunteer.objects.count() == 53
    assert Volunteer.history.filter(history_type="+", history_user=user).count() == 53
    stored = Volunteer.objects.get(name="志愿者7")
    assert personal_data.decrypt(stored.id_number_encrypted) == rows[7]["身份证号码"]
    assert rows[7]["身份证号码"] not in stored.id_number_encrypted
    assert stored.ethnicity == "02" and stored.political_status == "03" and stored.phone_masked == "138****0007"


def test_dry_run_writes_nothing(user):
    report = run(user, sheet([person_row(1)]), dry_run=True)
    assert report.ok and report.new == 1
    assert not Volunteer.objects.exists()


def test_already_registered_person_and_age_rules(user):
    existing = volunteer("150102", birth=date(1995, 1, 1))
    rows = [
        person_row(1, 身份证号码=personal_data.decrypt(existing.id_number_encrypted)),
        person_row(2, 身份证号码=id_number("150102", date(2012, 1, 1)), 注册日期="2024-01-01"),  # 12
        person_row(3, 身份证号码=id_number("150102", date(2008, 1, 1)), 注册日期="2024-01-01"),  # 16, no consent
    ]
    errors = {(e.row, e.column): e.message for e in run(user, sheet(rows)).errors}
    assert errors[(2, "身份证号码")] == "该身份证号码已在平台登记为志愿者，不能重复登记。"
    assert errors[(3, "注册日期")] == "注册时未满 14 周岁（12 岁），不能注册为志愿者。"
    assert errors[(4, "监护人姓名")].startswith("注册时 16 岁，未满 18 周岁，须有监护人同意记录")


def test_township_names_numbers_and_codes_as_people_type_them(user):
    row = person_row(1, 民族=2, 政治面貌=3, 手机号码=13812340001, 区划代码=None)
    report = run(user, sheet([row]))
    assert report.ok, report.errors
    stored = Volunteer.objects.get()
    assert (stored.ethnicity, stored.political_status, stored.division.code) == ("02", "03", "150102001")


def test_id_number_stored_by_excel_as_a_number_is_explained(user):
    row = person_row(1, 身份证号码=150102199001010011)
    assert run(user, sheet([row])).errors == [
        RowError(2, "身份证号码", "身份证号码被 Excel 存成了数字，后几位已经丢失；请把该列设为“文本”后重新填写。")
    ]


def test_missing_required_and_unknown_columns(user):
    report = run(user, sheet([{"姓名": "甲"}], headers=["姓名", "备用列"]))
    assert [e.message for e in report.errors] == [
        "缺少列：身份证号码、所属区划。请使用下载的模板，第 1 行为列标题。",
        "无法识别的列：备用列。请使用下载的模板中的列标题。",
    ]


def test_queries_are_constant_per_batch(user, monkeypatch):
    monkeypatch.setattr(VolunteerImporter, "batch_size", 50)

    def queries(n):
        Volunteer.objects.all().delete()
        content = sheet([person_row(i) for i in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            report = run(user, content, dry_run=True)
        assert report.ok, report.errors[:3]
        return len(ctx.captured_queries)

    one_batch, three_batches = queries(40), queries(140)
    assert three_batches - one_batch == 2  # one duplicate check per extra batch, nothing per row


def _book(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_export_is_masked_for_staff_without_the_permission(client, make_staff, user):
    from django.urls import reverse

    person = volunteer("150102", phone="13812345678")
    client.force_login(user)
    rows = list(_book(client.get(reverse("admin:members_volunteer_excel_export")).content)["注册志愿者"].values)
    assert rows[1][1] == person.id_number_masked and rows[1][6] == "138****5678"
    from members.models import PersonalDataAccess

    assert not PersonalDataAccess.objects.exists()


def test_export_with_the_permission_is_full_and_logged(client, make_staff):
    from django.urls import reverse

    from members.models import PersonalDataAccess

    person = volunteer("150102", phone="13812345678")
    volunteer("150402")  # another league: not exported
    viewer = make_staff(Role.LEAGUE_STAFF, "1501")
    client.force_login(viewer)
    rows = list(_book(client.get(reverse("admin:members_volunteer_excel_export")).content)["注册志愿者"].values)
    assert len(rows) == 2
    assert rows[1][1] == personal_data.decrypt(person.id_number_encrypted) and rows[1][6] == "13812345678"
    log = PersonalDataAccess.objects.get()
    assert log.user == viewer and log.subject == "导出 1 名志愿者"


def test_export_reimports_as_duplicates_not_as_new_people(user):
    from members.exports import volunteer_workbook

    volunteer("150102")
    content = volunteer_workbook(Volunteer.objects.all(), user=user)
    errors = run(user, content).errors
    assert [e.column for e in errors] == ["身份证号码"]  # masked numbers are not numbers: nothing lands
    assert Volunteer.objects.count() == 1


def test_template_has_dropdowns_text_columns_and_notes(user):
    from members.exports import volunteer_template

    book = _book(volunteer_template(user=user))
    sheet = book["注册志愿者"]
    headers = [c.value for c in sheet[1]]
    assert headers == VolunteerImporter(user).headers
    formulas = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert len(formulas) == 4
    id_column = headers.index("身份证号码") + 1
    assert sheet.cell(row=3, column=id_column).number_format == "@"
    townships = [r[3] for r in book["选项"].iter_rows(min_row=2, values_only=True) if r[3]]
    assert "新城区" in townships and "红山区" not in townships


def test_admin_upload_preview_and_confirm(client, user):
    from django.urls import reverse

    client.force_login(user)
    upload = io.BytesIO(sheet([person_row(n) for n in range(3)]))
    upload.name = "志愿者.xlsx"
    preview = client.post(reverse("admin:members_volunteer_excel_import"), {"file": upload})
    assert "将新增 <strong>3</strong> 名志愿者" in preview.content.decode()
    assert not Volunteer.objects.exists()
    client.post(reverse("admin:members_volunteer_excel_confirm"), {"token": preview.context["token"]})
    assert Volunteer.objects.count() == 3
