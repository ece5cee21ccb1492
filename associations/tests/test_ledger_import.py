"""Excel import of the ledger: whole file or nothing, every bad row named, scope respected, history kept."""
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from associations.importers import LedgerImporter
from associations.models import Association
from common.excel import iter_sheet
from common.imports import RowError
from divisions.models import Division

from .factories import association, valid_uscc
from .workbooks import county_row, workbook

pytestmark = pytest.mark.django_db


def _import(user, content, *, dry_run=False):
    headers, rows = iter_sheet(content)
    return LedgerImporter(user).run(headers, rows, dry_run=dry_run)


@pytest.fixture
def region_user(make_staff):
    return make_staff(Role.REGION_STAFF, "15")


@pytest.fixture
def counties():
    return list(Division.objects.counties().select_related("parent").order_by("code")[:53])


def _fifty_good_three_bad(counties, *, fixed=False):
    rows = [county_row(d, 统一社会信用代码=valid_uscc(d.code)) for d in counties]
    if not fixed:
        rows[7]["统一社会信用代码"] = valid_uscc(counties[7].code)[:-1] + "0"  # Excel row 9
        rows[20]["成立日期"] = "2021-02-30"  # Excel row 22
        rows[41]["专职工作人员（人）"] = "两"  # Excel row 43
    return workbook(rows)


def test_fifty_good_and_three_bad_rows_land_nothing_and_name_exactly_the_bad_rows(region_user, counties):
    report = _import(region_user, _fifty_good_three_bad(counties))

    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(9, "统一社会信用代码"), (22, "成立日期"), (43, "专职工作人员（人）")]
    assert report.errors[0].message == "统一社会信用代码校验位不正确，请核对原件。"
    assert report.errors[1].message == "日期「2021-02-30」不存在：2021年2月没有30日。"
    assert "两" in report.errors[2].message
    assert Association.objects.count() == 0
    assert Association.history.count() == 0


def test_the_same_file_fixed_lands_all_fifty_three_rows_with_history(region_user, counties):
    report = _import(region_user, _fifty_good_three_bad(counties, fixed=True))

    assert report.ok, report.errors
    assert (report.new, report.updated) == (53, 0)
    assert Association.objects.count() == 53
    created = Association.history.filter(history_type="+")
    assert created.count() == 53
    assert set(created.values_list("history_user", flat=True)) == {region_user.pk}
    assert set(created.values_list("history_change_reason", flat=True)) == {"Excel导入"}
    first = Association.objects.get(division=counties[0])
    assert first.serial_number == f"{counties[0].gb_code}-01"
    assert first.founded_on == date(2021, 3, 5) and first.registered_on == date(2021, 4, 1)
    assert first.is_registered is True
    unit = first.supervising_units.get()
    assert (unit.kind, unit.name, unit.since) == ("cyl_committee", f"共青团{counties[0].name}委员会", date(2021, 3, 5))
    assert unit.history.get().history_user == region_user


def test_dry_run_writes_nothing_even_when_the_file_is_good(region_user, counties):
    report = _import(region_user, _fifty_good_three_bad(counties, fixed=True), dry_run=True)
    assert report.ok and report.new == 53
    assert Association.objects.count() == 0


def test_out_of_scope_county_in_a_county_users_file_is_refused(make_staff):
    user = make_staff(Role.COUNTY_STAFF, "150102")
    own, other = Division.objects.get(code="150102"), Division.objects.get(code="150402")
    report = _import(user, workbook([county_row(own), county_row(other)]))

    assert report.errors == [RowError(3, "所属区划", "「红山区」不在您的管辖范围（新城区）内，不能在此保存或查看记录。")]
    assert not Association.objects.exists()


def test_unknown_county_and_code_name_mismatch(region_user):
    xincheng = Division.objects.get(code="150102")
    rows = [
        county_row(xincheng, 区划代码="159999"),
        county_row(xincheng, 区划代码="150103"),
        county_row(xincheng, 区划代码=None, 所属区划="不存在旗"),
    ]
    messages = [e.message for e in _import(region_user, workbook(rows)).errors]
    assert messages == [
        "区划代码「159999」不存在，或不是自治区、盟市、旗县（市、区）、乡镇（街道）的代码。",
        "区划代码 150103 是「回民区」，与所填「新城区」不一致。",
        "找不到名为「不存在旗」的区划（自治区、盟市、旗县（市、区）、乡镇（街道））。",
    ]


