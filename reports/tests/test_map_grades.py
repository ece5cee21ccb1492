"""The map's grades: the share of a county association's hard clauses met, advice and duties not yet due left
out, 待补充 counted and hatched; the legend's counts, the counties behind per league with their clauses, the
evaluation report's reasons and the workbook's columns all read the same stored 体检."""
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from associations.tests.factories import association
from reports.metrics import ClauseCount, clause_count
from reports.selectors import dashboard_data
from reports.services import snapshots_compute

pytestmark = pytest.mark.django_db


def test_only_hard_clauses_count_and_a_duty_not_due_reads_last_year():
    count = clause_count(
        {"G1": "pass", "G3": "fail", "G2": "advice", "G6": "unknown", "G11": "unknown", "G12": "not_due",
         "N5.1": "not_due"},
        {"G12": "fail", "G15": "pass"})  # N5.1 has no last-year finding: left out
    assert (count.met, count.failing, count.unknown, count.soft_unknown) == (1, ("G3", "G12"), ("G11",), 1)
    assert count.judged == 4 and count.share == Decimal("25.0") and count.grade("failing") == "lowest"


@pytest.mark.parametrize("met,judged,grade", [
    (14, 14, "full"), (13, 14, "high"), (4, 5, "high"), (79, 100, "middle"), (3, 5, "middle"), (2, 5, "low"),
    (39, 100, "lowest"), (0, 3, "lowest"),
])
def test_grade_bins(met, judged, grade):
    assert ClauseCount(met, ("G3",) * (judged - met), (), 0).grade("failing") == grade


def test_no_association_and_nothing_to_judge_are_grades_of_their_own():
    assert clause_count({}, {}).grade("none") == "none"
    assert clause_count({"G2": "advice"}, {}).grade("unknown") == "unjudged"


def test_legend_behind_evaluation_and_workbook_agree(client, make_staff):
    association("150102", founded_on=date(2020, 6, 1), supervisor_kind="civil_affairs",
                supervisor_name="呼和浩特市新城区民政局", supervisor_cyl_since=None)  # G1 不符合
    association("150103", founded_on=None)  # nothing dated: nothing to judge
    snapshots_compute()
    from divisions.models import Division

    as_of = timezone.localdate()
    data = dashboard_data(Division.objects.get(code="1501"), as_of)
    legend = {g["key"]: g["count"] for g in data.legend}
    assert sum(legend.values()) == 9 and legend["none"] == 7 and legend["unjudged"] == 1
    county = next(c for c in data.counties if c["code"] == "150102")
    assert "G1 业务主管单位" in county["failing"] and county["judged"] == 14
    assert county["met"] + len(county["failing"]) + len(county["unknown"]) == 14
    assert data.hatched == sum(1 for c in data.counties if c["unknown"] or c["grade"] == "unjudged")
    [league] = data.leagues
    assert league["name"] == "呼和浩特市" and len(league["behind"]) == 8
    assert league["behind"][-1]["code"] == "150102"  # the counties without an association first
    assert {"name": "G1 业务主管单位", "counties": 1} in league["top_clauses"]

    client.force_login(make_staff(Role.OFFICIAL, "1501"))
    page = client.get(reverse("reports:division", args=["1501"])).content.decode()
    assert 'data-grade="none" data-count="7">未建立协会（7）</li>' in page
    assert "9 个旗县中 8 个落后" in page

    report = client.get(reverse("reports:evaluation", args=["1501"]), {"year": as_of.year}).content.decode()
    row = report[report.index('<tr data-code="150102">'):]
    row = row[:row.index("</tr>")]
    assert "新城区" in row and "G1 业务主管单位" in row and f"{county['met']}/14" in row
    row = report[report.index('<tr data-code="150121">'):]
    assert "未建立协会（N2.1）" in row[:row.index("</tr>")]

    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("reports:export", args=["1501"])).content))
    rows = list(book["旗县体检"].iter_rows(values_only=True))
    header, xincheng = rows[0], next(r for r in rows if r[0] == "150102")
    assert header[2:9] == ("所属盟市", "状态", "硬性条款符合数", "已到期硬性条款数", "硬性条款符合比例（%）",
                           "不符合条款", "待补充条款")
    assert xincheng[2] == "呼和浩特市" and xincheng[5] == 14 and "G1 业务主管单位" in xincheng[7]
