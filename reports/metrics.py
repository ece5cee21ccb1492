"""Coverage and compliance metrics for any as-of date and every division, set-based.

One pass reads, in a fixed number of queries whatever the number of divisions: the county associations and
their 体检 (``checkup.facts``), and per-county counts by GROUP BY over the first six digits of the
division code (volunteers, League members, new people, stars, hours). Each county is measured; a league or the
region is the sum of its counties. Every rate keeps numerator, denominator and the number of unknowns, so the
dashboard can tell "not done" from "not entered".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from associations.rules import CLAUSE_TITLES, CLAUSES, Status, verdict, worst


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    clause: str = ""
    kind: str = "rate"  # rate: numerator/denominator in %; count: a number
    unit: str = "%"
    over: str = "counties"  # the denominator of a rate: all counties, or existing county associations


METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("county_coverage", "旗县建立协会覆盖率", "N1.3"),
    Metric("complete_system", "四项均达标的旗县比例", "N1.3"),
    Metric("pillar_organisation", "组织完备", "N1.3"),
    Metric("pillar_management", "管理规范", "N1.3"),
    Metric("pillar_service", "服务完善", "N1.3"),
    Metric("pillar_vitality", "充满活力", "N1.3"),
    Metric("supervision", "业务主管单位为旗县团委", "G1", over="associations"),
    Metric("registration", "在民政部门登记", "G3", over="associations"),
    Metric("leadership", "负责人人选符合要求", "G4", over="associations"),
    Metric("secretariat", "秘书处设在团委并有专职人员", "G5", over="associations"),
    Metric("systems", "章程和各项制度健全", "G8", over="associations"),
    Metric("member_age", "个人会员入会时年龄在14–45岁", "G6", over="associations"),
    Metric("member_domains", "会员覆盖服务领域", "G7", over="associations"),
    Metric("team_coverage", "乡镇（街道）建队和旗县直属服务队", "G13", over="associations"),
    Metric("training", "本年度开展骨干培训", "G12", over="associations"),
    Metric("regular_projects", "有常态化项目", "G20", over="associations"),
    Metric("key_dates", "重要节点开展活动", "G17", over="associations"),
    Metric("brands", "开展关爱行动、阳光行动", "G15", over="associations"),
    Metric("insurance", "服务时在保险期内", "G11", over="associations"),
    Metric("seat_membership", "盟市协会吸纳全部旗县协会为席位会员", "N2.1", over="leagues"),
    Metric("volunteers", "注册志愿者", "G11", kind="count", unit="人"),
    Metric("league_member_share", "注册志愿者中共青团员占比", "N2.5", over="volunteers"),
    Metric("star_volunteers", "已认定星级志愿者", "N4.4", kind="count", unit="人"),
    Metric("service_hours", "本年度已确认服务时长", "G11", kind="count", unit="小时"),
    Metric("county_status", "旗县协会状态", "N2.1", kind="status", unit=""),
)}

CHECK_METRICS = {
    "supervision": ("G1",), "registration": ("G3",), "leadership": ("G4",), "secretariat": ("G5",),
    "systems": ("G8", "N2.5"), "member_age": ("G6",), "member_domains": ("G7",), "team_coverage": ("G13",),
    "training": ("G12",), "regular_projects": ("G20",), "key_dates": ("G17",), "brands": ("G15",),
    "insurance": ("G11",),
}
COUNTY_STATUS_LABELS = {"none": "未建立协会", "failing": "有不符合项", "compliant": "全部符合", "unknown": "待补充"}

# The map's grades: the share of a county association's hard clauses (应 / 要) that are 符合, highest first.
# Advice (原则上, 注重…) and a yearly duty not yet due are left out; a clause still 待补充 counts as not met and the
# county is hatched, so "not entered" stays visible beside "not done".
GRADES = (
    ("full", "全部符合", Decimal(100)),
    ("high", "80%–99%", Decimal(80)),
    ("middle", "60%–79%", Decimal(60)),
    ("low", "40%–59%", Decimal(40)),
    ("lowest", "不足40%", Decimal(0)),
)
GRADE_LABELS = {key: label for key, label, _ in GRADES} | {"none": "未建立协会", "unjudged": "尚无可判断的条款"}


@dataclass(frozen=True)
class ClauseCount:
    """A county's hard clauses as of a date: how many are judged, met, not met and 待补充, and which."""

    met: int
    failing: tuple[str, ...]
    unknown: tuple[str, ...]
    soft_unknown: int  # advice clauses 待补充: they never lower the grade, the tooltip names them

    @property
    def judged(self) -> int:
        return self.met + len(self.failing) + len(self.unknown)

    @property
    def share(self) -> Decimal | None:
        if not self.judged:
            return None
        return (Decimal(self.met * 100) / self.judged).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def grade(self, status: str) -> str:
        if status == "none":
            return "none"
        share = self.share
        if share is None:
            return "unjudged"
        return next(key for key, _, floor in GRADES if share >= floor)


