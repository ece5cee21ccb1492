"""An import finds people only within the importing user's scope. Another league's volunteer, named rightly or
wrongly, reads exactly as someone who is not registered: no name is disclosed and nobody is linked."""
from datetime import date

import pytest

from accounts.roles import Role
from associations.tests.factories import association
from common.excel import iter_sheet
from common.tests.sheets import xlsx
from divisions.models import Division
from members import personal_data
from members.importers import NOT_REGISTERED_IN_SCOPE, IndividualMemberImporter
from members.models import IndividualMember
from members.tests.factories import volunteer
from projects.importers import ServiceRecordImporter
from projects.models import ServiceRecord
from projects.tests.factories import activity, project
from teams.importers import RosterImporter
from teams.models import TeamMembership
from teams.tests.factories import team
from training.importers import AttendanceImporter
from training.models import Attendance, TrainingSession

pytestmark = pytest.mark.django_db

OWN, OTHER = "150102", "150402"
FAR_NAME = "格日勒图"


def run(importer, rows):
    headers, data = iter_sheet(xlsx(importer.sheet_name, importer.headers, rows), sheet_name=importer.sheet_name)
    return importer.run(headers, data, dry_run=False)


def member_rows(own_association, number, name):
    return IndividualMemberImporter, IndividualMember, [
        {"协会统一编制序列号": own_association.serial_number, "身份证号码": number, "姓名": name, "入会日期": "2022-05-04"}]


def roster_rows(own_association, number, name):
    township = Division.objects.townships().filter(parent__code=OWN).order_by("code").first()
    squad = team(township.code, name="社区青年志愿服务队")
    return RosterImporter, TeamMembership, [
        {"区划代码": township.code, "服务队名称": squad.name, "身份证号码": number, "姓名": name, "加入日期": "2022-05-04"}]


def service_rows(own_association, number, name):
    done = activity(project(own_association), date(2024, 3, 5), "学雷锋日社区服务")
    return ServiceRecordImporter, ServiceRecord, [
        {"协会统一编制序列号": own_association.serial_number, "项目名称": done.project.name, "活动名称": done.name,
         "活动日期": "2024-03-05", "身份证号码": number, "姓名": name, "服务时长（小时）": 2}]


def attendance_rows(own_association, number, name):
    TrainingSession.objects.create(title="骨干培训", organiser=own_association, kind="backbone",
                                   started_on=date(2024, 4, 1))
    return AttendanceImporter, Attendance, [
        {"主办协会统一编制序列号": own_association.serial_number, "培训名称": "骨干培训", "开始日期": "2024-04-01",
         "身份证号码": number, "姓名": name, "出勤": "是"}]


@pytest.mark.parametrize("rows_for", [member_rows, roster_rows, service_rows, attendance_rows])
@pytest.mark.parametrize("name", [FAR_NAME, "王某某", ""])
def test_another_leagues_volunteer_reads_as_not_registered(make_staff, rows_for, name):
    far = volunteer(OTHER, name=FAR_NAME)
    own_association = association(OWN)
    importer_class, model, rows = rows_for(own_association, personal_data.decrypt(far.id_number_encrypted), name)
    before = model.objects.count()

    report = run(importer_class(make_staff(Role.COUNTY_STAFF, OWN)), rows)

    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, "身份证号码", NOT_REGISTERED_IN_SCOPE)]
    assert FAR_NAME not in " ".join(e.message for e in report.errors)
    assert model.objects.count() == before


@pytest.mark.parametrize("rows_for", [member_rows, roster_rows, service_rows, attendance_rows])
def test_a_volunteer_in_scope_is_found_and_a_wrong_name_is_named(make_staff, rows_for):
    near = volunteer(OWN, name="巴特尔·额尔敦", insured_from=date(2020, 1, 1))
    own_association = association(OWN)
    importer_class, model, rows = rows_for(own_association, personal_data.decrypt(near.id_number_encrypted),
                                           "巴特尔")
    user = make_staff(Role.COUNTY_STAFF, OWN)
    report = run(importer_class(user), rows)
    assert [(e.column, e.message) for e in report.errors] == [("姓名", "与登记的姓名「巴特尔·额尔敦」不一致。")]

    rows[0]["姓名"] = "巴特尔·额尔敦"
    report = run(importer_class(user), rows)
    assert report.ok, report.errors
    assert model.objects.filter(volunteer=near).count() == 1


def test_a_league_user_finds_people_across_their_league_but_not_beyond(make_staff):
    sibling = volunteer("150103", name="其木格", insured_from=date(2020, 1, 1))
    far = volunteer(OTHER, name=FAR_NAME)
    _, _, rows = service_rows(association(OWN), personal_data.decrypt(sibling.id_number_encrypted), sibling.name)
    user = make_staff(Role.LEAGUE_STAFF, OWN[:4])
    far_row = dict(rows[0], 身份证号码=personal_data.decrypt(far.id_number_encrypted), 姓名=FAR_NAME)

    assert [e.message for e in run(ServiceRecordImporter(user), [far_row]).errors] == [NOT_REGISTERED_IN_SCOPE]
    assert run(ServiceRecordImporter(user), rows).ok
    assert ServiceRecord.objects.get().volunteer == sibling
