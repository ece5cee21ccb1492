"""T1, T2 and T4 read as requirements.md reads them, through every channel: the metric functions, the snapshot
job, the data endpoint, the API and the Excel export give the same figure and the same verdict."""
import io
from datetime import date
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from associations.models import Association, SupervisingUnit
from associations.tests.factories import association
from divisions.models import Division
from reports.metrics import measure_all
from reports.models import MetricSnapshot, Target
from reports.services import snapshots_compute

pytestmark = pytest.mark.django_db

END_2020, T4_DEADLINE = date(2020, 12, 31), date(2021, 10, 31)
VERDICT = {True: "达标", False: "未达标", None: "待补充"}


@pytest.fixture
def codes():
    return list(Division.objects.counties().order_by("code").values_list("code", flat=True))


def seventy_two(codes):
    for code in codes[:72]:
        association(code, founded_on=date(2020, 6, 1))


def civil_affairs(code, **overrides):
    division = Division.objects.get(code=code)
    return association(code, name=f"{division.name}志愿者协会", supervisor_kind="civil_affairs",
                       supervisor_name=f"{division.name}民政局", supervisor_cyl_since=None, **overrides)


def channels(client, target: str, as_of: date) -> dict:
    """The target's figure (numerator, denominator, unknown) and verdict as each channel tells it."""
    target = Target.objects.get(code=target)
    measured = measure_all(as_of)["15"][target.metric]
    seen = {"metric": ((measured.numerator, measured.denominator, measured.unknown), VERDICT[target.met(measured)])}
    snapshots_compute([as_of])
    stored = MetricSnapshot.objects.get(metric=target.metric, division__code="15", as_of=as_of)
    seen["snapshot"] = ((stored.numerator, stored.denominator, stored.unknown), VERDICT[target.met(stored)])
    data = client.get(reverse("reports:data", args=["15"]), {"as_of": as_of.isoformat()}).json()
    assert data["live"] is False
    card = next(t for t in data["targets"] if t["code"] == target.code)["now"]
    seen["data"] = ((card["numerator"], card["denominator"], card["unknown"]),
                    VERDICT[next(t for t in data["targets"] if t["code"] == target.code)["met_now"]])
    api = APIClient()
    api.force_authenticate(client.user)
    rows, url = [], f"/api/v1/snapshots/?metric={target.metric}&as_of={as_of.isoformat()}&format=json"
    while url:  # every page: the region's row is one of 116
        body = api.get(url).json()
        rows, url = rows + body["results"], body["next"]
    row = next(r for r in rows if r["division_code"] == "15")
    seen["api"] = ((row["numerator"], row["denominator"], row["unknown"]), VERDICT[target.met(stored)])
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("reports:export", args=["15"]),
                                                        {"as_of": as_of.isoformat()}).content))
    line = next(r for r in book["目标"].iter_rows(values_only=True) if r[0] == target.code)
    seen["excel"] = ((line[8], line[9], line[10]), line[12])
    return seen


@pytest.fixture
def official(client, make_staff):
    client.user = make_staff(Role.OFFICIAL, "15")
    client.force_login(client.user)
    return client


def agree(seen: dict, expected) -> None:
    assert {channel: reading for channel, reading in seen.items() if reading != expected} == {}


def test_72_counties_miss_t1_and_one_more_on_the_deadline_meets_it(official, codes):
    seventy_two(codes)
    agree(channels(official, "T1", END_2020), ((72, 103, 0), "未达标"))
    association(codes[72], founded_on=END_2020)
    agree(channels(official, "T1", END_2020), ((73, 103, 0), "达标"))


def test_an_undated_association_makes_t1_pending(official, codes):
    seventy_two(codes)
    association(codes[72], founded_on=None)
    agree(channels(official, "T1", END_2020), ((72, 103, 1), "待补充"))


def test_a_civil_affairs_volunteer_association_does_not_count_for_coverage(official, codes):
    seventy_two(codes)
    civil_affairs(codes[72], founded_on=date(2020, 6, 1))
    agree(channels(official, "T1", END_2020), ((72, 103, 0), "未达标"))
    # the same 志愿者协会 once the county CYL committee supervises it counts from that day on
    SupervisingUnit.objects.create(association=Association.objects.get(division__code=codes[72]),
                                   kind="cyl_committee", since=date(2021, 3, 1))
    assert measure_all(END_2020)["15"]["county_coverage"].numerator == 72
    assert measure_all(date(2021, 3, 1))["15"]["county_coverage"].numerator == 73
    # a 志愿者协会 whose supervising unit is not recorded may count: unknown, not absent
    SupervisingUnit.objects.filter(association__division__code=codes[72]).delete()
    agree(channels(official, "T1", END_2020), ((72, 103, 1), "待补充"))