def clause_count(clauses: dict[str, str], last_year: dict[str, str]) -> ClauseCount:
    """Count a county's stored 体检 (clause → finding): a yearly duty not yet due this year is read by last
    full year's finding, as the county's status is (``rules.latest``)."""
    met, failing, unknown, soft_unknown = 0, [], [], 0
    for clause, status in clauses.items():
        if status == Status.NOT_DUE:
            status = last_year.get(clause, status)
        rule = CLAUSES.get(clause)
        if rule is None or rule.strength != "hard":
            soft_unknown += status == Status.UNKNOWN
        elif status == Status.PASS:
            met += 1
        elif status == Status.FAIL:
            failing.append(clause)
        elif status == Status.UNKNOWN:
            unknown.append(clause)
    return ClauseCount(met, tuple(failing), tuple(unknown), soft_unknown)


def clause_names(clauses) -> list[str]:
    return [f"{clause} {CLAUSE_TITLES.get(clause, '')}".strip() for clause in clauses]


@dataclass
class Measure:
    numerator: int = 0
    denominator: int = 0
    unknown: int = 0
    amount: Decimal = Decimal("0")  # counts and sums
    details: dict = field(default_factory=dict)

    def add(self, other: Measure) -> None:
        self.numerator += other.numerator
        self.denominator += other.denominator
        self.unknown += other.unknown
        self.amount += other.amount
        for key, value in other.details.items():
            if isinstance(value, int):
                self.details[key] = self.details.get(key, 0) + value

    def value(self, metric: Metric) -> Decimal | None:
        if metric.kind == "count":
            return self.amount
        if metric.kind == "status" or not self.denominator:
            return None
        return (Decimal(self.numerator * 100) / self.denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _combine(statuses) -> Status:
    """The hard reading: advice and a duty not yet due never fail a pillar or a target."""
    return verdict(statuses)


def _rate(status: Status) -> Measure:
    """One county's share in a rate: advice counts as not (yet) followed, a duty not yet due is not counted."""
    if status == Status.NOT_DUE:
        return Measure()
    return Measure(int(status == Status.PASS), 1, int(status == Status.UNKNOWN))


@dataclass
class CountyPicture:
    """What the metrics know about one county as of the date."""

    code: str
    exists: bool | None  # an association in force; None: its founding date is not recorded
    statuses: dict[str, Status] = field(default_factory=dict)  # clause → status of its association's 体检
    association_id: int | None = None
    covered: bool | None = False  # counts for T1/T2 (N2.1: a 青年志愿者协会, or one the county CYL supervises)
    clauses: dict[str, str] = field(default_factory=dict)  # clause → its finding as of the date (the worst of several)
    last_year: dict[str, str] = field(default_factory=dict)  # yearly duties: clause → last full year's finding

    @property
    def map_status(self) -> str:
        if self.exists is False:
            return "none"
        if self.exists is None:
            return "unknown"
        overall = _combine(self.statuses.values())
        return {Status.FAIL: "failing", Status.UNKNOWN: "unknown", Status.PASS: "compliant"}[overall]


def county_pictures(as_of: date) -> dict[str, CountyPicture]:
    """Every statutory county: whether it had an association as of the date, and that association's 体检
    (``checkup.county_checkups``)."""
    from checkup.facts import county_checkups
    from divisions.models import Division

    checkups = county_checkups(as_of)
    pictures = {}
    for code in Division.objects.counties().values_list("code", flat=True):
        c = checkups.get(code)
        pictures[code] = CountyPicture(code, False) if c is None else CountyPicture(
            code, c.exists, c.statuses, c.association_id, c.covered, c.clauses, c.last_year)
    return pictures


def _people_counts(as_of: date) -> dict[str, dict[str, Decimal]]:
    """Per county: people (``members.selectors``) and service hours (``projects.selectors``), read through the
    体检 module so the metrics never reach into domain tables."""
    from checkup.facts import hours_by_county, people_counts_by_county

    counts = people_counts_by_county(as_of)
    for county, values in hours_by_county(as_of).items():
        for key, value in values.items():
            counts[county][key] += value
    return counts


def _yearly(this_year, last_year, ever, as_of: date) -> Status:
    """A yearly sign of life (new people, confirmed hours): met once there is some this year; until 31 December
    a year without any yet is judged by the last full year, as the yearly duties are (rules.latest)."""
    if this_year:
        return Status.PASS
    if (as_of.month, as_of.day) != (12, 31):
        if last_year:
            return Status.PASS
    return Status.FAIL if ever else Status.UNKNOWN


def measure_counties(as_of: date) -> tuple[dict[str, dict[str, Measure]], dict[str, CountyPicture]]:
    """Every metric for every county as of the date: {county code: {metric: Measure}}."""
    from .models import pillars_read

    pictures = county_pictures(as_of)
    people = _people_counts(as_of)
    pillar_parts = pillars_read()  # T3's pillars are data (reports.Pillar)
    measured: dict[str, dict[str, Measure]] = {}
    for code, picture in pictures.items():
        counts = people.get(code, {})
        result: dict[str, Measure] = {}
        coverage = {True: Status.PASS, False: Status.FAIL, None: Status.UNKNOWN}[picture.covered]
        result["county_coverage"] = _rate(coverage)
        status = dict(picture.statuses)
        status["coverage"] = coverage
        ever_people = counts.get("registered", 0) + counts.get("members_ever", 0)
        status["new_people"] = _yearly(counts.get("new"), counts.get("new_last"), ever_people, as_of)
        status["hours"] = _yearly(counts.get("hours"), counts.get("hours_last"), counts.get("records_ever"), as_of)
        pillars = {}
        for key, clauses in pillar_parts.items():
            if picture.exists is not True:
                pillars[key] = {False: Status.FAIL, None: Status.UNKNOWN}[picture.exists]  # nothing to judge
            else:
                pillars[key] = _combine(status.get(c, Status.UNKNOWN) for c in clauses)
            result[key] = _rate(pillars[key])
        result["complete_system"] = _rate(_combine(pillars.values()))
        for key, clauses in CHECK_METRICS.items():
            if picture.exists is True:
                clause_statuses = [status[c] for c in clauses if c in status]
                result[key] = _rate(worst(clause_statuses)) if clause_statuses else Measure()
            elif picture.exists is None:
                result[key] = _rate(Status.UNKNOWN)  # an undated association is in the denominator, unknown
            else:
                result[key] = Measure()  # counted over existing associations only
        registered = int(counts.get("registered", 0))
        result["volunteers"] = Measure(registered, registered, int(counts.get("undated", 0)), Decimal(registered))
        result["league_member_share"] = Measure(int(counts.get("league", 0)), registered,
                                                int(counts.get("undated", 0)))
        result["star_volunteers"] = Measure(amount=Decimal(int(counts.get("stars", 0))))
        result["service_hours"] = Measure(amount=Decimal(counts.get("hours", 0)))
        map_status = picture.map_status
        # the county's 体检 per clause, stored with the snapshot so the page, the data and the workbook agree
        result["county_status"] = Measure(details={"status": map_status, map_status: 1, "clauses": picture.clauses,
                                                   "last_year": picture.last_year})
        measured[code] = result
    return measured, pictures


def measure_all(as_of: date) -> dict[str, dict[str, Measure]]:
    """{division code: {metric: Measure}} for every county, league and the region (sums of their counties)."""
    from divisions.models import Division

    counties, _ = measure_counties(as_of)
    totals: dict[str, dict[str, Measure]] = {code: dict(values) for code, values in counties.items()}
    for values in totals.values():
        values["seat_membership"] = Measure()  # a league association's duty, measured below
    uppers = list(Division.objects.filter(level__in=("region", "league"), is_statutory=True).values_list(
        "code", flat=True))
    seats = _league_seats(as_of)
    for upper in uppers:
        summed = {key: Measure() for key in METRICS}
        for code, values in counties.items():
            if code.startswith(upper):
                for key, measure in values.items():
                    summed[key].add(measure)
        for key in summed:
            summed[key].details.pop("status", None)
        for league, measure in seats.items():
            if league.startswith(upper):
                summed["seat_membership"].add(measure)
        totals[upper] = summed
    return totals


def _league_seats(as_of: date) -> dict[str, Measure]:
    """N2.1 席位制 for every league: its association takes every county association in as a seat member."""
    from checkup.facts import league_seat_findings
    from divisions.models import Division

    leagues = {code: Measure(0, 1, 0) for code in Division.objects.leagues().values_list("code", flat=True)}
    for code, status in league_seat_findings(as_of).items():
        if code in leagues:
            leagues[code] = _rate(status)
    return leagues
