"""Members, unit members, teams and rosters through Excel: the same contract as every other sheet."""
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from accounts.roles import Role
from associations.tests.factories import association
from common.excel import iter_sheet
from common.tabular import importer_workbook
from common.tests.sheets import xlsx
from members import personal_data
from members.importers import IndividualMemberImporter, UnitMemberImporter
from members.models import IndividualMember, UnitMember
from members.tests.factories import volunteer
from teams.importers import RosterImporter, TeamImporter
from teams.models import Team, TeamMembership

from .factories import team

pytestmark = pytest.mark.django_db


def sheet(importer, rows) -> bytes:
    return xlsx(importer.sheet_name, importer.headers, rows)


def run(importer, rows, dry_run=False):
    headers, data = iter_sheet(sheet(importer, rows), sheet_name=importer.sheet_name)
    return importer.run(headers, data, dry_run=dry_run)


@pytest.fixture
def user(make_staff):
    return make_staff(Role.COUNTY_STAFF, "150102")


def number_of(person):
    return personal_data.decrypt(person.id_number_encrypted)


def test_individual_members_land_and_bad_rows_are_named(user):
    assoc = association("150102")
    other = association("150402")
    young, old = volunteer(birth=date(1995, 1, 1), name="王敏"), volunteer(birth=date(1970, 1, 1), name="李强")
    unregistered = "150102199001010011"
    rows = [
        {"协会统一编制序列号": assoc.serial_number, "身份证号码": number_of(young), "姓名": "王敏", "入会日期": "2021-05-04",
         "审核状态": "审核通过", "服务领域": "助学、扶老"},
        {"协会统一编制序列号": assoc.serial_number, "身份证号码": number_of(old), "入会日期": "2021-05-04"},
        {"协会统一编制序列号": other.serial_number, "身份证号码": number_of(young), "入会日期": "2021-05-04"},
        {"协会统一编制序列号": assoc.serial_number, "身份证号码": unregistered, "入会日期": "2021-05-04"},
        {"协会统一编制序列号": assoc.serial_number, "身份证号码": number_of(young), "姓名": "王小敏", "入会日期": "2022-01-01",
         "服务领域": "种树"},
    ]
    from stdnum.cn import ric

    rows[3]["身份证号码"] = unregistered[:17] + ric.calc_check_digit(unregistered[:17] + "0")
    errors = {(e.row, e.column): e.message for e in run(IndividualMemberImporter(user), rows).errors}
    assert errors == {
        (3, "年龄例外说明"): "入会时 51 岁，不在 14–45 岁之间（指引第 6 条：原则上）；确需吸收的，请填写年龄例外说明。",
        (4, "协会统一编制序列号"): f"统一编制序列号「{other.serial_number}」不存在或不在您的管辖范围内。",
        (5, "身份证号码"): "在您的管辖范围内没有登记该身份证号码的注册志愿者，请先导入或登记志愿者。",
        (6, "服务领域"): "「种树」不是服务领域，可选：扶贫、济困、扶老、救孤、恤病、助残、救灾、助医、助学。",
        (6, "姓名"): "与登记的姓名「王敏」不一致。",
    }
    assert not IndividualMember.objects.exists()

    report = run(IndividualMemberImporter(user), rows[:1])
    assert report.ok and IndividualMember.objects.get().domains == ["education", "elderly"]
    assert IndividualMember.history.count() == 1


def test_unit_members_land_with_a_validated_uscc(user):
    assoc = association("150102")
    rows = [{"协会统一编制序列号": assoc.serial_number, "单位名称": "第一中学青年志愿者服务队", "单位类别": "学校志愿者组织",
             "统一社会信用代码": "51150102MJ000000X", "入会日期": "2021-06-01"}]
    assert [e.column for e in run(UnitMemberImporter(user), rows).errors] == ["统一社会信用代码"]
    rows[0]["统一社会信用代码"] = ""
    assert run(UnitMemberImporter(user), rows).ok
    assert UnitMember.objects.get().kind == "school"


def test_teams_land_duplicates_and_township_rules_are_refused(user):
    rows = [
        {"服务队名称": "海拉尔东路街道青年志愿服务队", "依托单位类别": "乡镇（街道）", "区划代码": "150102001", "所在区划": "海拉尔东路街道",
         "新时代文明实践志愿服务队": "是", "成立日期": "2021-03-05"},
        {"服务队名称": "海拉尔东路街道青年志愿服务队", "依托单位类别": "乡镇（街道）", "区划代码": "150102001"},
        {"服务队名称": "新城区青年志愿服务队", "依托单位类别": "城乡社区", "区划代码": "150102"},
        {"服务队名称": "应急救援队", "依托单位类别": "旗县直属", "区划代码": "150102"},
        {"服务队名称": "红山区队", "依托单位类别": "乡镇（街道）", "区划代码": "150402001"},
    ]
    errors = {(e.row, e.column): e.message for e in run(TeamImporter(user), rows).errors}
    assert errors[(3, "服务队名称")] == "与第 2 行重复（同一区划下同名服务队）。"
    assert errors[(4, "所在区划")] == "乡镇（街道）和社区服务队须选择所在的乡镇（街道）。"
    assert errors[(5, "直属服务队领域")].startswith("旗县直属服务队须选择服务领域")
    assert errors[(6, "所在区划")].endswith("不在您的管辖范围（新城区）内，不能在此保存或查看记录。")
    assert not Team.objects.exists()

    assert run(TeamImporter(user), rows[:1]).ok
    saved = Team.objects.get()
    assert saved.civilization_practice and saved.division.code == "150102001"


def test_team_export_reimports_as_a_duplicate_not_a_second_team(user):
    team("150102001")
    content = importer_workbook(TeamImporter(user), Team.objects.select_related("division", "association"))
    headers, rows = iter_sheet(content, sheet_name="青年志愿服务队")
    report = TeamImporter(user).run(headers, rows, dry_run=True)
    assert [e.message for e in report.errors] == ["「海拉尔东路街道」已有名为「海拉尔东路街道青年志愿服务队」的服务队。"]


def test_roster_rows_find_their_team_and_person(user):
    squad = team("150102001")
    person = volunteer(name="王敏")
    rows = [
        {"区划代码": "150102001", "所在区划": "海拉尔东路街道", "服务队名称": squad.name, "身份证号码": number_of(person),
         "加入日期": "2022-01-01"},
        {"区划代码": "150102001", "服务队名称": "不存在的队", "身份证号码": number_of(person)},
    ]
    errors = run(RosterImporter(user), rows).errors
    assert [(e.row, e.column, e.message) for e in errors] == [
        (3, "服务队名称", "「海拉尔东路街道」没有名为「不存在的队」的服务队。")]
    assert run(RosterImporter(user), rows[:1]).ok
    assert TeamMembership.objects.get().volunteer == person


@pytest.mark.parametrize("model", ["members_individualmember", "members_unitmember", "teams_team",
                                   "teams_teammembership"])
def test_excel_screens_exist_and_exports_are_scoped(client, user, model):
    association("150102")
    team("150402001")  # another league
    client.force_login(user)
    assert client.get(reverse(f"admin:{model}_excel_import")).status_code == 200
    template = openpyxl.load_workbook(io.BytesIO(client.get(reverse(f"admin:{model}_excel_template")).content))
    assert "填写说明" in template.sheetnames
    exported = openpyxl.load_workbook(io.BytesIO(client.get(reverse(f"admin:{model}_excel_export")).content))
    assert exported.active.max_row == 1  # headers only: nothing of theirs, nothing of others