def test_dissolved_before_founded_and_duplicates(region_user):
    xincheng, huimin = Division.objects.get(code="150102"), Division.objects.get(code="150103")
    association("150104")
    rows = [
        county_row(xincheng, 注销日期="2020-01-01"),  # row 2: dissolved before founded
        county_row(huimin, 统一社会信用代码=valid_uscc("150103")),  # row 3
        county_row(huimin, 统一社会信用代码=valid_uscc("150103")),  # row 4: same county again, same USCC
        county_row(Division.objects.get(code="150104")),  # row 5: county already has an active association
        county_row(xincheng, 统一编制序列号="150102-99", 注销日期=None),  # row 6: unknown serial number
    ]
    errors = {(e.row, e.column): e.message for e in _import(region_user, workbook(rows)).errors}
    assert errors[(2, "注销日期")] == "注销日期不能早于成立日期。"
    assert errors[(4, "所属区划")] == "与第 3 行是同一区划、同一层级的协会，重复。"
    assert errors[(4, "统一社会信用代码")] == "与第 3 行的统一社会信用代码重复。"
    assert errors[(5, "所属区划")] == "「玉泉区」已有未注销的旗县级协会，不能重复登记。"
    assert errors[(6, "统一编制序列号")] == "统一编制序列号「150102-99」不存在或不在您的管辖范围内；新登记的协会请留空。"
    assert Association.objects.count() == 1


def test_duplicate_serial_numbers_in_one_file(region_user):
    existing = association("150102")
    row = county_row(existing.division, 统一编制序列号=existing.serial_number)
    errors = _import(region_user, workbook([row, dict(row)])).errors
    assert RowError(3, "统一编制序列号", "与第 2 行的统一编制序列号重复。") in errors


def test_cells_are_trimmed_and_full_width_normalised_and_date_forms_accepted(region_user):
    xincheng = Division.objects.get(code="150102")
    full_width_uscc = "".join(chr(ord(c) + 0xFEE0) for c in valid_uscc("150102").lower())
    rows = [
        county_row(
            xincheng,
            协会名称="  呼和浩特市新城区青年志愿者协会 ",
            区划代码="１５０１０２",
            统一社会信用代码=full_width_uscc,
            成立日期=date(2021, 3, 5),
            确定为团委主管的日期="2021年3月5日",
            登记日期=44291,  # an Excel serial date: 2021-04-05
        )
    ]
    report = _import(region_user, workbook(rows))
    assert report.ok, report.errors
    saved = Association.objects.get()
    assert saved.name == "呼和浩特市新城区青年志愿者协会"
    assert saved.uscc == valid_uscc("150102")
    assert (saved.founded_on, saved.supervising_unit().since, saved.registered_on) == (
        date(2021, 3, 5), date(2021, 3, 5), date(2021, 4, 5)
    )


def test_choice_and_number_errors_are_in_chinese(region_user):
    xincheng = Division.objects.get(code="150102")
    rows = [county_row(xincheng, 层级="乡镇级", **{"专职工作人员（人）": -2, "已在民政部门登记": "也许"})]
    errors = {e.column: e.message for e in _import(region_user, workbook(rows)).errors}
    assert errors["层级"] == "「乡镇级」不是可选的值，可选：自治区级、盟市级、旗县级、乡镇（街道）、社区、园区级。"
    assert errors["专职工作人员（人）"] == "「-2」不能为负数。"
    assert errors["已在民政部门登记"] == "「也许」应填“是”或“否”，不清楚请留空。"


def test_missing_columns_are_reported_before_any_row(region_user):
    report = _import(region_user, workbook([{"协会名称": "x"}], headers=["协会名称"]))
    assert [e.message for e in report.errors] == ["缺少列：层级、所属区划。请使用下载的模板，第 1 行为列标题。"]


def test_unrecognised_columns_are_refused(region_user):
    xincheng = Division.objects.get(code="150102")
    headers = ["协会名称", "层级", "所属区划", "专职工作人员(人)"]
    report = _import(region_user, workbook([county_row(xincheng)], headers=headers))
    assert [e.message for e in report.errors] == ["无法识别的列：专职工作人员(人)。请使用下载的模板中的列标题。"]
    assert not Association.objects.exists()


