"""One reading of what people type, in admin forms, the API and Excel imports alike: dates in every form staff use,
phones with +86 and separators, enumerations by code, label or usual short form (the synonyms are data)."""
from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from associations.tests.factories import association
from common.excel import iter_sheet
from common.parsers import ChoiceReader, choice_synonyms, parse_date
from common.tests.sheets import xlsx
from divisions.models import Division
from members.importers import VolunteerImporter
from members.models import Volunteer
from members.reference import ETHNIC_GROUPS, POLITICAL_STATUS
from members.tests.factories import id_number
from members.validators import validate_phone
from projects.models import Activity
from projects.tests.factories import project

TYPED_DATES = ["2021-03-05", "2021/3/5", "2021.3.5", "2021年3月5日", "2021年3月5", "20210305", "２０２１年３月５日",
               "２０２１－０３－０５", " 2021 / 03 / 05 ", 44260, 44260.0, "44260"]  # 44260: Excel's serial


@pytest.mark.parametrize("typed", TYPED_DATES)
def test_every_form_staff_type_is_one_date(typed):
    assert parse_date(typed) == date(2021, 3, 5)


@pytest.mark.parametrize("typed,message", [
    ("2021-02-30", "日期「2021-02-30」不存在：2021年2月没有30日。"),
    ("2021年13月1日", "日期「2021年13月1日」不存在：月份应为 1–12。"),
    ("三月五日", "日期「三月五日」无法识别，请写成 2021-03-05、2021/3/5 或 2021年3月5日。"),
])
def test_a_date_that_is_not_one_says_why(typed, message):
    with pytest.raises(ValueError) as error:
        parse_date(typed)
    assert str(error.value) == message


@pytest.mark.parametrize("typed,stored", [
    ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("+86-138-1234-5678", "13812345678"),
    ("0086 13812345678", "13812345678"), ("8613812345678", "13812345678"), ("＋８６１３８１２３４５６７８", "13812345678"),
    ("0471-6661234", "04716661234"), ("(0471) 666 1234", "04716661234"), ("（0471）6661234", "04716661234"),
])
def test_phones_lose_their_separators_and_country_code(typed, stored):
    assert validate_phone(typed) == stored


def test_a_phone_that_is_not_one_is_refused():
    from django.core.exceptions import ValidationError

    for typed in ("+86 12345", "1381234567", "+1 415 555 0100"):
        with pytest.raises(ValidationError):
            validate_phone(typed)


def test_enumerations_read_codes_labels_short_forms_and_groups_without_their_zu():
    political, ethnic = ChoiceReader(POLITICAL_STATUS), ChoiceReader(ETHNIC_GROUPS)
    assert {political.read(t) for t in ("03", "中国共产主义青年团团员", "共青团员", "团员", " 团 员 ")} == {"03"}
    assert political.read("中共党员") == political.read("党员") == "01" and political.read("群众") == "13"
    assert {ethnic.read(t) for t in ("02", "蒙古族", "蒙古", "蒙族")} == {"02"}
    assert ethnic.read("达斡尔") == ethnic.read("达斡尔族") and ethnic.read("汉") == "01" and ethnic.read("") == ""
    with pytest.raises(ValueError) as error:
        ethnic.read("蒙")
    assert str(error.value) == "「蒙」不是可选的值，请填写完整名称（例如「汉族」）或其代码。"
    with pytest.raises(ValueError) as error:
        political.read("积极分子")
    assert str(error.value).startswith("「积极分子」不是可选的值，可选：中国共产党党员、")


def test_every_synonym_names_a_label_that_exists():
    labels = {label for _, label in POLITICAL_STATUS + ETHNIC_GROUPS}
    assert set(choice_synonyms().values()) <= labels and len(choice_synonyms()) >= 15


@pytest.mark.django_db
def test_the_admin_form_reads_the_dates_the_import_reads(client, make_staff):
    own = association("150102")
    care = project(own, "七彩小屋陪伴计划")
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    for n, typed in enumerate(["2024年3月5日", "２０２４．３．５", "45356"]):  # 45356: 2024-03-05 pasted as a number
        response = client.post(reverse("admin:projects_activity_add"), {
            "project": care.pk, "name": f"学雷锋日社区服务{n}", "held_on": typed, "address": "青年之家",
            "may_endanger": "unknown"})
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert Activity.objects.get(name=f"学雷锋日社区服务{n}").held_on == date(2024, 3, 5)
    response = client.post(reverse("admin:projects_activity_add"), {
        "project": care.pk, "name": "错日期", "held_on": "2024年2月30日", "may_endanger": "unknown"})
    assert response.context["adminform"].form.errors["held_on"] == ["日期「2024年2月30日」不存在：2024年2月没有30日。"]
    assert not Activity.objects.filter(name="错日期").exists()


@pytest.mark.django_db
def test_the_api_and_the_import_read_short_forms_alike(make_staff):
    clerk = make_staff(Role.COUNTY_STAFF, "150102")
    api = APIClient()
    api.force_authenticate(clerk)
    township = Division.objects.get(code="150102001")
    response = api.post("/api/v1/volunteers/", {
        "name": "乌云", "division": township.pk, "id_number": id_number("150102", date(2000, 5, 4), seq=5),
        "registered_on": "2022年3月5日", "phone": "+86 138 1234 5678", "ethnicity": "蒙古",
        "political_status": "团员"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["registered_on"], body["ethnicity"], body["political_status"], body["phone_masked"]) == (
        "2022-03-05", "02", "03", "138****5678")
    response = api.post("/api/v1/volunteers/", {
        "name": "其其格", "division": township.pk, "id_number": id_number("150102", date(2001, 5, 4), seq=6),
        "ethnicity": "蒙"}, format="json")
    assert response.status_code == 400
    assert response.json()["ethnicity"] == ["「蒙」不是可选的值，请填写完整名称（例如「汉族」）或其代码。"]

    row = {"姓名": "阿拉坦", "身份证号码": id_number("150102", date(1999, 1, 2), seq=7), "区划代码": "150102001",
           "所属区划": township.name, "民族": "蒙古", "政治面貌": "共青团员", "手机号码": "+86 139-1234-5678",
           "注册日期": "２０２２年３月５日"}
    headers, rows = iter_sheet(xlsx("注册志愿者", VolunteerImporter(None).headers, [row]), sheet_name="注册志愿者")
    report = VolunteerImporter(clerk).run(headers, rows, dry_run=False)
    assert report.ok, report.errors
    stored = Volunteer.objects.get(name="阿拉坦")
    assert (stored.ethnicity, stored.political_status, stored.registered_on, stored.phone_masked) == (
        "02", "03", date(2022, 3, 5), "139****5678")
