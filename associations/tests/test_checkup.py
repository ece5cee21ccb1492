"""体检 from the database: facts built in constant queries, the panel, the list filter and the printable page."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from associations.models import (
    Association,
    Officer,
    PartyLeagueOrganisation,
    SeatMembership,
    SystemAdoption,
)
from associations.rules import Status
from checkup.facts import association_findings
from members.tests.factories import member, unit
from projects.tests.factories import service_work
from teams.tests.factories import full_coverage

from .factories import association, valid_uscc

pytestmark = pytest.mark.django_db


def well_kept(code, years=None, **overrides):
    obj = association(code, **{
        "is_registered": True,
        "registration_authority": "民政局",
        "registered_on": date(2020, 7, 1),
        "uscc": valid_uscc(code),
        "secretariat_host": "cyl_committee",
        "staff_fulltime": 1,
        "fulltime_posts": 1,
        "annual_budget": 5,
        "has_office": True,
        **overrides,
    })
    for role in ("president", "legal_representative", "secretary_general"):
        Officer.objects.create(association=obj, role=role, name="王志强", is_cyl_leader=True, term_start=date(2020, 6, 1))
    for system in SystemAdoption.System:
        SystemAdoption.objects.create(association=obj, system=system, adopted_on=date(2020, 6, 1))
    PartyLeagueOrganisation.objects.create(association=obj, kind="league", established_on=date(2020, 6, 1))
    member(obj)
    unit(obj)
    if obj.level == "county":
        full_coverage(code)
    this_year = timezone.localdate().year
    for year in years or sorted({2023, 2024, this_year - 1, this_year}):
        service_work(obj, year)
    return obj


def test_a_well_kept_county_association_passes_every_check():
    obj = well_kept("150121", name="土默特左旗青年志愿者协会")
    findings = association_findings(Association.objects.all(), as_of=date(2024, 12, 31))[obj.pk]
    assert {f.status for f in findings} == {Status.PASS}
    # On 2 January this year's duties are not due yet; nothing is 不符合
    findings = association_findings(Association.objects.all(), as_of=date(2024, 1, 2))[obj.pk]
    assert {f.status for f in findings} == {Status.PASS}  # this year's training was on 1 January
    assert {(f.clause, f.status) for f in findings if f.year == 2023} == {
        ("G12", Status.PASS), ("N5.1", Status.PASS), ("G15", Status.PASS)}


def test_league_seat_check_reads_the_county_associations_of_its_league():
    league = well_kept("1501", name="呼和浩特市青年志愿者协会")
    county = well_kept("150121", name="土默特左旗青年志愿者协会")
    well_kept("150402", name="赤峰市红山区青年志愿者协会")  # another league: not expected
    seat = [f for f in association_findings(Association.objects.filter(pk=league.pk), as_of=date(2024, 1, 1))[league.pk]
            if f.title == "下级协会全部作为席位会员"][0]
    assert seat.status == Status.FAIL and seat.reason == "以下旗县协会尚未成为席位会员：土默特左旗青年志愿者协会。"

    SeatMembership.objects.create(upper=league, lower=county, joined_on=date(2020, 8, 1))
    seat = [f for f in association_findings(Association.objects.filter(pk=league.pk), as_of=date(2024, 1, 1))[league.pk]
            if f.title == "下级协会全部作为席位会员"][0]
    assert seat.status == Status.PASS


def test_findings_cost_the_same_queries_for_one_or_many_associations():
    well_kept("1501", name="呼和浩特市青年志愿者协会")
    well_kept("150121", name="土默特左旗青年志愿者协会")
    with CaptureQueriesContext(connection) as one:
        association_findings(Association.objects.filter(division__code="150121"), as_of=date(2024, 1, 1))
    for code in ("150122", "150123", "150124", "150125"):
        well_kept(code)
    with CaptureQueriesContext(connection) as many:
        result = association_findings(Association.objects.all(), as_of=date(2024, 1, 1))
    assert len(result) == 6
    assert len(many) == len(one)  # the lower-level associations expected as seats: one query for any mix of levels


def test_change_page_shows_the_checkup_panel(client, make_staff):
    obj = well_kept("150102", name="新城区青年志愿者协会", staff_fulltime=0)  # G2 advice, G5 fails
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    page = client.get(reverse("admin:associations_association_change", args=[obj.pk])).content.decode()
    assert "体检（截至今日）" in page
    assert "名称「新城区青年志愿者协会」不规范，原则上应为「呼和浩特市新城区青年志愿者协会」。" in page
    assert "秘书处设在旗县团委，但没有专职工作人员。" in page
    assert "个人会员年龄原则上应在14岁以上，45岁以下。" in page  # each finding with its clause's wording
    assert page.count('class="checkup-advice"') == 1 and page.count('class="checkup-fail"') == 1
    assert page.count('class="checkup-pass"') == 17 + 3  # and last year's three yearly duties


def test_changelist_filter_has_failing_and_unknown_checks(client, make_staff):
    good = well_kept("150121", name="土默特左旗青年志愿者协会")
    failing = well_kept("150102", name="呼和浩特市新城区青年志愿者协会", staff_fulltime=0)
    advised = well_kept("150104", name="玉泉区青年志愿者协会")  # G2 原则上: advice only
    unknown = association("150103", name="呼和浩特市回民区青年志愿者协会")  # nothing recorded beyond G1
    client.force_login(make_staff(Role.LEAGUE_STAFF, "1501"))
    url = reverse("admin:associations_association_changelist")

    def listed(value):
        return {a.pk for a in client.get(url, {"checkup": value}).context["cl"].result_list}

    assert listed("fail") == {failing.pk}
    assert listed("unknown") == {unknown.pk}
    assert listed("advice") == {advised.pk}
    assert listed("pass") == {good.pk, advised.pk}


def test_printable_checkup_as_of_a_date_and_scoped(client, make_staff):
    obj = well_kept("150121", name="土默特左旗青年志愿者协会", founded_on=date(2021, 3, 5), supervisor_cyl_since=date(2021, 3, 5))
    url = reverse("admin:associations_association_checkup", args=[obj.pk])
    client.force_login(make_staff(Role.COUNTY_STAFF, "150121"))

    page = client.get(url, {"as_of": "2020-12-31"}).content.decode()
    assert "截至2020年12月31日协会尚未成立（2021年3月5日成立）。" in page

    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    assert client.get(url).status_code == 404


def test_the_api_gives_each_finding_with_its_kind_wording_and_year(make_staff):
    from rest_framework.test import APIClient

    obj = well_kept("150104", name="玉泉区青年志愿者协会")  # G2 原则上: advice
    api = APIClient()
    api.force_authenticate(make_staff(Role.COUNTY_STAFF, "150104"))
    findings = api.get(f"/api/v1/associations/{obj.pk}/").json()["findings"]
    g2 = next(f for f in findings if f["clause"] == "G2")
    assert (g2["status"], g2["status_label"], g2["strength"]) == ("advice", "建议改进", "soft")
    assert g2["wording"].startswith("名称原则上应为") and g2["year"] is None
    last_year = timezone.localdate().year - 1
    assert {f["clause"] for f in findings if f["year"] == last_year} == {"G12", "N5.1", "G15"}
