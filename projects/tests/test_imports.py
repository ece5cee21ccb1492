"""Projects, activities, service records, training and attendance through Excel: the ledger contract."""
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from associations.tests.factories import association
from common.excel import iter_sheet
from common.imports import RowError
from common.tests.sheets import xlsx
from members.tests.factories import volunteer
from projects.importers import ActivityImporter, ProjectImporter, ServiceRecordImporter
from projects.models import Activity, Project, ServiceRecord
from training.importers import AttendanceImporter, TrainingSessionImporter
from training.models import Attendance, TrainingSession

from .factories import activity, project

pytestmark = pytest.mark.django_db


def run(importer_class, user, rows, *, dry_run=False):
    importer = importer_class(user)
    content = xlsx(importer.sheet_name, importer.headers, rows)
    headers, cells = iter_sheet(content, sheet_name=importer.sheet_name)
    return importer_class(user).run(headers, cells, dry_run=dry_run)


@pytest.fixture
def user(make_staff):
    return make_staff(Role.COUNTY_STAFF, "150102")


@pytest.fixture
def own():
    return association("150102")


def test_projects_import_whole_then_update_by_name(user, own):
    other = association("150402")
    rows = [
        {"协会统一编制序列号": own.serial_number, "项目名称": "七彩小屋陪伴计划", "项目品牌": "关爱行动·七彩小屋",
         "服务领域": "助学", "常态化项目": "是", "开始日期": "2021-03-05", "服务对象": "留守儿童、农民工子女"},
        {"协会统一编制序列号": own.serial_number, "项目名称": "阳光助残结对", "项目品牌": "助残“阳光行动”",
         "服务领域": "助残", "开始日期": "2021/5/4"},
        {"协会统一编制序列号": other.serial_number, "项目名称": "越界项目", "项目品牌": "地方特色项目", "服务领域": "文化"},
        {"协会统一编制序列号": own.serial_number, "项目名称": "七彩小屋陪伴计划", "项目品牌": "关爱行动", "服务领域": "助学"},
        {"协会统一编制序列号": own.serial_number, "项目名称": "错误品牌", "项目品牌": "爱心行动", "服务领域": "助学",
         "项目库状态": "入选项目库"},
    ]
    report = run(ProjectImporter, user, rows)
    assert report.errors == [
        RowError(4, "协会统一编制序列号", f"统一编制序列号「{other.serial_number}」不存在或不在您的管辖范围内。"),
        RowError(5, "项目名称", "与第 2 行重复（同一协会的同名项目）。"),
        RowError(6, "项目品牌", "「爱心行动」不是可选的值，可选：" + "、".join(
            label for _, label in ProjectImporter(user).columns[3].widget.labels.items()) + "。"),
    ]
    assert not Project.objects.exists()

    report = run(ProjectImporter, user, rows[:2])
    assert (report.new, report.updated, report.errors) == (2, 0, [])
    care = Project.objects.get(name="七彩小屋陪伴计划")
    assert (care.brand, care.regular, care.beneficiaries) == ("rainbow_house", True,
                                                              ["left_behind_children", "migrant_children"])
    assert care.history.get().history_user == user

    rows[0]["结束日期"] = "2024-12-31"
    report = run(ProjectImporter, user, rows[:1])
    assert (report.new, report.updated) == (0, 1)
    assert Project.objects.get(pk=care.pk).ended_on == date(2024, 12, 31)


def test_activities_import_with_township_check_and_key_date(user, own):
    care = project(own)
    rows = [
        {"协会统一编制序列号": own.serial_number, "项目名称": care.name, "活动名称": "学雷锋日社区服务",
         "活动日期": "2024-03-05", "区划代码": "150102001"},
        {"协会统一编制序列号": own.serial_number, "项目名称": care.name, "活动名称": "暑期陪伴", "活动日期": "2024-07-10"},
        {"协会统一编制序列号": own.serial_number, "项目名称": "没有的项目", "活动名称": "x", "活动日期": "2024-07-10"},
        {"协会统一编制序列号": own.serial_number, "项目名称": care.name, "活动名称": "跨区活动", "活动日期": "2024-07-11",
         "区划代码": "150103001"},
        {"协会统一编制序列号": own.serial_number, "项目名称": care.name, "活动名称": "日期错", "活动日期": "2024-02-30"},
    ]
    report = run(ActivityImporter, user, rows)
    assert [(e.row, e.column) for e in report.errors] == [(4, "项目名称"), (5, "所在乡镇（街道）"), (6, "活动日期")]
    assert report.errors[0].message == f"{own.name}没有名为「没有的项目」的项目，请先导入项目。"
    assert not Activity.objects.exists()

    report = run(ActivityImporter, user, rows[:2])
    assert report.new == 2 and not report.errors
    assert dict(Activity.objects.values_list("name", "key_date")) == {"学雷锋日社区服务": "03-05", "暑期陪伴": ""}


