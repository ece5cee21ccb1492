"""Re-importing a list of people: the clerk chooses what a row for someone already registered does — 跳过已登记
(left alone), 更新已登记 (the cells the row fills update the stored record; blanks keep what is stored) or 报错
(the file is refused) — and the preview says what the choice will do before anything is written."""
import io
from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from associations.tests.factories import association
from common.excel import iter_sheet
from common.imports import RowChange, RowError
from common.models import ImportJob
from common.tests.sheets import xlsx
from members import personal_data
from members.admin import VolunteerAdmin
from members.importers import IndividualMemberImporter, VolunteerImporter
from members.models import IndividualMember, Volunteer

from .factories import id_number, volunteer
from .test_volunteer_import import person_row, sheet

pytestmark = pytest.mark.django_db

REGISTERED = "该身份证号码已在平台登记为志愿者，不能重复登记。"
ELSEWHERE = "该身份证号码已在平台登记为志愿者，但不在您的管辖范围内，不能更新。"


def run(user, rows, on_existing, dry_run=False):
    headers, data = iter_sheet(sheet(rows), sheet_name="注册志愿者")
    return VolunteerImporter(user, on_existing=on_existing).run(headers, data, dry_run=dry_run)


def number_of(person):
    return personal_data.decrypt(person.id_number_encrypted)


@pytest.fixture
def user(make_staff):
    return make_staff(Role.COUNTY_STAFF, "150102")


@pytest.fixture
def people():
    """One registered in the clerk's county (with a phone, skills and an insurer), one in another league."""
    own = volunteer("150102001", birth=date(1995, 1, 1), name="巴特尔·额尔敦")
    own.set_phone("13812340000")
    own.skills, own.insurer = "支教", "中国人民财产保险"
    own.save()
    other = volunteer("150402", birth=date(1996, 2, 2), name="乌云")
    return own, other


def rows_for(own, other):
    """A list as a clerk keeps it: the registered people again (a new phone and insurer for one, skills left
    blank) and one new person."""
    return [
        person_row(1, 姓名="巴特尔·额尔敦", 身份证号码=number_of(own), 手机号码="13912345678", 保险公司="中国平安",
                   民族=None, 政治面貌=None, 注册日期=None),
        person_row(2, 姓名="乌云", 身份证号码=number_of(other)),
        person_row(3),
    ]


def test_report_error_refuses_the_file_and_names_each_registered_row(user, people):
    report = run(user, rows_for(*people), "error")
    assert report.errors == [RowError(2, "身份证号码", REGISTERED), RowError(3, "身份证号码", REGISTERED)]
    assert (report.new, report.updated, report.skipped) == (0, 0, 0)
    assert Volunteer.objects.count() == 2


def test_skip_leaves_registered_people_alone_and_imports_the_rest(user, people):
    own, _ = people
    preview = run(user, rows_for(*people), "skip", dry_run=True)
    assert (preview.ok, preview.new, preview.updated, preview.skipped) == (True, 1, 0, 2)
    report = run(user, rows_for(*people), "skip")
    assert (report.ok, report.new, report.updated, report.skipped) == (True, 1, 0, 2)
    assert Volunteer.objects.count() == 3
    own.refresh_from_db()
    assert (own.phone_masked, own.insurer) == ("138****0000", "中国人民财产保险")
    assert own.history.count() == 2  # created and set up by the fixture; the import did not touch it


def test_update_changes_only_the_filled_cells_of_people_in_scope(user, people):
    own, other = people
    report = run(user, rows_for(*people), "update")
    assert report.errors == [RowError(3, "身份证号码", ELSEWHERE)]  # the other league's person is not reachable
    assert Volunteer.objects.count() == 2

    rows = [rows_for(*people)[0], rows_for(*people)[2]]
    preview = run(user, rows, "update", dry_run=True)
    assert (preview.ok, preview.new, preview.updated, preview.skipped) == (True, 1, 1, 0)
    assert preview.changes == [RowChange(2, str(own), (
        ("保险公司", "中国人民财产保险", "中国平安"), ("手机号码", "138****0000", "139****5678")))]

    report = run(user, rows, "update")
    assert (report.new, report.updated) == (1, 1)
    own.refresh_from_db()
    assert personal_data.decrypt(own.phone_encrypted) == "13912345678" and own.phone_masked == "139****5678"
    assert own.phone_hash == personal_data.keyed_hash("13912345678")
    assert (own.insurer, own.skills, own.ethnicity, own.name) == ("中国平安", "支教", "", "巴特尔·额尔敦")
    assert number_of(own) == rows[0]["身份证号码"]
    latest = own.history.first()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == ("~", user, "Excel导入")
    assert other.history.count() == 1

    again = run(user, rows[:1], "update")  # the same row once more: nothing to write
    assert (again.updated, again.unchanged) == (0, 1)
    assert own.history.count() == 3