def test_update_by_serial_number_keeps_the_number_and_records_history(region_user):
    existing = association("150102", name="呼和浩特市新城区青年志愿者协会")
    row = county_row(existing.division, 统一编制序列号=existing.serial_number, **{"专职工作人员（人）": 3})
    report = _import(region_user, workbook([row]))
    assert report.ok and (report.new, report.updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.staff_fulltime == 3 and existing.serial_number == "150102-01"
    assert existing.history.first().history_change_reason == "Excel导入"


def test_a_county_user_cannot_update_another_countys_association_by_its_serial(make_staff):
    other = association("150103")
    user = make_staff(Role.COUNTY_STAFF, "150102")
    row = county_row(Division.objects.get(code="150102"), 统一编制序列号=other.serial_number)
    report = _import(user, workbook([row]))
    assert [e.column for e in report.errors] == ["统一编制序列号"]
    other.refresh_from_db()
    assert other.division.code == "150103"


def test_import_queries_are_constant_per_batch(region_user):
    """Rows of dissolved associations (history), so one county can appear many times."""
    counties = list(Division.objects.counties().select_related("parent"))

    def rows(n):
        return [
            county_row(counties[i % len(counties)], 成立日期="2010-01-01", 注销日期="2015-01-01")
            for i in range(n)
        ]

    def queries(n):
        content = workbook(rows(n))
        with CaptureQueriesContext(connection) as ctx:
            report = _import(region_user, content, dry_run=True)
        assert report.ok, report.errors[:3]
        inserts = sum(q["sql"].startswith("INSERT") for q in ctx.captured_queries)
        return {"insert": inserts, "other": len(ctx.captured_queries) - inserts}

    small, one_batch, two_batches = queries(10), queries(900), queries(1900)
    assert small["other"] == one_batch["other"]
    # One more batch costs its serial-number counters (3 queries) and its savepoints (4), nothing per row.
    assert two_batches["other"] - one_batch["other"] <= 8
    # Inserts are bulk: a handful per batch (SQLite splits a statement at 999 parameters), never one per row.
    assert two_batches["insert"] < 1900 / 10


def test_admin_upload_preview_then_confirm(client, make_staff):
    user = make_staff(Role.LEAGUE_STAFF, "1501")
    client.force_login(user)
    content = workbook([county_row(Division.objects.get(code="150102")), county_row(Division.objects.get(code="150103"))])
    upload = io.BytesIO(content)
    upload.name = "台账.xlsx"

    preview = client.post(reverse("admin:associations_association_excel_import"), {"file": upload})

    assert preview.status_code == 200
    assert "将新增 <strong>2</strong> 个协会" in preview.content.decode()
    assert not Association.objects.exists()
    confirm = client.post(reverse("admin:associations_association_excel_confirm"), {"token": preview.context["token"]})
    assert confirm.status_code == 302
    assert Association.objects.count() == 2
    again = client.post(reverse("admin:associations_association_excel_confirm"), {"token": preview.context["token"]})
    assert Association.objects.count() == 2 and again.status_code == 302


def test_admin_preview_lists_errors_in_a_table(client, make_staff):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    upload = io.BytesIO(workbook([county_row(Division.objects.get(code="150402"))]))
    upload.name = "台账.xlsx"
    page = client.post(reverse("admin:associations_association_excel_import"), {"file": upload}).content.decode()
    assert "已检查 1 行，发现 1 处问题，整个文件未导入" in page
    assert "<td>第 2 行</td><td>所属区划</td>" in page
    assert "token" not in page or 'name="token"' not in page


def test_upload_that_is_not_xlsx_is_refused(client, make_staff):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    upload = io.BytesIO(b"name,level\n")
    upload.name = "台账.xlsx"
    page = client.post(reverse("admin:associations_association_excel_import"), {"file": upload}).content.decode()
    assert "文件不是 Excel 工作簿（.xlsx）" in page


def test_official_cannot_import(client, make_staff):
    client.force_login(make_staff(Role.OFFICIAL, "15"))
    assert client.get(reverse("admin:associations_association_excel_import")).status_code == 403
    assert client.get(reverse("admin:associations_association_excel_template")).status_code == 403


def test_abandoned_uploads_are_pruned(client, make_staff):
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    def stored():
        try:
            return default_storage.listdir("excel-imports")[1]
        except FileNotFoundError:
            return []

    before = len(stored())
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    upload = io.BytesIO(workbook([county_row(Division.objects.get(code="150102"))]))
    upload.name = "台账.xlsx"
    client.post(reverse("admin:associations_association_excel_import"), {"file": upload})
    assert len(stored()) == before + 1

    out = io.StringIO()
    call_command("prune_excel_uploads", hours=0, stdout=out)

    assert f"已删除 {before + 1} 个" in out.getvalue()
    assert stored() == []


def test_a_name_that_departs_from_the_guide_is_recorded_and_the_checkup_advises(region_user, counties):
    """G2 says 名称原则上应为…: the ledger records the name as used, and the 体检 reports it as advice."""
    from associations.rules import Status
    from checkup.facts import association_findings

    rows = [county_row(counties[0], 协会名称="某某青年志愿者协会")]
    report = _import(region_user, workbook(rows))
    assert report.ok, report.errors
    stored = Association.objects.get()
    finding = next(f for f in association_findings(Association.objects.all(), as_of=date(2024, 6, 30))[stored.pk]
                   if f.clause == "G2")
    assert finding.status == Status.ADVICE and "原则上应为" in finding.reason


# --- the supervising unit (G1): the row gives the unit in force; a new kind with its date records a change
def _xincheng_ledger(user, **cells):
    xincheng = Division.objects.get(code="150102")
    return _import(user, workbook([county_row(xincheng, **cells)]))


def test_a_new_kind_with_its_date_adds_a_row_to_the_supervising_unit_history(region_user):
    obj = association("150102", founded_on=date(2019, 6, 1), supervisor_kind="civil_affairs",
                      supervisor_name="新城区民政局")
    report = _xincheng_ledger(region_user, 统一编制序列号=obj.serial_number, 成立日期="2019-06-01",
                              业务主管单位类别="共青团委员会", 业务主管单位名称="共青团新城区委员会",
                              业务主管单位起始日期="2021-09-01", 变更登记日期="2021-09-20",
                              **{"变更登记文件（文号）": "新民社变〔2021〕3号"})
    assert report.ok, report.errors
    units = list(obj.supervising_units.values_list("kind", "name", "since", "change_registered_on", "change_document"))
    assert units == [("civil_affairs", "新城区民政局", None, None, ""),
                     ("cyl_committee", "共青团新城区委员会", date(2021, 9, 1), date(2021, 9, 20), "新民社变〔2021〕3号")]


def test_a_change_without_its_date_is_refused_and_blank_cells_keep_the_unit(region_user):
    obj = association("150102", founded_on=date(2019, 6, 1), supervisor_kind="civil_affairs",
                      supervisor_name="新城区民政局")
    report = _xincheng_ledger(region_user, 统一编制序列号=obj.serial_number, 成立日期="2019-06-01",
                              业务主管单位起始日期="")
    assert not report.ok
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "业务主管单位起始日期", "业务主管单位由「民政部门」变更为「共青团委员会」，请填写变更日期。")]
    report = _xincheng_ledger(region_user, 统一编制序列号=obj.serial_number, 成立日期="2019-06-01",
                              业务主管单位类别="", 业务主管单位名称="", 业务主管单位起始日期="")
    assert report.ok, report.errors
    assert list(obj.supervising_units.values_list("kind", "name")) == [("civil_affairs", "新城区民政局")]