def _record_rows(own, care_activity, people, hours=("2.2", "3", "0.2")):
    return [
        {"协会统一编制序列号": own.serial_number, "项目名称": care_activity.project.name,
         "活动名称": care_activity.name, "活动日期": care_activity.held_on.isoformat(),
         "身份证号码": number, "姓名": person.name, "服务时长（小时）": hours[n % len(hours)], "状态": "已确认"}
        for n, (person, number) in enumerate(people)
    ]


def _registered(count, born):
    """``count`` volunteers of 新城区 named 志愿者0 …, with their ID numbers (born on a date the factory does not
    use, so that the numbers are new)."""
    from members.tests.factories import id_number

    people = []
    for n in range(count):
        number = id_number("150102", born, seq=n)
        person = volunteer("150102", name=f"志愿者{n}")
        person.set_id_number(number)
        person.save()
        people.append((person, number))
    return people


def test_service_records_land_whole_or_not_at_all(user, own):

    care_activity = activity(project(own), date(2024, 3, 5), "学雷锋日社区服务")
    people = _registered(3, date(2001, 2, 3))
    rows = _record_rows(own, care_activity, people)
    bad = [dict(r) for r in rows]
    bad[0]["服务时长（小时）"] = "-2"
    bad[1]["姓名"] = "别人"
    bad[2]["活动名称"] = "没有这次活动"
    bad.append(dict(rows[0]))  # the same person, day and activity as row 2 (once fixed)
    report = run(ServiceRecordImporter, user, bad)
    assert report.errors == [
        RowError(2, "服务时长（小时）", "服务时长必须大于 0 小时。"),
        RowError(3, "姓名", "与登记的姓名「志愿者1」不一致。"),
        RowError(4, "活动名称", "项目「七彩小屋陪伴计划」没有 2024-03-05 的活动「没有这次活动」，请先导入活动。"),
    ]
    assert not ServiceRecord.objects.exists()

    report = run(ServiceRecordImporter, user, rows + [dict(rows[0])])
    assert report.errors == [RowError(5, "身份证号码", "与第 2 行重复（同一活动、同一志愿者、同一服务日期）。")]

    report = run(ServiceRecordImporter, user, rows)
    assert (report.new, report.errors) == (3, [])
    assert sorted(ServiceRecord.objects.values_list("hours", flat=True)) == [
        Decimal("0.2"), Decimal("2.2"), Decimal("3.0")]  # as entered: no rounding of the platform's own
    entry = ServiceRecord.objects.first()
    assert (entry.association, entry.status, entry.recorded_by, entry.confirmed_by) == (
        own, ServiceRecord.Status.CONFIRMED, user, user)
    assert entry.evaluation == ""  # the column is optional
    assert entry.history.get().history_change_reason == "Excel导入"

    report = run(ServiceRecordImporter, user, rows[:1])
    assert report.errors == [RowError(2, "身份证号码", "该志愿者在这次活动的同一天已有服务记录。")]


def test_service_records_in_many_batches_land_whole_or_not_at_all(user, own, monkeypatch):
    """Batches of two, each written before the next is checked, all in one transaction."""

    monkeypatch.setattr(ServiceRecordImporter, "batch_size", 2)
    held = activity(project(own), date(2024, 3, 5), "学雷锋日社区服务")
    people = _registered(7, date(2001, 2, 4))
    rows = _record_rows(own, held, people)
    late = [dict(r) for r in rows]
    late[6]["姓名"] = "别人"  # the last batch fails after three batches were written
    report = run(ServiceRecordImporter, user, late)
    assert report.errors == [RowError(8, "姓名", "与登记的姓名「志愿者6」不一致。")]
    assert not ServiceRecord.objects.exists() and not ServiceRecord.history.exists()

    report = run(ServiceRecordImporter, user, rows)
    assert (report.new, report.errors) == (7, [])
    assert ServiceRecord.objects.filter(activity=held).count() == ServiceRecord.history.filter(
        history_type="+", history_user=user).count() == 7
    if connection.vendor == "postgresql":
        # Foreign keys were checked as each batch was written; afterwards the transaction defers them again, as
        # Django expects: a dangling id is not refused on the spot (only at commit, so it is removed again here).
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO projects_servicerecord (volunteer_id, activity_id, association_id, served_on, "
                           "hours, status, evaluation, recorded_at) VALUES (987654321, %s, %s, %s, 1, 'recorded', '', "
                           "now())",
                           [held.pk, own.pk, held.held_on])
            cursor.execute("DELETE FROM projects_servicerecord WHERE volunteer_id = 987654321")


