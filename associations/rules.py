"""体检: the checks of an association against the 2020 notice and its guide, as of a date.

Pure functions over plain data (``AssociationFacts``, built by ``checkup.facts.association_facts``): no database,
so each rule is tested directly and evaluated for any day. A rule whose data is missing says unknown, never pass
or fail.

A finding says exactly what its clause says (``CLAUSES``): a hard clause (应 / 要) answers 符合 / 不符合 / 待补充;
a soft one (原则上, 注重, 争取, 具备条件的, 依据实际情况, 可) answers 符合 / 建议改进 / 待补充 and never counts as
不符合; a yearly duty (每年) is 未到期 until 31 December while not yet done, and the last full year is judged on its
own (符合 / 不符合 / 待补充).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from stdnum.cn import uscc as uscc_number

T4_DEADLINE = date(2021, 10, 31)

# G8: the charter and the internal governance systems; N2.5: the volunteer-work systems.
G8_SYSTEMS = {
    "charter": "章程",
    "decision": "决策制度",
    "execution": "执行制度",
    "supervision": "监督制度",
    "rules_of_procedure": "议事规则",
    "personnel": "人事管理制度",
    "finance": "财务管理制度",
    "assets": "资产管理制度",
    "information_disclosure": "信息公开制度",
}
N25_SYSTEMS = {
    "publicity": "宣传动员制度",
    "registration": "志愿者注册制度",
    "training": "管理培训制度",
    "assessment": "评价考核制度",
    "incentives": "激励表彰制度",
    "rights_protection": "权益保障制度",
    "information_security": "信息安全制度",
}
SUPERVISOR_LABELS = {
    "cyl_committee": "共青团委员会",
    "civilization_office": "精神文明建设委员会办公室",
    "civil_affairs": "民政部门",
    "other": "其他单位",
}


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    ADVICE = "advice"  # a soft clause not (yet) followed: shown, never a failure
    NOT_DUE = "not_due"  # a yearly duty not yet done this year, due by 31 December

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.value]


STATUS_LABELS = {"pass": "符合", "fail": "不符合", "unknown": "待补充", "advice": "建议改进", "not_due": "未到期"}


@dataclass(frozen=True)
class Clause:
    """What a clause of the notice or its guide asks, and how strongly: ``hard`` (应 / 要) or ``soft``
    (原则上, 注重, 争取, 具备条件的, 依据实际情况, 可); ``standing``, ``dated`` or ``yearly`` (每年, due by 31 December)."""

    strength: str
    timing: str
    wording: str


CLAUSES: dict[str, Clause] = {
    "N2.1": Clause("hard", "dated", "每个旗县（市、区）都要成立青年志愿者协会；盟市、旗县两级协会实行席位制，"
                                    "吸纳下一级协会为席位会员。"),
    "G1": Clause("hard", "dated", "旗县级青年志愿者协会的业务主管单位应为旗县级团委。业务主管单位为其他单位的，"
                                  "要在2021年10月底前完成业务主管单位变更。"),
    "G2": Clause("soft", "standing", "名称原则上应为“XX旗县（市、区）青年志愿者协会”，市辖区应为“XX市XX区青年志愿者"
                                     "协会”；经同意也可为“…志愿者协会”或“…志愿服务联合会”，但业务主管单位应明确为旗县级团委。"),
    "G3": Clause("hard", "standing", "旗县级青年志愿者协会应按照有关规定在所在地人民政府的民政局进行登记。"),
    "G4": Clause("hard", "standing", "会长、法定代表人原则上由县级团委负责同志在履行相应的审批程序后担任。秘书长应由"
                                     "县级团委负责同志或负责青年志愿者工作的专职干部担任。"),
    "G5": Clause("hard", "standing", "秘书处设在旗县级团委；秘书处工作力量应以旗县级团委或协会的专职工作人员为主体。"),
    "G6": Clause("soft", "standing", "个人会员年龄原则上应在14岁以上，45岁以下。"),
    "G7": Clause("hard", "standing", "会员应涵盖扶贫、济困、扶老、救孤、恤病、助残、救灾、助医、助学等领域志愿者……"
                                     "可适当提高单位会员比例……注重吸纳学校志愿服务组织。"),
    "G8": Clause("hard", "standing", "应制定科学规范的章程，完善组织决策、执行、监督制度和内部议事规则，建立健全人、"
                                     "财、物管理制度和内部信息披露制度。"),
    "N2.5": Clause("hard", "standing", "建立健全宣传动员、注册管理、培训、评价考核、激励表彰、权益保障、信息安全等制度。"),
    "G9": Clause("soft", "standing", "旗县级团委要争取党政部门在秘书处专职岗位、人员编制、财政经费、办公场所等方面"
                                     "给予支持。"),
    "G10": Clause("soft", "standing", "具备条件的旗县级青年志愿者协会应成立党的组织……具备条件的协会及时建立团组织。"),
    "G11": Clause("hard", "standing", "做好星级志愿者表彰宣传和适度激励，依法为志愿者提供基本保险。"),
    "G12": Clause("hard", "yearly", "原则上县级青年志愿者协会每年应至少开展1次青年志愿者骨干培训。"),
    "N5.1": Clause("hard", "yearly", "自治区、盟市、旗县三级青年志愿者协会要结合实际开展针对协会负责人和青年志愿者"
                                     "骨干的培训，原则上每年至少培训一次。"),
    "G13": Clause("soft", "standing", "推动乡镇（街道）、机关事业单位、学校、国有企业成立青年志愿服务队……依据实际情况"
                                      "推动建立应急救援、医疗卫生、生态保护、大型活动等领域的县级直属青年志愿服务队。"),
    "G15": Clause("hard", "yearly", "组织实施好“关爱行动”……组织实施好助残“阳光行动”（通知二、4：全团品牌项目逐级下沉，"
                                    "直至旗县级青年志愿者协会）。"),
    "G17": Clause("hard", "standing", "抓住3月5日学雷锋日、五四青年节、12月5日国际志愿者日等重要时间节点，组织开展"
                                      "各类志愿服务活动。"),
    "G20": Clause("hard", "standing", "打造常态化开展的青年志愿服务项目。"),
}


# What each clause is about, in a column heading's length (the wording above is what a finding quotes).
CLAUSE_TITLES = {
    "N2.1": "建立协会与席位制", "G1": "业务主管单位", "G2": "协会名称", "G3": "民政登记", "G4": "负责人人选",
    "G5": "秘书处", "G6": "会员年龄", "G7": "会员构成", "G8": "章程和内部制度", "N2.5": "工作制度", "G9": "党政支持",
    "G10": "党团组织", "G11": "激励和保险", "G12": "骨干培训", "N5.1": "负责人和骨干培训", "G13": "基层建队",
    "G15": "全团品牌项目", "G17": "重要节点活动", "G20": "常态化项目",
}

@dataclass(frozen=True)
class Finding:
    clause: str
    title: str
    status: Status
    reason: str
    year: int | None = None  # a yearly duty's finding for a past (full) year; None: as of the date

    @property
    def wording(self) -> str:
        clause = CLAUSES.get(self.clause)
        return clause.wording if clause else ""

    @property
    def strength(self) -> str:
        clause = CLAUSES.get(self.clause)
        return clause.strength if clause else "hard"

    @property
    def is_current(self) -> bool:
        """The finding as of the date (not a past year's)."""
        return self.year is None


def in_force_on(start: date | None, end: date | None, day: date, *, last_day_counts: bool = False) -> bool | None:
    """Whether something that began on ``start`` and ended on ``end`` held on ``day``; ``None`` when the start
    is not recorded (and the end does not already settle it). ``end`` is the first day it no longer holds,
    unless ``last_day_counts``."""
    if end is not None and (end < day if last_day_counts else end <= day):
        return False
    if start is None:
        return None
    return start <= day


@dataclass(frozen=True)
class OfficerFact:
    role: str
    name: str
    is_cyl_leader: bool | None = None
    is_fulltime_cadre: bool | None = None
    term_start: date | None = None
    term_end: date | None = None

    def in_office(self, day: date) -> bool:
        return (self.term_start is None or self.term_start <= day) and (self.term_end is None or self.term_end >= day)


@dataclass(frozen=True)
class PeriodFact:
    """Something that holds from ``start`` to ``end`` (an organisation, a seat): ``start`` None is unknown."""

    key: str
    start: date | None = None
    end: date | None = None

    def holds_on(self, day: date) -> bool | None:
        return in_force_on(self.start, self.end, day, last_day_counts=True)


@dataclass(frozen=True)
class LowerAssociationFact:
    id: int
    name: str
    founded_on: date | None
    dissolved_on: date | None

    def exists_on(self, day: date) -> bool | None:
        return in_force_on(self.founded_on, self.dissolved_on, day)


@dataclass(frozen=True)
class MemberFact:
    """An individual member: birth date, membership period, review status and service domains."""

    birth_date: date | None
    joined_on: date | None
    left_on: date | None = None
    approved: bool = True
    domains: tuple[str, ...] = ()
    age_exception: bool = False  # admitted outside 14–45 with a recorded reason

    def active_on(self, day: date) -> bool:
        return self.approved and bool(in_force_on(self.joined_on, self.left_on, day))


@dataclass(frozen=True)
class UnitMemberFact:
    kind: str
    joined_on: date | None
    left_on: date | None = None
    domains: tuple[str, ...] = ()

    def active_on(self, day: date) -> bool:
        return bool(in_force_on(self.joined_on, self.left_on, day))


@dataclass(frozen=True)
class TeamFact:
    township: str | None  # code of the township the team sits in; None for county-level teams
    host_kind: str
    county_direct_domain: str = ""
    founded_on: date | None = None
    dissolved_on: date | None = None

    def active_on(self, day: date) -> bool | None:
        return in_force_on(self.founded_on, self.dissolved_on, day)


@dataclass(frozen=True)
class ProjectFact:
    brand: str
    regular: bool
    started_on: date | None = None
    ended_on: date | None = None

    def running_on(self, day: date) -> bool | None:
        return in_force_on(self.started_on, self.ended_on, day, last_day_counts=True)

    def ran_in_year_to(self, day: date) -> bool | None:
        """Running at some point between 1 January of ``day``'s year and ``day``."""
        if self.ended_on is not None and self.ended_on < date(day.year, 1, 1):
            return False
        if self.started_on is None:
            return None
        return self.started_on <= day


@dataclass(frozen=True)
class TrainingFact:
    kind: str
    started_on: date


@dataclass(frozen=True)
class InsuranceFact:
    """Volunteers who served at the association's activities in the twelve months up to the as-of date, by the
    activity's risk (条例 art. 17: insurance is owed for activities that may endanger volunteers) and their cover."""

    since: date
    serving: int = 0  # volunteers who served at any activity
    at_risk: int = 0  # of them, at an activity marked 可能发生人身危险
    not_insured: int = 0  # at such an activity outside their insurance period (or with none recorded)
    unrecorded: int = 0  # at such an activity with no insurance recorded at all
    unmarked: int = 0  # not insured on the day at an activity whose risk is not recorded


@dataclass(frozen=True)
class SupervisionFact:
    """One row of the supervising-unit history: it holds from ``since`` until the next row's ``since``; an undated
    row holds from founding (as the first) and its start is not known."""

    kind: str
    name: str = ""
    since: date | None = None
    change_registered_on: date | None = None
    change_document: str = ""


BEFORE_RECORD = "before_record"  # a day before the first recorded unit began: not the unit recorded later


def unit_on(units: tuple[SupervisionFact, ...], day: date) -> SupervisionFact | str | None:
    """The supervising unit in force on ``day`` (``units`` ordered by start, an undated one first): the row, or
    ``BEFORE_RECORD`` when the first recorded row began after the day, or ``None`` when nothing is recorded."""
    if not units:
        return None
    in_force = [u for u in units if u.since is None or u.since <= day]
    if not in_force:
        return BEFORE_RECORD
    dated = [u for u in in_force if u.since is not None]
    return dated[-1] if dated else in_force[-1]


def cyl_supervises_on(units: tuple[SupervisionFact, ...], day: date) -> bool | None:
    """Whether the CYL committee is the supervising unit on ``day``; ``None`` when the record cannot say (no unit,
    no kind, or a CYL committee whose start date is not recorded)."""
    unit = unit_on(units, day)
    if unit is None:
        return None
    if unit == BEFORE_RECORD:
        return False
    if not unit.kind:
        return None
    if unit.kind != "cyl_committee":
        return False
    return True if unit.since is not None else None


@dataclass(frozen=True)
class AssociationFacts:
    id: int
    name: str
    level: str  # region / league / county
    division_name: str
    division_kind: str  # 市辖区 / 县级市 / 县 / 旗 / 自治旗 / 地级市 / 盟 / 自治区
    parent_division_name: str = ""
    division_code: str = ""
    founded_on: date | None = None
    dissolved_on: date | None = None
    supervision: tuple[SupervisionFact, ...] = ()  # ordered by start date, an undated row first
    is_registered: bool | None = None
    registration_authority: str = ""
    registered_on: date | None = None
    uscc: str = ""
    secretariat_host: str = ""
    secretariat_since: date | None = None
    staff_fulltime: int | None = None
    fulltime_posts: int | None = None
    annual_budget: Decimal | None = None
    has_office: bool | None = None
    party_org_conditions: bool | None = None  # G10 具备条件: recorded by the association (None: not judged)
    league_org_conditions: bool | None = None
    officers: tuple[OfficerFact, ...] = ()
    systems: dict[str, date | None] = field(default_factory=dict)
    organisations: tuple[PeriodFact, ...] = ()  # key "party" / "league"
    seats: tuple[PeriodFact, ...] = ()  # key: str(lower association id)
    expected_seat_members: tuple[LowerAssociationFact, ...] = ()
    members: tuple[MemberFact, ...] = ()
    unit_members: tuple[UnitMemberFact, ...] = ()
    townships: tuple[str, ...] = ()  # the county's statutory townships
    teams: tuple[TeamFact, ...] = ()
    projects: tuple[ProjectFact, ...] = ()
    activity_count: int = 0
    key_date_activities: tuple[tuple[date, str], ...] = ()  # (held on, "03-05")
    key_dates: tuple = ()  # projects.keydates.KeyDateWindow: each key date and the days that count for it
    trainings: tuple[TrainingFact, ...] = ()
    insurance: InsuranceFact | None = None


def _d(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


STATUS_ORDER = (Status.FAIL, Status.UNKNOWN, Status.NOT_DUE, Status.ADVICE, Status.PASS)


def worst(statuses) -> Status:
    """不符合 before 待补充 before 未到期 before 建议改进 before 符合."""
    present = set(statuses)
    return next((s for s in STATUS_ORDER if s in present), Status.PASS)


def _combine(parts: list[tuple[Status, str]]) -> Status:
    return worst(s for s, _ in parts)


def _cyl_name(facts: AssociationFacts) -> str:
    return {"county": "旗县团委", "league": "盟市团委", "region": "自治区团委"}[facts.level]


def counts_for_coverage(name: str, units: tuple[SupervisionFact, ...], day: date) -> bool | None:
    """N2.1 as T1/T2 read it: a county's association in force counts when it is a 青年志愿者协会, or (a
    志愿者协会, a 志愿服务联合会 or any other name) when the county CYL committee is its supervising unit on the day.
    ``None`` when the unit in force that day, or the date it became the CYL committee, is not recorded."""
    if "青年志愿者协会" in (name or ""):
        return True
    return cyl_supervises_on(units, day)


# --- G1 supervising unit -------------------------------------------------------------------------------------
def check_g1(facts: AssociationFacts, as_of: date) -> Finding:
    """G1 on the unit in force on the date (the supervising-unit history): the CYL committee, reached by a
    change that a registered association completes with its change registration (变更登记)."""
    title = "业务主管单位为同级团委"
    cyl = _cyl_name(facts)
    deadline = f"应于{_d(T4_DEADLINE)}前变更为{cyl}并完成变更登记（T4）" if facts.level == "county" else f"应为{cyl}"
    unit = unit_on(facts.supervision, as_of)
    if unit is None:
        return Finding("G1", title, Status.UNKNOWN, "未填写业务主管单位。")
    if unit == BEFORE_RECORD:
        first = facts.supervision[0]
        label = SUPERVISOR_LABELS.get(first.kind, first.kind or "已记录的业务主管单位")
        if first.kind == "cyl_committee":
            text = f"截至{_d(as_of)}业务主管单位尚未变更为{cyl}（{_d(first.since)}起由{cyl}主管）；{deadline}。"
        else:
            text = f"截至{_d(as_of)}的业务主管单位未记录（{_d(first.since)}起为{label}）；{deadline}。"
        status = Status.FAIL if first.kind == "cyl_committee" else Status.UNKNOWN
        return Finding("G1", title, status, text)
    if not unit.kind:
        return Finding("G1", title, Status.UNKNOWN, "未填写业务主管单位类别。")
    if unit.kind != "cyl_committee":
        label = SUPERVISOR_LABELS.get(unit.kind, unit.kind)
        since = f"（{_d(unit.since)}起）" if unit.since else ""
        return Finding("G1", title, Status.FAIL, f"截至{_d(as_of)}业务主管单位为{label}{since}，不是{cyl}；{deadline}。")
    if unit.since is None:
        return Finding("G1", title, Status.UNKNOWN,
                       f"业务主管单位为{cyl}，但未填写起始日期，无法判断截至{_d(as_of)}的情况。")
    late = ""
    if facts.level == "county" and unit.since > T4_DEADLINE:
        late = f"（晚于T4期限{_d(T4_DEADLINE)}）"
    changed = unit is not facts.supervision[0] or (facts.founded_on is not None and unit.since > facts.founded_on)
    if not changed:
        return Finding("G1", title, Status.PASS, f"自{_d(unit.since)}起由{cyl}主管{late}。")
    text = f"{_d(unit.since)}变更为由{cyl}主管{late}"
    if facts.is_registered is not True:
        # 变更登记 is owed to the registration authority; an unregistered association is judged under G3.
        return Finding("G1", title, Status.PASS, f"{text}。")
    registered = unit.change_registered_on
    document = f"，{unit.change_document}" if unit.change_document else ""
    if registered is None:
        return Finding("G1", title, Status.UNKNOWN, f"{text}；未记录在登记管理机关办理的变更登记（日期和文件）。")
    if registered > as_of:
        return Finding("G1", title, Status.FAIL,
                       f"{text}；截至{_d(as_of)}尚未完成变更登记（{_d(registered)}完成）；{deadline}。")
    return Finding("G1", title, Status.PASS, f"{text}，{_d(registered)}完成变更登记{document}。")


# --- G2 name -----------------------------------------------------------------------------------------------
def expected_names(facts: AssociationFacts) -> tuple[list[str], list[str]]:
    """(standard names, names allowed only under CYL supervision) for the association's division."""
    if facts.level == "region":
        return [f"{facts.division_name}青年志愿者协会"], []
    if facts.level == "league":
        base = facts.division_name
        return [f"{base}青年志愿者协会"], [f"{base}志愿者协会", f"{base}志愿服务联合会"]
    base = facts.division_name
    if facts.division_kind == "市辖区":
        base = f"{facts.parent_division_name}{facts.division_name}"
    return [f"{base}青年志愿者协会"], [f"{base}志愿者协会", f"{base}志愿服务联合会"]


def check_g2(facts: AssociationFacts, as_of: date) -> Finding:
    title = "名称规范"
    name = re.sub(r"\s+", "", facts.name or "")
    if not name:
        return Finding("G2", title, Status.UNKNOWN, "未填写协会名称。")
    standard, alternatives = expected_names(facts)
    if name in standard:
        return Finding("G2", title, Status.PASS, f"名称「{name}」符合规范。")
    if name in alternatives:
        cyl = cyl_supervises_on(facts.supervision, as_of)
        if cyl is None:
            return Finding("G2", title, Status.UNKNOWN,
                           f"「{name}」须由{_cyl_name(facts)}主管方可使用，截至{_d(as_of)}的业务主管单位或其起始日期未填写。")
        if cyl:
            return Finding("G2", title, Status.PASS, f"「{name}」经同意使用，且由{_cyl_name(facts)}主管。")
        return Finding("G2", title, Status.FAIL, f"「{name}」只有在{_cyl_name(facts)}主管时才可使用。")
    if facts.division_name not in name:
        return Finding("G2", title, Status.ADVICE,
                       f"名称「{name}」与所属区划「{facts.division_name}」不符，原则上应为「{standard[0]}」。")
    return Finding("G2", title, Status.ADVICE, f"名称「{name}」不规范，原则上应为「{standard[0]}」。")


# --- G3 registration ---------------------------------------------------------------------------------------
def check_g3(facts: AssociationFacts, as_of: date) -> Finding:
    title = "在民政部门登记"
    if facts.is_registered is False:
        return Finding("G3", title, Status.FAIL, "尚未在民政部门登记。")
    if facts.registered_on is None:
        return Finding("G3", title, Status.UNKNOWN, "未填写登记日期。")
    if facts.registered_on > as_of:
        return Finding("G3", title, Status.FAIL, f"截至{_d(as_of)}尚未登记（{_d(facts.registered_on)}登记）。")
    if facts.registration_authority and "民政" not in facts.registration_authority:
        return Finding("G3", title, Status.FAIL, f"登记管理机关「{facts.registration_authority}」不是民政部门。")
    if not facts.uscc:
        return Finding("G3", title, Status.UNKNOWN, f"{_d(facts.registered_on)}登记，但未填写统一社会信用代码。")
    if not uscc_number.is_valid(facts.uscc):
        return Finding("G3", title, Status.FAIL, f"统一社会信用代码「{facts.uscc}」校验不通过。")
    if not facts.uscc.startswith("51"):
        return Finding("G3", title, Status.FAIL, f"统一社会信用代码「{facts.uscc}」不是社会团体代码（应以 51 开头）。")
    return Finding("G3", title, Status.PASS, f"{_d(facts.registered_on)}在民政部门登记，统一社会信用代码 {facts.uscc}。")


# --- G4 leadership -----------------------------------------------------------------------------------------
ROLE_LABELS = {"president": "会长", "legal_representative": "法定代表人", "secretary_general": "秘书长"}


def check_g4(facts: AssociationFacts, as_of: date) -> Finding:
    title = "会长、法定代表人、秘书长人选"
    cyl = _cyl_name(facts)
    parts: list[tuple[Status, str]] = []
    for role in ("president", "legal_representative", "secretary_general"):
        label = ROLE_LABELS[role]
        holders = [o for o in facts.officers if o.role == role and o.in_office(as_of)]
        if not holders:
            parts.append((Status.UNKNOWN, f"未登记截至{_d(as_of)}在任的{label}"))
            continue
        officer = holders[0]
        if role == "secretary_general":
            qualified = [officer.is_cyl_leader, officer.is_fulltime_cadre]
            if True in qualified:
                parts.append((Status.PASS, f"{label}{officer.name}为{cyl}负责同志或分管志愿工作的专职干部"))
            elif None in qualified:
                parts.append((Status.UNKNOWN, f"{label}{officer.name}的任职身份未填写完整"))
            else:
                parts.append((Status.FAIL, f"{label}{officer.name}既不是{cyl}负责同志，也不是专职干部"))
        elif officer.is_cyl_leader is None:
            parts.append((Status.UNKNOWN, f"{label}{officer.name}是否为{cyl}负责同志未填写"))
        elif officer.is_cyl_leader:
            parts.append((Status.PASS, f"{label}{officer.name}为{cyl}负责同志"))
        else:  # 原则上: advice
            parts.append((Status.ADVICE, f"{label}{officer.name}不是{cyl}负责同志（原则上由{cyl}负责同志担任）"))
    return Finding("G4", title, _combine(parts), "；".join(text for _, text in parts) + "。")


# --- G5 secretariat ----------------------------------------------------------------------------------------
def check_g5(facts: AssociationFacts, as_of: date) -> Finding:
    title = "秘书处设在团委并有专职人员"
    cyl = _cyl_name(facts)
    if not facts.secretariat_host:
        return Finding("G5", title, Status.UNKNOWN, "未填写秘书处设立情况。")
    if facts.secretariat_host == "none":
        return Finding("G5", title, Status.FAIL, "尚未设立秘书处。")
    if facts.secretariat_host != "cyl_committee":
        return Finding("G5", title, Status.FAIL, f"秘书处未设在{cyl}。")
    if facts.secretariat_since is not None and facts.secretariat_since > as_of:
        return Finding("G5", title, Status.FAIL, f"截至{_d(as_of)}秘书处尚未设立（{_d(facts.secretariat_since)}设立）。")
    if facts.staff_fulltime is None:
        return Finding("G5", title, Status.UNKNOWN, f"秘书处设在{cyl}，但未填写专职工作人员人数。")
    if facts.staff_fulltime < 1:
        return Finding("G5", title, Status.FAIL, f"秘书处设在{cyl}，但没有专职工作人员。")
    return Finding("G5", title, Status.PASS, f"秘书处设在{cyl}，专职工作人员 {facts.staff_fulltime} 人。")


# --- G6 / G7 members ---------------------------------------------------------------------------------------
MEMBER_AGE_RANGE = (14, 45)
SERVICE_DOMAIN_LABELS = {
    "poverty": "扶贫", "hardship": "济困", "elderly": "扶老", "orphans": "救孤", "sick": "恤病",
    "disabled": "助残", "disaster": "救灾", "medical": "助医", "education": "助学",
}


def _age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def check_g6(facts: AssociationFacts, as_of: date) -> Finding:
    """原则上 14–45, judged at admission: a member does not become a finding by growing older."""
    title = "个人会员入会时年龄在14–45岁"
    active = [m for m in facts.members if m.active_on(as_of)]
    if not active:
        return Finding("G6", title, Status.UNKNOWN, f"未登记截至{_d(as_of)}在册的个人会员。")
    low, high = MEMBER_AGE_RANGE
    unknown = [m for m in active if m.birth_date is None or m.joined_on is None]
    outside = [m for m in active if m.birth_date is not None and m.joined_on is not None
               and not low <= _age(m.birth_date, m.joined_on) <= high]
    if outside:
        explained = sum(m.age_exception for m in outside)
        note = f"，其中 {explained} 名已记录例外理由" if explained else ""
        return Finding("G6", title, Status.ADVICE,
                       f"{len(active)} 名在册个人会员中有 {len(outside)} 名入会时年龄不在 {low}–{high} 岁之间"
                       f"（原则上应在 {low}–{high} 岁{note}）。")
    if unknown:
        return Finding("G6", title, Status.UNKNOWN, f"{len(unknown)} 名个人会员出生日期或入会日期不明。")
    return Finding("G6", title, Status.PASS, f"{len(active)} 名在册个人会员入会时年龄均在 {low}–{high} 岁之间。")


def check_g7(facts: AssociationFacts, as_of: date) -> Finding:
    title = "会员覆盖各服务领域、吸纳单位会员和学校志愿者组织"
    members = [m for m in facts.members if m.active_on(as_of)]
    units = [u for u in facts.unit_members if u.active_on(as_of)]
    if not members and not units:
        return Finding("G7", title, Status.UNKNOWN, f"未登记截至{_d(as_of)}在册的会员。")
    covered = {d for m in members for d in m.domains} | {d for u in units for d in u.domains}
    missing = [label for code, label in SERVICE_DOMAIN_LABELS.items() if code not in covered]
    share = f"单位会员 {len(units)} 个，占会员总数 {len(units) * 100 // (len(units) + len(members))}%"
    school = any(u.kind == "school" for u in units)
    if missing:  # 会员应涵盖…等领域
        extra = "" if school else "；建议吸纳学校志愿服务组织（注重吸纳）"
        return Finding("G7", title, Status.FAIL, "尚未覆盖" + "、".join(missing) + f"领域{extra}（{share}）。")
    if not school:
        return Finding("G7", title, Status.ADVICE, f"会员覆盖全部 9 个服务领域；尚未吸纳学校志愿服务组织"
                                                  f"（注重吸纳）（{share}）。")
    return Finding("G7", title, Status.PASS, f"会员覆盖全部 9 个服务领域，有学校志愿者组织（{share}）。")


# --- G13 teams ----------------------------------------------------------------------------------------------
COUNTY_DIRECT_DOMAINS = {"emergency": "应急救援", "medical": "医疗卫生", "ecology": "生态保护", "large_events": "大型活动"}


def check_g13(facts: AssociationFacts, as_of: date) -> Finding | None:
    """县有协会，基层建队: the share of townships with a team (推动: measured, no threshold of the platform's own) and
    county-direct teams "依据实际情况…等领域" (any of the listed domains or similar ones; advice)."""
    if facts.level != "county":
        return None
    title = "乡镇（街道）建队和旗县直属服务队"
    if not facts.teams:
        return Finding("G13", title, Status.UNKNOWN, "未登记服务队。")
    if not facts.townships:
        return Finding("G13", title, Status.UNKNOWN, "所属区划没有乡镇（街道）数据。")
    teams = [t for t in facts.teams if t.active_on(as_of)]
    undated = [t for t in facts.teams if t.active_on(as_of) is None]
    covered = {t.township for t in teams if t.township in facts.townships}
    direct = sorted({COUNTY_DIRECT_DOMAINS.get(t.county_direct_domain, "其他领域") for t in teams
                     if t.host_kind == "county_direct"})
    total = len(facts.townships)
    coverage = f"{len(covered)}/{total} 个乡镇（街道）有服务队（{len(covered) / total:.0%}）"
    direct_text = f"旗县直属服务队：{'、'.join(direct)}" if direct else "尚无旗县直属服务队"
    if covered and direct:
        return Finding("G13", title, Status.PASS, f"{coverage}；{direct_text}。")
    if undated:
        return Finding("G13", title, Status.UNKNOWN, f"{coverage}；{direct_text}；{len(undated)} 支服务队未填写成立日期。")
    advice = [] if covered else ["建议推动乡镇（街道）成立青年志愿服务队"]
    if not direct:
        advice.append("建议依据实际情况建立应急救援、医疗卫生、生态保护、大型活动等领域的旗县直属服务队")
    return Finding("G13", title, Status.ADVICE, f"{coverage}；{direct_text}；" + "；".join(advice) + "。")


# --- G8 / N2.5 systems -------------------------------------------------------------------------------------
def _check_systems(clause: str, title: str, required: dict[str, str], facts: AssociationFacts, as_of: date) -> Finding:
    if not facts.systems:
        return Finding(clause, title, Status.UNKNOWN, "未登记任何章程或制度。")
    missing, later, undated = [], [], []
    for key, label in required.items():
        if key not in facts.systems:
            missing.append(label)
        elif facts.systems[key] is None:
            undated.append(label)
        elif facts.systems[key] > as_of:
            later.append(label)
    if missing or later:
        text = []
        if missing:
            text.append("缺少" + "、".join(missing))
        if later:
            text.append(f"截至{_d(as_of)}尚未通过" + "、".join(later))
        return Finding(clause, title, Status.FAIL, "；".join(text) + "。")
    if undated:
        return Finding(clause, title, Status.UNKNOWN, "、".join(undated) + "未填写通过日期。")
    return Finding(clause, title, Status.PASS, f"已建立{'、'.join(required.values())}。")


def check_g8(facts: AssociationFacts, as_of: date) -> Finding:
    return _check_systems("G8", "章程和内部治理制度", G8_SYSTEMS, facts, as_of)


def check_n25(facts: AssociationFacts, as_of: date) -> Finding:
    return _check_systems("N2.5", "志愿服务工作制度", N25_SYSTEMS, facts, as_of)


# --- G9 support --------------------------------------------------------------------------------------------
def check_g9(facts: AssociationFacts, as_of: date) -> Finding:
    title = "争取到的保障条件（岗位、经费、场所）"
    parts: list[tuple[Status, str]] = []
    for value, ok, bad, missing in (
        (facts.fulltime_posts, "有专职岗位 {v} 个", "没有秘书处专职岗位", "专职岗位未填写"),
        (facts.annual_budget, "年度经费 {v} 万元", "没有年度工作经费", "年度经费未填写"),
        (facts.has_office, "有固定办公场所", "没有固定办公场所", "办公场所情况未填写"),
    ):
        if value is None:
            parts.append((Status.UNKNOWN, missing))
        elif value is True or (value is not False and value > 0):
            parts.append((Status.PASS, ok.format(v=value)))
        else:  # 旗县级团委要争取: support not (yet) obtained, not a fault of the association
            parts.append((Status.ADVICE, f"{bad}（旗县级团委应争取党政部门支持）"))
    return Finding("G9", title, _combine(parts), "；".join(t for _, t in parts) + "。")


# --- G10 Party and League organisations --------------------------------------------------------------------
def check_g10(facts: AssociationFacts, as_of: date) -> Finding:
    """具备条件的…应成立党的组织 / 具备条件的协会及时建立团组织: advisory, and a duty (应) once the association
    records that it has the conditions; recorded as lacking them, nothing is owed."""
    title = "党团组织"
    parts: list[tuple[Status, str]] = []
    for kind, label, conditions in (("league", "团组织", facts.league_org_conditions),
                                    ("party", "党组织", facts.party_org_conditions)):
        held = [o.holds_on(as_of) for o in facts.organisations if o.key == kind]
        verb = "建立" if kind == "league" else "成立"
        if True in held:
            parts.append((Status.PASS, f"已{verb}{label}"))
        elif None in held:
            parts.append((Status.UNKNOWN, f"{label}成立日期未填写"))
        elif conditions is True:
            parts.append((Status.FAIL, f"截至{_d(as_of)}未{verb}{label}（已记录具备条件，应{verb}）"))
        elif conditions is False:
            parts.append((Status.PASS, f"未{verb}{label}（已记录暂不具备条件）"))
        elif kind == "league":
            parts.append((Status.ADVICE, f"截至{_d(as_of)}未{verb}{label}（具备条件的协会应及时建立）"))
        else:  # as before: a Party organisation not yet set up is mentioned, not judged, until conditions are recorded
            parts.append((Status.PASS, f"暂未{verb}{label}（具备条件的应当成立）"))
    if not facts.organisations and facts.league_org_conditions is None and facts.party_org_conditions is None:
        return Finding("G10", title, Status.UNKNOWN, "未登记党组织或团组织情况，也未记录是否具备成立条件。")
    return Finding("G10", title, _combine(parts), "；".join(t for _, t in parts) + "。")


# --- N2.1 seat membership ----------------------------------------------------------------------------------
def check_n21_seats(facts: AssociationFacts, as_of: date) -> Finding | None:
    """Region, league and county associations take every existing next-level association as a seat member; a
    county is judged once a township, community or park association exists in it (those are 在条件成熟的)."""
    if facts.level == "county" and not facts.expected_seat_members:
        return None
    title = "下级协会全部作为席位会员"
    lower = {"league": "旗县协会", "region": "盟市协会", "county": "乡镇（街道）、社区、园区协会"}[facts.level]
    seats = {s.key: s for s in facts.seats}
    missing, unknown, members = [], [], 0
    for association in facts.expected_seat_members:
        exists = association.exists_on(as_of)
        if exists is False:
            continue
        seat = seats.get(str(association.id))
        holds = seat.holds_on(as_of) if seat else False
        if exists is None or holds is None:
            unknown.append(association.name)
        elif holds:
            members += 1
        else:
            missing.append(association.name)
    if missing:
        return Finding("N2.1", title, Status.FAIL, f"以下{lower}尚未成为席位会员：{'、'.join(missing)}。")
    if unknown:
        return Finding("N2.1", title, Status.UNKNOWN, f"以下{lower}的成立或入会日期未填写：{'、'.join(unknown)}。")
    if members == 0:
        return Finding("N2.1", title, Status.PASS, f"截至{_d(as_of)}辖区内尚无{lower}。")
    return Finding("N2.1", title, Status.PASS, f"辖区内 {members} 个{lower}均为席位会员。")


# --- G11 insurance -----------------------------------------------------------------------------------------
def insurance_since(as_of: date) -> date:
    """G11 is a standing duty, judged on the year up to the date (so 2 January is not empty): from the day after
    the same date a year earlier; on 31 December that is the calendar year."""
    from datetime import timedelta

    try:
        year_before = as_of.replace(year=as_of.year - 1)
    except ValueError:  # 29 February
        year_before = date(as_of.year - 1, 2, 28)
    return year_before + timedelta(days=1)


def check_g11(facts: AssociationFacts, as_of: date) -> Finding:
    """依法为志愿者提供基本保险: 条例 art. 17 owes insurance before an activity that may endanger the volunteers,
    so the activities marked so are judged; one whose risk is not recorded is unknown only where someone served
    there uninsured."""
    title = "志愿者参加可能发生人身危险的活动时在保险期内"
    cover = facts.insurance
    period = f"{_d(insurance_since(as_of))}至{_d(as_of)}"
    if cover is None or cover.since != insurance_since(as_of):
        return Finding("G11", title, Status.UNKNOWN, f"未统计{period}的服务记录。")
    if cover.serving == 0:
        return Finding("G11", title, Status.UNKNOWN, f"{period}没有服务记录。")
    if cover.not_insured - cover.unrecorded > 0:
        return Finding("G11", title, Status.FAIL,
                       f"{period}参加可能发生人身危险活动的 {cover.at_risk} 名志愿者中，"
                       f"{cover.not_insured - cover.unrecorded} 名服务时不在保险期内。")
    if cover.unrecorded:
        return Finding("G11", title, Status.UNKNOWN,
                       f"{period}参加可能发生人身危险活动的 {cover.at_risk} 名志愿者中，{cover.unrecorded} 名未填写保险信息。")
    if cover.unmarked:
        return Finding("G11", title, Status.UNKNOWN,
                       f"{period}有 {cover.unmarked} 名志愿者服务时未在保险期内（或未填写保险），"
                       f"其参加的活动未填写是否可能发生人身危险。")
    if cover.at_risk:
        return Finding("G11", title, Status.PASS,
                       f"{period}参加可能发生人身危险活动的 {cover.at_risk} 名志愿者服务时均在保险期内。")
    return Finding("G11", title, Status.PASS,
                   f"{period}共 {cover.serving} 名志愿者参加服务，所参加的活动均不属于可能发生人身危险的活动"
                   f"（或参加时均在保险期内）。")


# --- yearly duties --------------------------------------------------------------------------------------------
def _so_far(as_of: date) -> str:
    """"2025年全年" on 31 December, "2026年截至2026年1月2日" on any other day."""
    return f"{as_of.year}年全年" if (as_of.month, as_of.day) == (12, 31) else f"{as_of.year}年截至{_d(as_of)}"


def _not_done(clause: str, title: str, as_of: date, text: str) -> Finding:
    """A yearly duty not done by ``as_of``: 未到期 until 31 December, 不符合 from then on."""
    if as_of >= date(as_of.year, 12, 31):
        return Finding(clause, title, Status.FAIL, f"{text}。")
    return Finding(clause, title, Status.NOT_DUE, f"{text}，{as_of.year}年12月31日前完成即可。")


# --- G12 / N5.1 training ------------------------------------------------------------------------------------
def _trainings_in_year(facts: AssociationFacts, as_of: date, kinds: set[str] | None = None) -> list[TrainingFact]:
    start = date(as_of.year, 1, 1)
    return [t for t in facts.trainings if start <= t.started_on <= as_of and (kinds is None or t.kind in kinds)]


def check_g12(facts: AssociationFacts, as_of: date) -> Finding | None:
    if facts.level != "county":
        return None
    title = "每年至少开展一次骨干培训"
    if not facts.trainings:
        return Finding("G12", title, Status.UNKNOWN, "未登记培训。")
    held = _trainings_in_year(facts, as_of, {"backbone"})
    if held:
        return Finding("G12", title, Status.PASS, f"{as_of.year}年已开展骨干培训 {len(held)} 次（最近一次{_d(held[-1].started_on)}）。")
    return _not_done("G12", title, as_of, f"{_so_far(as_of)}尚未开展青年志愿者骨干培训")


N51_KINDS = {"leaders", "backbone"}  # 针对协会负责人和青年志愿者骨干的培训


def check_n51(facts: AssociationFacts, as_of: date) -> Finding:
    title = "每年至少一次协会负责人和骨干培训"
    if not facts.trainings:
        return Finding("N5.1", title, Status.UNKNOWN, "未登记培训。")
    held = _trainings_in_year(facts, as_of, N51_KINDS)
    if held:
        return Finding("N5.1", title, Status.PASS, f"{as_of.year}年已组织协会负责人或骨干培训 {len(held)} 次。")
    others = len(_trainings_in_year(facts, as_of))
    other_text = f"（另有其他培训 {others} 次，不计入）" if others else ""
    return _not_done("N5.1", title, as_of,
                     f"{_so_far(as_of)}尚未组织针对协会负责人和青年志愿者骨干的培训{other_text}")


# --- G15 / G20 projects, G17 key dates ----------------------------------------------------------------------
CARE_ACTION_BRANDS = {"care_action", "rainbow_house", "rainbow_holiday", "rainbow_after_school"}


def check_g15(facts: AssociationFacts, as_of: date) -> Finding | None:
    """关爱行动 and 助残“阳光行动” carried down to the county (N2.4)."""
    if facts.level != "county":
        return None
    title = "开展关爱行动、助残“阳光行动”等全国重点项目"
    if not facts.projects:
        return Finding("G15", title, Status.UNKNOWN, "未登记志愿服务项目。")
    states = {
        "关爱行动": [p.ran_in_year_to(as_of) for p in facts.projects if p.brand in CARE_ACTION_BRANDS],
        "助残“阳光行动”": [p.ran_in_year_to(as_of) for p in facts.projects if p.brand == "sunshine"],
    }
    missing = [name for name, runs in states.items() if True not in runs and None not in runs]
    undated = [name for name, runs in states.items() if True not in runs and None in runs]
    if missing:
        return _not_done("G15", title, as_of, f"{_so_far(as_of)}未开展" + "、".join(missing) + "项目")
    if undated:
        return Finding("G15", title, Status.UNKNOWN, "、".join(undated) + "项目未填写开始日期。")
    return Finding("G15", title, Status.PASS, f"{as_of.year}年开展了关爱行动和助残“阳光行动”项目。")


def check_g17(facts: AssociationFacts, as_of: date) -> Finding:
    title = "重要节点开展志愿服务活动"
    if facts.activity_count == 0:
        return Finding("G17", title, Status.UNKNOWN, "未登记志愿服务活动。")
    done, missing = [], []
    for window in facts.key_dates:  # "等重要时间节点": a window around each date (data: 重要时间节点)
        start, end = window.span(as_of.year)
        if any(tag == window.code and start <= day <= min(end, as_of) for day, tag in facts.key_date_activities):
            done.append(window.name)
        elif end < as_of:  # the window is over without an activity; while it is open nothing is missed yet
            missing.append(f"{window.name}（{window.describe(as_of.year)}）")
    if missing:
        return Finding("G17", title, Status.FAIL, f"{as_of.year}年" + "、".join(missing) + "未开展活动。")
    if not done:
        return Finding("G17", title, Status.PASS, f"{as_of.year}年截至{_d(as_of)}还没有已结束的重要节点。")
    return Finding("G17", title, Status.PASS, f"{as_of.year}年" + "、".join(done) + "均开展了活动。")


def check_g20(facts: AssociationFacts, as_of: date) -> Finding:
    title = "至少有一个常态化项目"
    regular = [p for p in facts.projects if p.regular]
    if not facts.projects:
        return Finding("G20", title, Status.UNKNOWN, "未登记志愿服务项目。")
    running = [p.running_on(as_of) for p in regular]
    if True in running:
        return Finding("G20", title, Status.PASS, f"截至{_d(as_of)}有 {running.count(True)} 个常态化项目在开展。")
    if None in running:
        return Finding("G20", title, Status.UNKNOWN, "常态化项目未填写开始日期。")
    return Finding("G20", title, Status.FAIL, f"截至{_d(as_of)}没有正在开展的常态化项目。")


YEARLY_RULES = (check_g12, check_n51, check_g15)
RULES = (check_g1, check_g2, check_g3, check_g4, check_g5, check_g6, check_g7, check_g8, check_n25, check_g9,
         check_g10, check_g11, check_g12, check_n51, check_g13, check_g15, check_g17, check_g20, check_n21_seats)


def evaluate(facts: AssociationFacts, as_of: date) -> list[Finding]:
    """Every check for one association as the world stood on ``as_of``."""
    if facts.founded_on is None:
        reason = f"未填写成立日期，无法判断截至{_d(as_of)}协会是否已成立。"
        existence = Finding("N2.1", "协会已成立", Status.UNKNOWN, reason)
    elif facts.founded_on > as_of:
        reason = f"截至{_d(as_of)}协会尚未成立（{_d(facts.founded_on)}成立）。"
        return [Finding("N2.1", "协会已成立", Status.FAIL, reason)]
    elif facts.dissolved_on is not None and facts.dissolved_on <= as_of:
        return [Finding("N2.1", "协会已成立", Status.FAIL, f"协会已于{_d(facts.dissolved_on)}注销。")]
    else:
        existence = Finding("N2.1", "协会已成立", Status.PASS, f"{_d(facts.founded_on)}成立。")
    findings = [existence]
    if facts.level == "grassroots":
        # The guide judges region, league and county associations; a township, community or park association is
        # recorded for the county's 席位制 and for G13, and judged only on whether it exists.
        return findings
    for rule in RULES:
        finding = rule(facts, as_of)
        if finding is not None:
            findings.append(finding)
    last = date(as_of.year - 1, 12, 31)
    if facts.founded_on is not None and facts.founded_on <= last:  # the last full year, judged on its own
        for rule in YEARLY_RULES:
            finding = rule(facts, last)
            if finding is not None:
                findings.append(replace(finding, title=f"{finding.title}（{last.year}年全年）", year=last.year))
    return findings


def latest(findings: list[Finding]) -> dict[str, Status]:
    """Per clause, the latest judged result: as of the date, or, while a yearly duty is 未到期, last year's."""
    current = {f.clause: f.status for f in findings if f.is_current}
    for f in findings:
        if not f.is_current and current.get(f.clause) == Status.NOT_DUE:
            current[f.clause] = f.status
    return current


def verdict(statuses) -> Status:
    """The hard reading of several results: 不符合 or 待补充 where one is, otherwise 符合 (advice and a duty not
    yet due never make anything fail)."""
    statuses = set(statuses)
    if Status.FAIL in statuses:
        return Status.FAIL
    if Status.UNKNOWN in statuses:
        return Status.UNKNOWN
    return Status.PASS


def overall(findings: list[Finding]) -> Status:
    return verdict(latest(findings).values())