def test_the_old_heading_for_the_cyl_date_still_imports(region_user):
    xincheng = Division.objects.get(code="150102")
    row = county_row(xincheng)
    row["确定为团委主管的日期"] = row.pop("业务主管单位起始日期")
    headers = [("确定为团委主管的日期" if h == "业务主管单位起始日期" else h) for h in LedgerImporter(None).headers]
    report = _import(region_user, workbook([row], headers=headers))
    assert report.ok, report.errors
    assert Association.objects.get().supervising_unit().since == date(2021, 3, 5)


def test_g10_conditions_are_imported(region_user):
    report = _xincheng_ledger(region_user, 具备成立党组织的条件="是", 具备建立团组织的条件="否")
    assert report.ok, report.errors
    saved = Association.objects.get()
    assert (saved.party_org_conditions, saved.league_org_conditions) == (True, False)


def test_a_township_association_is_imported_beside_its_county(region_user):
    xincheng = Division.objects.get(code="150102")
    street = Division.objects.get(code="150102001")
    rows = [county_row(xincheng),
            county_row(street, 协会名称="海拉尔东路街道青年志愿者协会", 层级="乡镇（街道）、社区、园区级", 基层协会类别="乡镇（街道）"),
            county_row(street, 协会名称="某社区青年志愿者协会", 层级="乡镇（街道）、社区、园区级", 基层协会类别="社区")]
    report = _import(region_user, workbook(rows))
    assert report.ok, report.errors
    assert sorted(Association.objects.values_list("level", "grassroots_kind", "serial_number")) == [
        ("county", "", "150102-01"), ("grassroots", "community", "150102001-02"),
        ("grassroots", "township", "150102001-01")]
