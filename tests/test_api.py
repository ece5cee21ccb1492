"""The API writes through the same validation as the admin, masks personal data, logs unmasking, costs the same
queries for one row as for many, and its token endpoint locks out like the login page."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import Role
from associations.models import Association
from divisions.models import Division
from members.models import IndividualMember, PersonalDataAccess, Volunteer
from members.tests.factories import id_number, volunteer

from .matrix import MAKERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(make_staff):
    client = APIClient()
    client.force_authenticate(make_staff(Role.COUNTY_STAFF, "150102"))
    return client


def test_creating_an_association_numbers_it_and_refuses_another_county(county):
    division = Division.objects.get(code="150102")
    response = county.post("/api/v1/associations/", {
        "level": "county", "division": division.pk, "name": "呼和浩特市新城区青年志愿者协会",
        "founded_on": "2020-06-01"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["serial_number"] == "150102-01"
    assert Association.objects.get().history.count() == 1

    other = Division.objects.get(code="150402")
    response = county.post("/api/v1/associations/", {"level": "county", "division": other.pk, "name": "x"},
                           format="json")
    assert response.status_code == 400
    assert response.json()["division"] == [f"所选记录（ID {other.pk}）不存在，或不在您的管辖范围内。"]


def test_volunteer_writes_validate_mask_and_refuse_duplicates(county):
    division = Division.objects.get(code="150102001")
    number = id_number("150102", date(2000, 5, 4), seq=5)
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    base = {"name": "乌云", "division": division.pk, "registered_on": "2022-03-05", "phone": "13812345678"}
    response = county.post("/api/v1/volunteers/", {**base, "id_number": wrong}, format="json")
    assert response.status_code == 400 and response.json()["id_number"] == ["身份证号码校验位不正确，请核对证件。"]

    response = county.post("/api/v1/volunteers/", {**base, "id_number": number}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id_number_masked"] == number[:4] + "*" * 10 + number[-4:] and body["phone_masked"] == "138****5678"
    assert "id_number" not in body and "id_number_encrypted" not in body and number not in response.content.decode()
    assert Volunteer.objects.get().id_number_encrypted != number

    response = county.post("/api/v1/volunteers/", {**base, "id_number": number}, format="json")
    assert response.status_code == 400
    assert response.json()["id_number"][0].startswith("该身份证号码已在平台登记为志愿者")


def test_under_fourteen_and_member_age_refused_in_chinese(county):
    division = Division.objects.get(code="150102")
    child = id_number("150102", date(2015, 1, 1), seq=7)
    response = county.post("/api/v1/volunteers/", {"name": "小明", "division": division.pk, "id_number": child,
                                                   "registered_on": "2024-01-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["registered_on"] == ["注册时未满 14 周岁（9 岁），不能注册为志愿者。"]

    association = MAKERS["associations_association"]("150102", 0)
    older = volunteer("150102", birth=date(1970, 1, 1))
    response = county.post("/api/v1/individual-members/", {
        "association": association.pk, "volunteer": older.pk, "joined_on": "2024-01-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["age_exception"] == [
        "入会时 54 岁，不在 14–45 岁之间（指引第 6 条：原则上）；确需吸收的，请填写年龄例外说明。"]
    assert not IndividualMember.objects.exists()
    response = county.post("/api/v1/individual-members/", {
        "association": association.pk, "volunteer": older.pk, "joined_on": "2024-01-01",
        "age_exception": "资深助残志愿者，经理事会同意"}, format="json")
    assert response.status_code == 201, response.json()
    assert IndividualMember.objects.get().age_exception == "资深助残志愿者，经理事会同意"


def test_reveal_needs_the_permission_and_is_logged(make_staff, county):
    person = volunteer("150102", phone="13912345678")
    assert county.post(f"/api/v1/volunteers/{person.pk}/reveal/", {"purpose": "核对"}, format="json").status_code == 403
    league = APIClient()
    league.force_authenticate(make_staff(Role.LEAGUE_STAFF, "1501"))
    assert league.post(f"/api/v1/volunteers/{person.pk}/reveal/", {}, format="json").json() == {
        "purpose": ["请填写查看事由。"]}
    response = league.post(f"/api/v1/volunteers/{person.pk}/reveal/", {"purpose": "保险理赔核对"}, format="json")
    assert response.status_code == 200 and response.json()["phone"] == "13912345678"
    log = PersonalDataAccess.objects.get()
    assert (log.volunteer, log.purpose) == (person, "保险理赔核对")


def test_service_record_hours_change_only_by_correction(county):
    record = MAKERS["projects_servicerecord"]("150102", 0)
    url = f"/api/v1/service-records/{record.pk}/"
    response = county.patch(url, {"hours": "1"}, format="json")
    assert response.status_code == 200 and response.json()["hours"] == 2.0  # read-only after recording
    assert county.post(f"{url}correct/", {"hours": "1.2"}, format="json").json() == {
        "reason": ["更正服务记录须填写更正原因。"]}
    response = county.post(f"{url}correct/", {"hours": "1.2", "reason": "签到核对"}, format="json")
    assert response.status_code == 200 and response.json()["hours"] == 1.2  # as entered, no rounding
    assert record.corrections.get().old_hours == 2


@pytest.mark.parametrize("prefix", ["volunteers", "associations", "service-records", "team-memberships",
                                    "snapshots"])
def test_list_queries_do_not_grow_with_rows(county, prefix):
    from config.api import router

    viewset = next(v for p, v, _ in router.registry if p == prefix)
    opts = viewset.queryset.model._meta
    make = MAKERS[f"{opts.app_label}_{opts.model_name}"]
    make("150102", 0)
    county.get(f"/api/v1/{prefix}/")
    with CaptureQueriesContext(connection) as one:
        first = county.get(f"/api/v1/{prefix}/")
    for n in range(1, 6):
        make("150102", n)
    with CaptureQueriesContext(connection) as many:
        response = county.get(f"/api/v1/{prefix}/")
    assert response.json()["count"] > first.json()["count"]
    assert len(many) == len(one)


def test_page_size_is_bounded(county):
    response = county.get("/api/v1/divisions/", {"page_size": 100000})
    assert len(response.json()["results"]) <= 500


def test_token_endpoint_issues_tokens_and_locks_out(make_staff, settings):
    user = make_staff(Role.COUNTY_STAFF, "150102")
    client = APIClient()
    response = client.post("/api/v1/token/", {"username": user.username, "password": "pw-Secret-123"})
    token = response.json()["token"]
    authorised = APIClient()
    authorised.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert authorised.get("/api/v1/associations/").status_code == 200

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/api/v1/token/", {"username": user.username, "password": "wrong"}).status_code == 400
    assert client.post("/api/v1/token/", {"username": user.username, "password": "wrong"}).status_code == 429
    locked = client.post("/api/v1/token/", {"username": user.username, "password": "pw-Secret-123"})
    assert locked.status_code == 429  # even the right password, until the cool-off ends


def test_schema_and_docs_are_served_locally(client, make_staff):
    client.force_login(make_staff(Role.OFFICIAL, "15"))
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/volunteers/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower() and "//unpkg" not in docs


def test_openapi_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    assert "/api/v1/service-records/{id}/correct/:" in text and "/api/v1/volunteers/{id}/reveal/:" in text


def test_tokens_are_throttled_and_sessions_are_not(make_staff, monkeypatch):
    from rest_framework.authtoken.models import Token

    from common.api_policy import TokenRateThrottle

    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    user = make_staff(Role.COUNTY_STAFF, "150102")
    integration = APIClient()
    integration.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert [integration.get("/api/v1/teams/").status_code for _ in range(4)] == [200, 200, 200, 429]
    browser = APIClient()
    browser.force_login(user)
    assert [browser.get("/api/v1/teams/").status_code for _ in range(4)] == [200, 200, 200, 200]