def test_a_record_already_stored_stops_the_writes_at_its_batch(user, own, monkeypatch, django_assert_max_num_queries):
    """Batches of two: a stored record is found just before its batch would be written (after two batches were
    written); that batch and every later one are not written, the row is named, and the batches before are
    rolled back."""

    from .factories import record

    monkeypatch.setattr(ServiceRecordImporter, "batch_size", 2)
    held = activity(project(own), date(2024, 3, 5), "学雷锋日社区服务")
    people = _registered(7, date(2001, 2, 5))
    stored = record(held, people[4][0], hours="2")
    rows = _record_rows(own, held, people)
    with django_assert_max_num_queries(40):
        report = run(ServiceRecordImporter, user, rows)
    assert report.errors == [RowError(6, "身份证号码", "该志愿者在这次活动的同一天已有服务记录。")]
    assert (report.total, report.new) == (7, 0)
    assert list(ServiceRecord.objects.all()) == [stored]
    assert not ServiceRecord.history.filter(history_type="+", history_change_reason="Excel导入").exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_outside_any_transaction_uses_its_own_connection_alone(user, own, monkeypatch):
    """Called as the admin's worker calls it (no transaction around it): the same findings, the same
    whole-or-nothing, every query on the import's own connection and thread (no second connection, no thread)."""
    import threading

    from django.db.backends.signals import connection_created
    from django.test.utils import CaptureQueriesContext

    from .factories import record

    monkeypatch.setattr(ServiceRecordImporter, "batch_size", 2)
    held = activity(project(own), date(2024, 3, 5), "学雷锋日社区服务")
    people = _registered(7, date(2001, 2, 6))
    stored = record(held, people[4][0], hours="2")
    rows = _record_rows(own, held, people)
    late = [dict(r) for r in rows]
    late[6]["姓名"] = "别人"
    opened, threads_before = [], threading.active_count()
    connection_created.connect(opened.append)
    try:
        report = run(ServiceRecordImporter, user, late)
        assert report.errors == [RowError(6, "身份证号码", "该志愿者在这次活动的同一天已有服务记录。"),
                                 RowError(8, "姓名", "与登记的姓名「志愿者6」不一致。")]
        assert list(ServiceRecord.objects.all()) == [stored]

        stored.delete()
        with CaptureQueriesContext(connection) as queries:
            report = run(ServiceRecordImporter, user, rows)
    finally:
        connection_created.disconnect(opened.append)
    assert (report.new, report.errors) == (7, [])
    assert ServiceRecord.objects.filter(activity=held).count() == ServiceRecord.history.filter(
        history_type="+", history_change_reason="Excel导入").count() == 7
    assert opened == [] and threading.active_count() == threads_before
    lookups = [q["sql"] for q in queries.captured_queries if "id_number_hash" in q["sql"]]
    if connection.vendor == "postgresql":
        # The file is staged: one statement resolves every row's person, one query finds every problem, one
        # writes the records with their history, whatever the number of batches.
        assert len(lookups) == 1 and "import_resolved_service_records" in lookups[0]
        assert len([q for q in queries.captured_queries if "INSERT INTO" in q["sql"]]) == 1
    else:
        assert len(lookups) == 4  # per batch one lookup of the people


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY 写入只用于 PostgreSQL")
def test_a_failed_copy_insert_is_raised_to_the_importer(user, own):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from common.pg_copy import copy_insert_with_history

    held = activity(project(own))
    now = timezone.now()
    missing_volunteer = 987654321
    rows = [(missing_volunteer, held.pk, own.pk, held.held_on, Decimal("2"), "recorded", "", user.pk, now, None,
             None)]
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as an import sets it: the key is checked at once
        copy_insert_with_history(ServiceRecord, rows, user=user, reason="Excel导入")
    assert not ServiceRecord.objects.exists()