def test_t4_with_an_undated_civil_affairs_association_is_pending_not_met(official, codes):
    for code in codes[:102]:
        association(code, founded_on=date(2020, 6, 1))
    agree(channels(official, "T4", T4_DEADLINE), ((102, 102, 0), "达标"))
    civil_affairs(codes[102], founded_on=None)
    agree(channels(official, "T4", T4_DEADLINE), ((102, 103, 1), "待补充"))
    Association.objects.filter(division__code=codes[102]).update(founded_on=date(2021, 1, 1))
    agree(channels(official, "T4", T4_DEADLINE), ((102, 103, 0), "未达标"))


def test_a_successor_founded_before_its_predecessor_is_dissolved_is_judged(official, codes):
    code = codes[0]
    civil_affairs(code, founded_on=date(2015, 3, 1), dissolved_on=date(2021, 3, 1))
    successor = association(code, founded_on=date(2020, 11, 1), supervisor_cyl_since=date(2020, 11, 1))
    for day in (END_2020, date(2021, 3, 1)):
        counties = measure_all(day)
        assert counties[code]["county_coverage"].numerator == 1, day
        assert (counties[code]["supervision"].numerator, counties[code]["supervision"].denominator) == (1, 1)
    snapshots_compute([END_2020])
    data = official.get(reverse("reports:data", args=[code[:4]]), {"as_of": "2020-12-31"}).json()
    county = next(c for c in data["counties"] if c["code"] == code)
    assert county["clauses"]["G1"] == "pass" and county["clauses"]["N2.1"] == "pass"
    # before the successor existed, the predecessor alone is judged: not counted, and G1 fails
    counties = measure_all(date(2020, 10, 31))
    assert counties[code]["county_coverage"].numerator == 0
    assert (counties[code]["supervision"].numerator, counties[code]["supervision"].denominator) == (0, 1)
    assert successor.pk != Association.objects.get(division__code=code, dissolved_on__isnull=False).pk