def test_update_of_a_minor_checks_the_merged_record(user):
    """A 16-year-old registered with a guardian's consent: a row that leaves the guardian cells blank keeps them
    and passes; a new minor without them is refused as before."""
    minor_number = id_number("150102", date(2009, 6, 1), seq=4)
    first = person_row(4, 身份证号码=minor_number, 注册日期="2025-09-01", 监护人姓名="其其格", 与监护人关系="母亲",
                       监护人同意日期="2025-08-30", 同意方式="书面签字")
    assert run(user, [first], "error").new == 1
    again = person_row(4, 身份证号码=minor_number, 注册日期=None, **{"技能特长/专业领域": "急救"})
    newcomer = person_row(5, 身份证号码=id_number("150102", date(2010, 3, 1), seq=5), 注册日期="2025-09-01")
    report = run(user, [again, newcomer], "update")
    assert [(e.row, e.column) for e in report.errors] == [(3, "监护人姓名")]
    report = run(user, [again], "update")
    assert (report.ok, report.updated, report.unchanged) == (True, 1, 0)
    stored = Volunteer.objects.get()
    assert (stored.guardian_name, stored.guardian_consent_method, stored.skills) == ("其其格", "written", "急救")


def member_rows(assoc, person, **cells):
    return [{"协会统一编制序列号": assoc.serial_number, "身份证号码": number_of(person), "入会日期": "2021-05-04",
             **cells}]


def run_members(user, rows, on_existing, dry_run=False):
    importer = IndividualMemberImporter(user, on_existing=on_existing)
    headers, data = iter_sheet(xlsx(importer.sheet_name, importer.headers, rows), sheet_name=importer.sheet_name)
    return importer.run(headers, data, dry_run=dry_run)


def test_members_three_ways(user):
    assoc = association("150102")
    person = volunteer("150102", birth=date(1995, 1, 1), name="斯琴·高娃")
    stored = IndividualMember.objects.create(association=assoc, volunteer=person, joined_on=date(2021, 5, 4),
                                             recommended_by="新城区团委", role=IndividualMember.Role.MEMBER)
    rows = member_rows(assoc, person, 会内职务="理事", 审核状态="审核通过")

    report = run_members(user, rows, "error")
    assert report.errors == [RowError(2, "身份证号码", "该志愿者在同一日期已登记为本协会会员。")]

    report = run_members(user, rows, "skip")
    assert (report.ok, report.new, report.skipped) == (True, 0, 1)
    stored.refresh_from_db()
    assert stored.role == IndividualMember.Role.MEMBER

    report = run_members(user, rows, "update")
    assert (report.ok, report.new, report.updated) == (True, 0, 1)
    assert [f[0] for f in report.changes[0].fields] == ["审核状态", "会内职务"]
    stored.refresh_from_db()
    assert stored.role == IndividualMember.Role.COUNCIL and stored.recommended_by == "新城区团委"
    assert IndividualMember.objects.count() == 1


def _upload(client, rows, on_existing=None):
    upload = io.BytesIO(sheet(rows))
    upload.name = "志愿者名单.xlsx"
    data = {"file": upload} | ({"on_existing": on_existing} if on_existing else {})
    return client.post(reverse("admin:members_volunteer_excel_import"), data)


def test_the_import_page_asks_and_the_preview_repeats_the_choice(client, user, people):
    client.force_login(user)
    page = client.get(reverse("admin:members_volunteer_excel_import")).content.decode()
    for label in ("跳过已登记", "更新已登记", "报错"):
        assert label in page
    assert 'name="on_existing" value="error"' in page and "checked" in page

    rows = [rows_for(*people)[0], rows_for(*people)[2]]
    refused = _upload(client, rows, "nonsense")
    assert "选择一个有效的选项" in refused.content.decode()

    preview = _upload(client, rows, "skip")
    text = preview.content.decode()
    assert "跳过已登记的 <strong>1</strong> 名志愿者" in text and "已登记人员的处理方式：<strong>跳过已登记</strong>" in text
    confirm = client.post(reverse("admin:members_volunteer_excel_confirm"), {"token": preview.context["token"]},
                          follow=True)
    assert "新增 1 名志愿者，更新 0 名志愿者，跳过已登记的 1 名志愿者。" in confirm.content.decode()
    job = ImportJob.objects.get()
    assert (job.options, job.skipped, job.new) == ({"on_existing": "skip"}, 1, 1)


def test_a_background_job_keeps_the_choice_from_preview_to_import(client, user, people, monkeypatch, eager_celery,
                                                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr(VolunteerAdmin, "excel_background_bytes", 1)
    own, _ = people
    client.force_login(user)
    rows = [rows_for(*people)[0], rows_for(*people)[2]]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, rows, "update")
    preview = ImportJob.objects.get()
    assert (preview.options, preview.updated, preview.new) == ({"on_existing": "update"}, 1, 1)
    page = client.get(response.url).content.decode()
    assert "已登记人员的处理方式：<strong>更新已登记</strong>" in page and "139****5678" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:members_volunteer_excel_job_confirm", args=[preview.pk]))
    job = ImportJob.objects.get(phase="import")
    assert (job.status, job.options, job.updated, job.new) == ("done", {"on_existing": "update"}, 1, 1)
    own.refresh_from_db()
    assert own.insurer == "中国平安"


def test_an_unknown_choice_is_refused_by_the_engine(user):
    with pytest.raises(ValueError):
        VolunteerImporter(user, on_existing="overwrite")