def test_training_and_attendance_import(user, own):
    rows = [{"主办协会统一编制序列号": own.serial_number, "培训名称": "2024年青年志愿者骨干培训班",
             "培训类别": "青年志愿者骨干培训", "开始日期": "2024-04-12", "结束日期": "2024-04-11", "学时": "8"}]
    report = run(TrainingSessionImporter, user, rows)
    assert report.errors == [RowError(2, "结束日期", "结束日期不能早于开始日期。")]
    rows[0]["结束日期"] = "2024-04-13"
    assert run(TrainingSessionImporter, user, rows).new == 1
    session = TrainingSession.objects.get()
    assert (session.kind, session.mode, session.hours) == ("backbone", "offline", Decimal("8"))

    from members.tests.factories import id_number

    number = id_number("150102", date(1999, 5, 4), seq=77)
    person = volunteer("150102", name="乌云")
    person.set_id_number(number)
    person.save()
    attendance = [{"主办协会统一编制序列号": own.serial_number, "培训名称": session.title, "开始日期": "2024-04-12",
                   "身份证号码": number, "姓名": "乌云", "出勤": "是"},
                  {"主办协会统一编制序列号": own.serial_number, "培训名称": session.title, "开始日期": "2024-04-12",
                   "身份证号码": number, "姓名": "乌云", "出勤": "否"}]
    report = run(AttendanceImporter, user, attendance)
    assert report.errors == [RowError(3, "身份证号码", "与第 2 行重复。")]
    assert not Attendance.objects.exists()
    assert run(AttendanceImporter, user, attendance[:1]).new == 1


def test_admin_import_pages_exist_for_every_new_sheet(client, user):
    client.force_login(user)
    for name in ("projects_project", "projects_activity", "projects_servicerecord", "training_trainingsession",
                 "training_attendance"):
        template = client.get(reverse(f"admin:{name}_excel_template"))
        assert template.status_code == 200 and template.content.startswith(b"PK"), name
        assert client.get(reverse(f"admin:{name}_excel_import")).status_code == 200, name
        export = client.get(reverse(f"admin:{name}_excel_export"))
        assert export.status_code == 200 and export.content.startswith(b"PK"), name


def test_a_service_record_keeps_its_evaluation_and_a_tenth_of_an_hour(user, own):
    """67号令 art. 4: the record holds 评价情况; hours are kept as entered, to 0.1 h."""
    care_activity = activity(project(own), date(2024, 3, 5), "学雷锋日社区服务")
    people = _registered(2, date(2001, 3, 4))
    rows = _record_rows(own, care_activity, people, hours=("0.2", "1.75"))
    rows[0]["评价情况"] = "服务认真，受到社区居民好评"
    rows[1]["评价情况"] = "好" * 201
    report = run(ServiceRecordImporter, user, rows)
    assert report.errors == [
        RowError(3, "服务时长（小时）", "服务时长「1.75」按实际填写，精确到 0.1 小时（6 分钟），请改为 1.7 或 1.8。"),
        RowError(3, "评价情况", "共 201 字，最多 200 字。"),
    ]
    assert not ServiceRecord.objects.exists()
    rows[1].update({"服务时长（小时）": 1.7000000000000002, "评价情况": ""})  # a spreadsheet's float
    report = run(ServiceRecordImporter, user, rows)
    assert (report.new, report.errors) == (2, [])
    assert sorted(ServiceRecord.objects.values_list("hours", "evaluation")) == [
        (Decimal("0.2"), "服务认真，受到社区居民好评"), (Decimal("1.7"), "")]


def test_a_project_row_with_blank_cells_changes_only_what_it_fills(user, own):
    from common.imports import CLEAR_MARKER, RowChange
    from teams.models import Team

    team = Team.objects.create(name="新城区青年志愿服务队", division=own.division, founded_on=date(2020, 1, 1))
    care = project(own, beneficiaries=["left_behind_children"], service_posts="陪伴辅导", team=team,
                   library_candidate_on=date(2022, 3, 1))
    row = {"协会统一编制序列号": own.serial_number, "项目名称": care.name, "项目品牌": "关爱行动·七彩小屋",
           "服务领域": "助学", "结束日期": "2024-12-31"}
    report = run(ProjectImporter, user, [row], dry_run=True)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 0)
    assert report.changes == [RowChange(2, str(care), (("结束日期", "（空）", "2024-12-31"),))]

    report = run(ProjectImporter, user, [row])
    assert report.ok, report.errors
    care.refresh_from_db()
    assert (care.ended_on, care.regular, care.beneficiaries, care.service_posts, care.team_id,
            care.library_candidate_on) == (date(2024, 12, 31), True, ["left_behind_children"], "陪伴辅导", team.pk,
                                           date(2022, 3, 1))

    again = run(ProjectImporter, user, [row])
    assert (again.updated, again.unchanged) == (0, 1)
    assert care.history.count() == 2  # created, then the one real change

    report = run(ProjectImporter, user, [{**row, "服务岗位": CLEAR_MARKER}])
    assert report.ok, report.errors
    care.refresh_from_db()
    assert care.service_posts == "" and care.beneficiaries == ["left_behind_children"]