def test_the_county_sheet_has_one_column_per_clause_in_clause_order_with_names(official, codes):
    from associations.rules import CLAUSES

    association(codes[0], founded_on=date(2020, 6, 1))
    snapshots_compute([END_2020])
    response = official.get(reverse("reports:export", args=["15"]), {"as_of": "2020-12-31"})
    assert response["Content-Disposition"] == (  # a Chinese name (RFC 6266 filename*)
        "attachment; filename*=utf-8''" + quote(f"{Division.objects.get(code='15').name}建设情况-20201231.xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["旗县体检"].iter_rows(values_only=True))
    assert rows[0][:9] == ("区划代码", "旗县（市、区）", "所属盟市", "状态", "硬性条款符合数", "已到期硬性条款数",
                           "硬性条款符合比例（%）", "不符合条款", "待补充条款")
    assert [h.split()[0] for h in rows[0][9:]] == list(CLAUSES)
    first = next(r for r in rows if r[0] == codes[0])
    assert first[1] == Division.objects.get(code=codes[0]).name
    assert first[2] == Division.objects.get(code=codes[0][:4]).name  # a name, not the code
    data = official.get(reverse("reports:data", args=["15"]), {"as_of": "2020-12-31"}).json()
    county = next(c for c in data["counties"] if c["code"] == codes[0])
    labels = {"pass": "符合", "fail": "不符合", "unknown": "待补充", "advice": "建议改进", "not_due": "未到期"}
    assert (first[4], first[5], first[6]) == (county["met"], county["judged"], county["share"])
    for clause, cell in zip(CLAUSES, first[9:]):
        status = county["clauses"].get(clause)
        assert (cell or "") == (labels[status] if status else "") or cell.startswith(labels[status] + "（"), clause
    assert first[3] == county["label"]
    empty = next(r for r in rows if r[0] == codes[1])
    assert empty[3] == "未建立协会" and set(empty[4:]) <= {None, ""}


def test_a_county_that_did_everything_last_year_is_not_failing_anywhere_on_2_january(official):
    from associations.tests.test_checkup import well_kept
    from projects.models import Activity
    from projects.tests.factories import record

    county = well_kept("150121", years=[2024, 2025], name="土默特左旗青年志愿者协会")
    from members.tests.factories import volunteer

    newcomer = volunteer("150121", registered_on=date(2025, 11, 20), insured_from=date(2025, 11, 20))
    record(Activity.objects.get(project__association=county, held_on=date(2025, 12, 5)), newcomer)
    as_of = date(2026, 1, 2)  # nothing done yet this year: the yearly duties are not due
    measured = measure_all(as_of)["150121"]
    assert measured["county_status"].details["status"] == "compliant"
    assert "fail" not in measured["county_status"].details["clauses"].values()
    yearly = {c: s for c, s in measured["county_status"].details["clauses"].items() if s == "not_due"}
    assert set(yearly) == {"G12", "N5.1"}  # G15's brand projects run all year: already met this year
    assert {measured["county_status"].details["last_year"][c] for c in yearly} == {"pass"}
    for key in ("training", "brands", "supervision", "complete_system"):
        assert measured[key].numerator == measured[key].denominator == 1, key
    snapshots_compute([as_of])
    data = official.get(reverse("reports:data", args=["1501"]), {"as_of": "2026-01-02"}).json()
    county = next(c for c in data["counties"] if c["code"] == "150121")
    assert county["status"] == "compliant" and "fail" not in county["clauses"].values()
    page = official.get(reverse("reports:county", args=["150121"]), {"as_of": "2026-01-02"}).content.decode()
    assert 'class="finding-fail"' not in page and '<td class="status">不符合</td>' not in page
    assert page.count('class="finding-not_due"') == 2 and '<td class="status">未到期</td>' in page
    book = openpyxl.load_workbook(io.BytesIO(official.get(reverse("reports:export", args=["1501"]),
                                                          {"as_of": "2026-01-02"}).content))
    row = next(r for r in book["旗县体检"].iter_rows(values_only=True) if r[0] == "150121")
    assert not any("不符合" in str(cell or "") for cell in row)
    assert "未到期（2025年全年：符合）" in row


def test_t3_pillars_are_data_the_region_edits_and_the_dashboard_explains(client, make_staff, codes):
    from reports.models import Pillar

    association(codes[0], founded_on=date(2020, 6, 1))
    region = make_staff(Role.REGION_STAFF, "15")
    client.force_login(region)
    vitality = Pillar.objects.get(key="pillar_vitality")
    assert vitality.parts == ["G12", "new_people", "hours"]
    snapshots_compute([END_2020])
    page = client.get(reverse("reports:division", args=["15"]), {"as_of": "2020-12-31"}).content.decode()
    block = page[page.index('data-role="pillars"'):page.index("</details>")]
    assert "本平台的操作性解读" in block and "<strong>充满活力</strong>：G12 骨干培训、当年（或上一整年）有新注册志愿者" in block

    url = reverse("admin:reports_pillar_change", args=[vitality.pk])
    form = {"name": "充满活力", "parts": ["G12", "G10"], "position": "3", "division": vitality.division_id}
    assert client.post(url, form).status_code == 302
    vitality.refresh_from_db()
    assert vitality.parts == ["G10", "G12"]  # in clause order
    # the figures already computed keep the list they were computed with until the next run
    page = client.get(reverse("reports:division", args=["15"]), {"as_of": "2020-12-31"}).content.decode()
    assert "<strong>充满活力</strong>：G12 骨干培训、当年" in page
    snapshots_compute([END_2020])
    page = client.get(reverse("reports:division", args=["15"]), {"as_of": "2020-12-31"}).content.decode()
    assert "<strong>充满活力</strong>：G10 党团组织<small>（倡导）</small>、G12 骨干培训</li>" in page
    assert client.post(url, {**form, "parts": ["G99"]}).status_code == 200  # not a clause: refused
    assert client.get(reverse("admin:reports_pillar_add")).status_code == 403  # four pillars, no more

    client.force_login(make_staff(Role.COUNTY_STAFF, codes[0]))
    assert client.get(url).status_code == 403
