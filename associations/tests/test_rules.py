"""Each 体检 rule: pass, fail, unknown (missing data never fails) and as-of behaviour. No database."""
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from associations import rules
from associations.rules import (
    AssociationFacts,
    InsuranceFact,
    LowerAssociationFact,
    MemberFact,
    OfficerFact,
    PeriodFact,
    ProjectFact,
    Status,
    SupervisionFact,
    TeamFact,
    TrainingFact,
    UnitMemberFact,
    evaluate,
)
from projects.keydates import DEFAULT_WINDOWS, KeyDateWindow

TODAY = date(2024, 6, 30)
KEY_DATES = DEFAULT_WINDOWS  # 学雷锋: all March; 五四 and 12月5日: a week either side
ALL_SYSTEMS = {key: date(2021, 1, 1) for key in {**rules.G8_SYSTEMS, **rules.N25_SYSTEMS}}


def compliant(**changes) -> AssociationFacts:
    """A compliant county association's facts; ``supervisor_kind`` / ``supervisor_cyl_since`` give it one
    supervising unit (the CYL committee since founding by default)."""
    if "supervisor_kind" in changes or "supervisor_cyl_since" in changes:
        kind = changes.pop("supervisor_kind", "cyl_committee")
        since = changes.pop("supervisor_cyl_since", date(2020, 5, 4))
        changes["supervision"] = (SupervisionFact(kind, since=since),) if kind else ()
    facts = AssociationFacts(
        id=1,
        name="呼和浩特市新城区青年志愿者协会",
        level="county",
        division_name="新城区",
        division_kind="市辖区",
        parent_division_name="呼和浩特市",
        founded_on=date(2020, 5, 4),
        supervision=(SupervisionFact("cyl_committee", "共青团呼和浩特市新城区委员会", date(2020, 5, 4)),),
        is_registered=True,
        registration_authority="呼和浩特市新城区民政局",
        registered_on=date(2020, 6, 1),
        uscc="51150102MJ0000001U",
        secretariat_host="cyl_committee",
        secretariat_since=date(2020, 5, 4),
        staff_fulltime=2,
        fulltime_posts=1,
        annual_budget=Decimal("5.00"),
        has_office=True,
        officers=(
            OfficerFact("president", "王志强", is_cyl_leader=True, term_start=date(2020, 5, 4)),
            OfficerFact("legal_representative", "王志强", is_cyl_leader=True, term_start=date(2020, 5, 4)),
            OfficerFact("secretary_general", "李敏", is_cyl_leader=False, is_fulltime_cadre=True, term_start=date(2020, 5, 4)),
        ),
        systems=dict(ALL_SYSTEMS),
        organisations=(PeriodFact("league", date(2020, 7, 1)),),
        members=(
            MemberFact(date(1995, 5, 4), date(2020, 6, 1), domains=tuple(rules.SERVICE_DOMAIN_LABELS)),
            MemberFact(date(2004, 1, 1), date(2020, 6, 1), domains=("education",)),
        ),
        unit_members=(UnitMemberFact("school", date(2020, 6, 1), domains=("education",)),),
        townships=("150102001", "150102002", "150102003", "150102004"),
        teams=(
            TeamFact("150102001", "township", founded_on=date(2020, 9, 1)),
            TeamFact("150102002", "community", founded_on=date(2021, 9, 1)),
            *(TeamFact(None, "county_direct", d, founded_on=date(2020, 9, 1)) for d in rules.COUNTY_DIRECT_DOMAINS),
        ),
        projects=(
            ProjectFact("rainbow_house", True, date(2020, 9, 1)),
            ProjectFact("sunshine", False, date(2023, 3, 1), date(2023, 4, 30)),
            ProjectFact("sunshine", False, date(2024, 3, 1), date(2024, 4, 30)),
        ),
        activity_count=5,
        key_date_activities=((date(2024, 3, 5), "03-05"), (date(2024, 5, 4), "05-04"), (date(2023, 12, 5), "12-05")),
        key_dates=KEY_DATES,
        trainings=(TrainingFact("backbone", date(2023, 5, 10)), TrainingFact("backbone", date(2024, 4, 1))),
        insurance=InsuranceFact(rules.insurance_since(TODAY), serving=12, at_risk=12),
    )
    return replace(facts, **changes)


def status(check, facts, as_of=TODAY):
    return check(facts, as_of).status


def test_a_compliant_association_passes_every_check():
    findings = evaluate(compliant(), TODAY)
    assert [(f.clause, f.year) for f in findings] == [
        *((c, None) for c in ("N2.1", "G1", "G2", "G3", "G4", "G5", "G6", "G7", "G8", "N2.5", "G9", "G10", "G11",
                              "G12", "N5.1", "G13", "G15", "G17", "G20")),
        ("G12", 2023), ("N5.1", 2023), ("G15", 2023),  # the yearly duties of the last full year
    ]
    assert {f.status for f in findings} == {Status.PASS}
    assert all(f.wording for f in findings)


def test_every_clause_declares_its_strength_timing_and_wording():
    for clause in rules.CLAUSES.values():
        assert clause.strength in ("hard", "soft") and clause.timing in ("standing", "dated", "yearly")
        assert clause.wording
    soft = {c for c, clause in rules.CLAUSES.items() if clause.strength == "soft"}
    assert soft == {"G2", "G6", "G9", "G10", "G13"}
    assert {c for c, clause in rules.CLAUSES.items() if clause.timing == "yearly"} == {"G12", "N5.1", "G15"}


def test_nobody_compliant_is_red_on_2_january():
    """On 2 January this year's training and brand projects are not due yet; last year's are judged."""
    facts = compliant(trainings=(TrainingFact("backbone", date(2024, 4, 1)),),
                      insurance=InsuranceFact(rules.insurance_since(date(2025, 1, 2)), serving=3))
    findings = evaluate(facts, date(2025, 1, 2))
    assert Status.FAIL not in {f.status for f in findings}
    this_year = {f.clause: f.status for f in findings if f.year is None}
    assert this_year["G12"] == this_year["N5.1"] == this_year["G15"] == Status.NOT_DUE
    last_year = {f.clause: (f.status, f.title) for f in findings if f.year == 2024}
    assert last_year["G12"] == (Status.PASS, "每年至少开展一次骨干培训（2024年全年）")
    assert rules.latest(findings)["G12"] == Status.PASS  # the latest judged period: 2024
    assert rules.overall(findings) == Status.PASS


def test_a_yearly_duty_missed_last_year_is_a_finding_of_that_year():
    facts = compliant(trainings=(TrainingFact("backbone", date(2023, 4, 1)),))
    findings = evaluate(facts, date(2025, 1, 2))
    missed = next(f for f in findings if f.clause == "G12" and f.year == 2024)
    assert missed.status == Status.FAIL and missed.reason == "2024年全年尚未开展青年志愿者骨干培训。"
    assert rules.latest(findings)["G12"] == Status.FAIL and rules.overall(findings) == Status.FAIL


def test_an_association_founded_this_year_has_no_last_year():
    findings = evaluate(compliant(founded_on=date(2024, 2, 1)), TODAY)
    assert all(f.year is None for f in findings)


# --- existence / as of
def test_association_founded_in_2021_does_not_exist_as_of_end_of_2020():
    findings = evaluate(compliant(founded_on=date(2021, 3, 5)), date(2020, 12, 31))
    assert len(findings) == 1
    assert findings[0].status == Status.FAIL
    assert findings[0].reason == "截至2020年12月31日协会尚未成立（2021年3月5日成立）。"


def test_dissolved_association_fails_existence_after_dissolution():
    findings = evaluate(compliant(dissolved_on=date(2023, 1, 1)), TODAY)
    assert [f.status for f in findings] == [Status.FAIL]
    assert "已于2023年1月1日注销" in findings[0].reason


def test_unknown_founding_date_makes_existence_unknown_not_fail():
    findings = evaluate(compliant(founded_on=None), TODAY)
    assert findings[0].status == Status.UNKNOWN
    assert len(findings) > 1


# --- G1
def test_g1_pass_fail_unknown():
    assert status(rules.check_g1, compliant()) == Status.PASS
    finding = rules.check_g1(compliant(supervisor_kind="civilization_office", supervisor_cyl_since=None), TODAY)
    assert finding.status == Status.FAIL
    assert finding.reason == ("截至2024年6月30日业务主管单位为精神文明建设委员会办公室，不是旗县团委；"
                              "应于2021年10月31日前变更为旗县团委并完成变更登记（T4）。")
    assert status(rules.check_g1, compliant(supervisor_kind="")) == Status.UNKNOWN
    assert rules.check_g1(compliant(supervisor_kind=""), TODAY).reason == "未填写业务主管单位。"
    assert status(rules.check_g1, compliant(supervision=(SupervisionFact(""),))) == Status.UNKNOWN
    assert status(rules.check_g1, compliant(supervisor_cyl_since=None)) == Status.UNKNOWN


def changed_to_cyl(on: date, registered: date | None = None, document: str = "") -> AssociationFacts:
    """Founded 2020-05-04 under civil affairs, changed to the CYL committee on ``on``."""
    return compliant(supervision=(
        SupervisionFact("civil_affairs", "新城区民政局", date(2020, 5, 4)),
        SupervisionFact("cyl_committee", "共青团新城区委员会", on, registered, document),
    ))


def test_g1_reads_the_unit_in_force_on_the_date():
    facts = changed_to_cyl(date(2021, 9, 1), date(2021, 9, 20), "新民社变〔2021〕3号")
    before = rules.check_g1(facts, date(2021, 8, 31))
    assert before.status == Status.FAIL
    assert before.reason.startswith("截至2021年8月31日业务主管单位为民政部门（2020年5月4日起），不是旗县团委")
    pending = rules.check_g1(facts, date(2021, 9, 10))
    assert pending.status == Status.FAIL and "尚未完成变更登记（2021年9月20日完成）" in pending.reason
    done = rules.check_g1(facts, date(2021, 10, 31))
    assert done.status == Status.PASS
    assert done.reason == "2021年9月1日变更为由旗县团委主管，2021年9月20日完成变更登记，新民社变〔2021〕3号。"


def test_g1_a_change_without_its_registration_is_unknown():
    finding = rules.check_g1(changed_to_cyl(date(2021, 9, 1)), TODAY)
    assert finding.status == Status.UNKNOWN
    assert finding.reason == "2021年9月1日变更为由旗县团委主管；未记录在登记管理机关办理的变更登记（日期和文件）。"
    # an association not registered with civil affairs has no change registration to make (G3 judges that)
    assert status(rules.check_g1, replace(changed_to_cyl(date(2021, 9, 1)), is_registered=False)) == Status.PASS


def test_g1_a_unit_changed_away_from_the_cyl_committee_fails_from_that_day():
    facts = compliant(supervision=(
        SupervisionFact("cyl_committee", "共青团新城区委员会", date(2020, 5, 4)),
        SupervisionFact("civilization_office", "新城区文明办", date(2023, 1, 1)),
    ))
    assert status(rules.check_g1, facts, date(2022, 12, 31)) == Status.PASS
    assert status(rules.check_g1, facts, date(2023, 1, 1)) == Status.FAIL


def test_g1_as_of_before_the_first_recorded_cyl_date_fails():
    """Only the date the CYL committee took over is recorded: before it, the unit was not the CYL committee."""
    facts = replace(compliant(supervisor_cyl_since=date(2021, 9, 1)), is_registered=None)
    finding = rules.check_g1(facts, date(2021, 8, 31))
    assert finding.status == Status.FAIL and "尚未变更为旗县团委（2021年9月1日起由旗县团委主管）" in finding.reason
    assert status(rules.check_g1, facts, date(2021, 10, 31)) == Status.PASS


def test_g1_notes_a_change_later_than_t4():
    finding = rules.check_g1(changed_to_cyl(date(2022, 3, 1), date(2022, 3, 20)), TODAY)
    assert finding.status == Status.PASS and "晚于T4期限" in finding.reason


def test_coverage_reads_the_unit_in_force_on_the_day():
    units = (SupervisionFact("civil_affairs", since=date(2020, 5, 4)), SupervisionFact("cyl_committee", since=date(2021, 3, 1)))
    assert rules.counts_for_coverage("新城区志愿者协会", units, date(2021, 2, 28)) is False
    assert rules.counts_for_coverage("新城区志愿者协会", units, date(2021, 3, 1)) is True
    assert rules.counts_for_coverage("新城区青年志愿者协会", units, date(2021, 2, 28)) is True
    assert rules.counts_for_coverage("新城区志愿者协会", (), date(2021, 3, 1)) is None
    assert rules.counts_for_coverage("新城区志愿者协会", (SupervisionFact("cyl_committee"),), date(2021, 3, 1)) is None


# --- G2
@pytest.mark.parametrize(
    "name,kind,supervisor,expected",
    [
        ("呼和浩特市新城区青年志愿者协会", "市辖区", "cyl_committee", Status.PASS),
        ("新城区青年志愿者协会", "市辖区", "cyl_committee", Status.ADVICE),
        ("呼和浩特市新城区志愿者协会", "市辖区", "cyl_committee", Status.PASS),
        ("呼和浩特市新城区志愿服务联合会", "市辖区", "civil_affairs", Status.FAIL),
        ("呼和浩特市新城区志愿服务联合会", "市辖区", "", Status.UNKNOWN),
        ("回民区青年志愿者协会", "市辖区", "cyl_committee", Status.ADVICE),
    ],
)
def test_g2_city_district_names(name, kind, supervisor, expected):
    assert status(rules.check_g2, compliant(name=name, division_kind=kind, supervisor_kind=supervisor)) == expected


def test_g2_banner_name_and_a_name_of_another_division():
    banner = compliant(name="土默特左旗青年志愿者协会", division_name="土默特左旗", division_kind="旗")
    assert status(rules.check_g2, banner) == Status.PASS
    wrong = rules.check_g2(replace(banner, name="托克托县青年志愿者协会"), TODAY)
    assert wrong.status == Status.ADVICE  # 名称原则上应为: advice, not a failure
    assert wrong.reason == "名称「托克托县青年志愿者协会」与所属区划「土默特左旗」不符，原则上应为「土默特左旗青年志愿者协会」。"


# --- G3
def test_g3_pass_fail_unknown_and_as_of():
    assert status(rules.check_g3, compliant()) == Status.PASS
    assert status(rules.check_g3, compliant(is_registered=False, registered_on=None, uscc="")) == Status.FAIL
    assert status(rules.check_g3, compliant(registered_on=None)) == Status.UNKNOWN
    assert status(rules.check_g3, compliant(uscc="")) == Status.UNKNOWN
    assert status(rules.check_g3, compliant(), date(2020, 5, 31)) == Status.FAIL


def test_g3_bad_check_character_and_non_social_organisation_code_fail():
    bad = rules.check_g3(compliant(uscc="51150102MJ0000001A"), TODAY)
    assert bad.status == Status.FAIL and "校验不通过" in bad.reason
    company = rules.check_g3(compliant(uscc="91110000600037341L"), TODAY)
    assert company.status == Status.FAIL and "应以 51 开头" in company.reason


def test_g3_authority_other_than_civil_affairs_fails():
    assert status(rules.check_g3, compliant(registration_authority="市场监督管理局")) == Status.FAIL


# --- G4
def test_g4_pass_fail_unknown():
    assert status(rules.check_g4, compliant()) == Status.PASS
    officers = list(compliant().officers)
    officers[0] = replace(officers[0], is_cyl_leader=False)
    finding = rules.check_g4(compliant(officers=tuple(officers)), TODAY)
    assert finding.status == Status.ADVICE  # 会长原则上由团委负责同志担任
    assert "会长王志强不是旗县团委负责同志（原则上由旗县团委负责同志担任）" in finding.reason
    officers[0] = replace(officers[0], is_cyl_leader=None)
    assert status(rules.check_g4, compliant(officers=tuple(officers))) == Status.UNKNOWN
    assert status(rules.check_g4, compliant(officers=())) == Status.UNKNOWN


def test_g4_secretary_general_neither_leader_nor_cadre_fails():
    officers = list(compliant().officers)
    officers[2] = replace(officers[2], is_cyl_leader=False, is_fulltime_cadre=False)
    assert status(rules.check_g4, compliant(officers=tuple(officers))) == Status.FAIL


def test_g4_as_of_uses_the_officers_in_office_that_day():
    officers = (
        OfficerFact("president", "张旧", is_cyl_leader=False, term_start=date(2019, 1, 1), term_end=date(2021, 6, 30)),
        OfficerFact("president", "王新", is_cyl_leader=True, term_start=date(2021, 7, 1)),
        *compliant().officers[1:],
    )
    facts = compliant(officers=officers)
    assert status(rules.check_g4, facts, date(2021, 1, 1)) == Status.ADVICE
    assert status(rules.check_g4, facts, date(2022, 1, 1)) == Status.PASS


# --- G5
def test_g5_pass_fail_unknown_and_as_of():
    assert status(rules.check_g5, compliant()) == Status.PASS
    assert status(rules.check_g5, compliant(secretariat_host="elsewhere")) == Status.FAIL
    assert status(rules.check_g5, compliant(staff_fulltime=0)) == Status.FAIL
    assert status(rules.check_g5, compliant(secretariat_host="")) == Status.UNKNOWN
    assert status(rules.check_g5, compliant(staff_fulltime=None)) == Status.UNKNOWN
    assert status(rules.check_g5, compliant(secretariat_since=date(2022, 1, 1)), date(2021, 12, 31)) == Status.FAIL


# --- G8 / N2.5
def test_g8_pass_fail_unknown_and_as_of():
    assert status(rules.check_g8, compliant()) == Status.PASS
    systems = dict(ALL_SYSTEMS)
    del systems["finance"]
    finding = rules.check_g8(compliant(systems=systems), TODAY)
    assert finding.status == Status.FAIL and finding.reason == "缺少财务管理制度。"
    assert status(rules.check_g8, compliant(systems={})) == Status.UNKNOWN
    assert status(rules.check_g8, compliant(systems=ALL_SYSTEMS | {"charter": None})) == Status.UNKNOWN
    assert status(rules.check_g8, compliant(), date(2020, 12, 31)) == Status.FAIL


def test_n25_volunteer_work_systems():
    assert status(rules.check_n25, compliant()) == Status.PASS
    systems = {k: v for k, v in ALL_SYSTEMS.items() if k != "rights_protection"}
    assert rules.check_n25(compliant(systems=systems), TODAY).reason == "缺少权益保障制度。"


# --- G9
def test_g9_pass_fail_unknown():
    assert status(rules.check_g9, compliant()) == Status.PASS
    # 旗县级团委要争取: support not obtained is advice, never a failure of the association
    finding = rules.check_g9(compliant(annual_budget=Decimal("0")), TODAY)
    assert finding.status == Status.ADVICE and "没有年度工作经费（旗县级团委应争取党政部门支持）" in finding.reason
    assert status(rules.check_g9, compliant(has_office=False, fulltime_posts=None)) == Status.UNKNOWN
    assert status(rules.check_g9, compliant(fulltime_posts=None)) == Status.UNKNOWN


# --- G10
def test_g10_pass_fail_unknown_and_as_of():
    assert status(rules.check_g10, compliant()) == Status.PASS
    assert status(rules.check_g10, compliant(organisations=(PeriodFact("party", date(2020, 7, 1)),))) == Status.ADVICE
    assert status(rules.check_g10, compliant(organisations=())) == Status.UNKNOWN
    assert status(rules.check_g10, compliant(organisations=(PeriodFact("league", None),))) == Status.UNKNOWN
    assert status(rules.check_g10, compliant(), date(2020, 6, 30)) == Status.ADVICE  # 具备条件的…及时建立


def test_g10_becomes_a_duty_once_the_conditions_are_recorded():
    """具备条件的…应: advisory while the conditions are not judged; 不符合 once the association records it has them;
    nothing owed when it records it does not."""
    none = compliant(organisations=())
    assert status(rules.check_g10, replace(none, league_org_conditions=True)) == Status.FAIL
    assert status(rules.check_g10, replace(none, league_org_conditions=False, party_org_conditions=False)) == Status.PASS
    party_owed = rules.check_g10(replace(compliant(), party_org_conditions=True), TODAY)
    assert party_owed.status == Status.FAIL
    assert party_owed.reason == "已建立团组织；截至2024年6月30日未成立党组织（已记录具备条件，应成立）。"
    assert rules.check_g10(compliant(), TODAY).reason == "已建立团组织；暂未成立党组织（具备条件的应当成立）。"
    early = replace(compliant(), league_org_conditions=False)
    assert status(rules.check_g10, early, date(2020, 6, 30)) == Status.PASS  # 暂不具备条件: not advised either


# --- N2.1 seats
def league_facts(**changes):
    lower = (
        LowerAssociationFact(11, "呼和浩特市新城区青年志愿者协会", date(2019, 1, 1), None),
        LowerAssociationFact(12, "呼和浩特市回民区青年志愿者协会", date(2021, 6, 1), None),
    )
    base = compliant(
        name="呼和浩特市青年志愿者协会", level="league", division_name="呼和浩特市", division_kind="地级市",
        parent_division_name="内蒙古自治区", expected_seat_members=lower,
        seats=(PeriodFact("11", date(2019, 3, 1)), PeriodFact("12", date(2021, 7, 1))),
    )
    return replace(base, **changes)


def test_n21_seats_pass_fail_unknown_and_as_of():
    assert status(rules.check_n21_seats, league_facts()) == Status.PASS
    missing = rules.check_n21_seats(league_facts(seats=(PeriodFact("11", date(2019, 3, 1)),)), TODAY)
    assert missing.status == Status.FAIL and "呼和浩特市回民区青年志愿者协会" in missing.reason
    assert status(rules.check_n21_seats, league_facts(seats=(PeriodFact("11", None), PeriodFact("12", date(2021, 7, 1))))) == Status.UNKNOWN
    # On 2020-12-31 回民区's association did not exist yet: only 新城区 was due, and it sat.
    assert status(rules.check_n21_seats, league_facts(seats=(PeriodFact("11", date(2019, 3, 1)),)), date(2020, 12, 31)) == Status.PASS


def test_n21_seats_does_not_apply_to_county_associations():
    assert rules.check_n21_seats(compliant(), TODAY) is None


# --- G6
def test_g6_is_judged_at_admission_and_is_advice():
    assert status(rules.check_g6, compliant()) == Status.PASS
    # Born 1975, admitted at 43 in 2018: a member does not become a finding by growing older.
    aging = compliant(members=(MemberFact(date(1975, 1, 1), date(2018, 1, 1)),))
    assert status(rules.check_g6, aging, date(2024, 6, 30)) == Status.PASS
    late = compliant(members=(MemberFact(date(1975, 1, 1), date(2021, 3, 1)),))  # admitted at 46
    finding = rules.check_g6(late, TODAY)
    assert finding.status == Status.ADVICE
    assert finding.reason == "1 名在册个人会员中有 1 名入会时年龄不在 14–45 岁之间（原则上应在 14–45 岁）。"
    assert status(rules.check_g6, compliant(members=())) == Status.UNKNOWN
    assert status(rules.check_g6, compliant(members=(MemberFact(None, date(2020, 1, 1)),))) == Status.UNKNOWN


def test_g6_counts_only_approved_members_in_office():
    pending = MemberFact(date(1970, 1, 1), date(2020, 1, 1), approved=False)
    left = MemberFact(date(1970, 1, 1), date(2010, 1, 1), left_on=date(2015, 1, 1))
    assert status(rules.check_g6, compliant(members=(*compliant().members, pending, left))) == Status.PASS


# --- G7
def test_g7_pass_fail_unknown_and_as_of():
    assert status(rules.check_g7, compliant()) == Status.PASS
    narrow = compliant(members=(MemberFact(date(1995, 1, 1), date(2020, 1, 1), domains=("education",)),))
    finding = rules.check_g7(narrow, TODAY)
    assert finding.status == Status.FAIL and finding.reason.startswith("尚未覆盖扶贫、济困、扶老、救孤、恤病、助残、救灾、助医领域")
    no_school = rules.check_g7(compliant(unit_members=(UnitMemberFact("enterprise", date(2020, 6, 1)),)), TODAY)
    assert no_school.status == Status.ADVICE and "尚未吸纳学校志愿服务组织（注重吸纳）" in no_school.reason
    assert status(rules.check_g7, compliant(members=(), unit_members=())) == Status.UNKNOWN
    assert status(rules.check_g7, compliant(), date(2020, 5, 31)) == Status.UNKNOWN


# --- G13
def test_g13_measures_the_township_share_and_advises_never_fails():
    finding = rules.check_g13(compliant(), TODAY)
    assert finding.status == Status.PASS
    assert finding.reason == "2/4 个乡镇（街道）有服务队（50%）；旗县直属服务队：医疗卫生、大型活动、应急救援、生态保护。"
    # one of four townships on 2021-06-30: a share, no threshold of the platform's own
    assert rules.check_g13(compliant(), date(2021, 6, 30)).reason.startswith("1/4 个乡镇（街道）有服务队（25%）")
    assert status(rules.check_g13, compliant(), date(2021, 6, 30)) == Status.PASS
    # any county-direct domain counts ("等领域"); none at all is advice
    one_direct = tuple(t for t in compliant().teams if t.county_direct_domain in ("", "medical"))
    assert status(rules.check_g13, compliant(teams=one_direct)) == Status.PASS
    no_direct = tuple(t for t in compliant().teams if not t.county_direct_domain)
    advice = rules.check_g13(compliant(teams=no_direct), TODAY)
    assert advice.status == Status.ADVICE and "建议依据实际情况建立" in advice.reason
    assert status(rules.check_g13, compliant(teams=())) == Status.UNKNOWN


def test_g13_applies_to_county_associations_only():
    assert rules.check_g13(compliant(level="league"), TODAY) is None


# --- service work: G11 insurance ---------------------------------------------------------------------------
def test_g11_insurance_is_owed_for_activities_that_may_endanger_volunteers():
    """条例 art. 17: insurance before an activity that may endanger the volunteers; judged on twelve months."""
    since = rules.insurance_since(TODAY)
    assert since == date(2023, 7, 1) and rules.insurance_since(date(2024, 12, 31)) == date(2024, 1, 1)
    assert rules.insurance_since(date(2024, 2, 29)) == date(2023, 3, 1)

    def g11(**cover):
        return rules.check_g11(compliant(insurance=InsuranceFact(since, **cover)), TODAY)

    assert g11(serving=12, at_risk=12).reason == (
        "2023年7月1日至2024年6月30日参加可能发生人身危险活动的 12 名志愿者服务时均在保险期内。")
    failing = g11(serving=12, at_risk=5, not_insured=3, unrecorded=1)
    assert failing.status == Status.FAIL
    assert failing.reason == "2023年7月1日至2024年6月30日参加可能发生人身危险活动的 5 名志愿者中，2 名服务时不在保险期内。"
    assert g11(serving=12, at_risk=5, not_insured=1, unrecorded=1).status == Status.UNKNOWN
    # nobody uninsured at a risky activity, but someone uninsured at an activity whose risk is not recorded
    unmarked = g11(serving=12, at_risk=5, unmarked=2)
    assert unmarked.status == Status.UNKNOWN and "未填写是否可能发生人身危险" in unmarked.reason
    # uninsured volunteers at activities marked 否 owe nothing: not every service day needs insurance
    safe = g11(serving=12)
    assert safe.status == Status.PASS and "均不属于可能发生人身危险的活动" in safe.reason
    assert g11().status == Status.UNKNOWN  # nobody served in twelve months
    assert status(rules.check_g11, compliant(insurance=None)) == Status.UNKNOWN
    # facts summarised for another window say nothing about this date
    assert status(rules.check_g11, compliant(), date(2025, 1, 1)) == Status.UNKNOWN


# --- G12 / N5.1 training -------------------------------------------------------------------------------------
def test_g12_backbone_training_is_a_yearly_duty():
    assert status(rules.check_g12, compliant()) == Status.PASS
    assert status(rules.check_g12, compliant(), date(2024, 3, 31)) == Status.NOT_DUE  # held on 1 April
    finding = rules.check_g12(compliant(), date(2025, 6, 30))
    assert finding.status == Status.NOT_DUE
    assert finding.reason == "2025年截至2025年6月30日尚未开展青年志愿者骨干培训，2025年12月31日前完成即可。"
    assert status(rules.check_g12, compliant(), date(2025, 12, 31)) == Status.FAIL
    assert status(rules.check_g12, compliant(trainings=())) == Status.UNKNOWN
    assert rules.check_g12(compliant(level="league"), TODAY) is None  # G12 is the county association's duty


def test_n51_counts_only_training_of_leaders_and_backbone():
    skills_only = compliant(trainings=(TrainingFact("skills", date(2024, 4, 1)),))
    assert status(rules.check_n51, skills_only) == Status.NOT_DUE
    finding = rules.check_n51(skills_only, date(2024, 12, 31))
    assert finding.status == Status.FAIL and "（另有其他培训 1 次，不计入）" in finding.reason
    leaders = compliant(trainings=(TrainingFact("leaders", date(2024, 4, 1)),))
    assert status(rules.check_n51, leaders) == Status.PASS
    assert status(rules.check_n51, compliant(trainings=())) == Status.UNKNOWN
    assert status(rules.check_n51, compliant(), date(2025, 6, 30)) == Status.NOT_DUE


# --- G15 brands, G17 key dates, G20 regular projects --------------------------------------------------------
def test_g15_needs_care_action_and_sunshine_in_the_year():
    assert status(rules.check_g15, compliant()) == Status.PASS
    finding = rules.check_g15(compliant(), date(2025, 6, 30))  # 阳光行动 ended in April 2024
    assert finding.status == Status.NOT_DUE
    assert finding.reason == "2025年截至2025年6月30日未开展助残“阳光行动”项目，2025年12月31日前完成即可。"
    assert status(rules.check_g15, compliant(), date(2025, 12, 31)) == Status.FAIL
    undated = compliant(projects=(ProjectFact("care_action", True, date(2020, 1, 1)), ProjectFact("sunshine", False)))
    assert status(rules.check_g15, undated) == Status.UNKNOWN
    assert status(rules.check_g15, compliant(projects=())) == Status.UNKNOWN
    assert status(rules.check_g15, compliant(), date(2020, 12, 31)) == Status.FAIL  # 阳光行动 not run in 2020


def test_g17_key_dates_due_by_the_as_of_date():
    assert status(rules.check_g17, compliant()) == Status.PASS  # 3-5 and 5-4 due and held; 12-5 not yet due
    finding = rules.check_g17(compliant(), date(2024, 12, 31))
    assert finding.status == Status.FAIL and finding.reason == "2024年国际志愿者日（11月28日至12月12日）未开展活动。"
    assert rules.check_g17(compliant(), date(2024, 3, 4)).status == Status.PASS  # no key date due yet
    assert status(rules.check_g17, compliant(), date(2025, 5, 4)) == Status.FAIL
    assert rules.check_g17(compliant(), date(2025, 4, 2)).reason == "2025年学雷锋纪念日（3月1日至3月31日）未开展活动。"


def test_g17_counts_the_days_around_each_key_date():
    """"等重要时间节点": 学雷锋 is the month of March; 五四 and 12月5日 count a week either side (data, editable)."""
    around = compliant(key_date_activities=((date(2024, 3, 20), "03-05"), (date(2024, 5, 10), "05-04"),
                                            (date(2024, 11, 30), "12-05")))
    finding = rules.check_g17(around, date(2024, 12, 31))
    assert finding.status == Status.PASS and finding.reason == "2024年学雷锋纪念日、五四青年节、国际志愿者日均开展了活动。"
    # while a window is still open nothing is missed: on 8 May 五四 can still be marked until 11 May
    march_only = compliant(key_date_activities=((date(2024, 3, 20), "03-05"),))
    assert status(rules.check_g17, march_only, date(2024, 5, 8)) == Status.PASS
    assert status(rules.check_g17, march_only, date(2024, 5, 12)) == Status.FAIL
    # an activity after the as-of date does not count yet
    assert status(rules.check_g17, around, date(2024, 3, 10)) == Status.PASS
    assert rules.check_g17(around, date(2024, 3, 10)).reason == "2024年截至2024年3月10日还没有已结束的重要节点。"
    assert status(rules.check_g17, around, date(2024, 4, 1)) == Status.PASS
    # a window as data: exactly the day, as the platform read it before
    exact = compliant(key_dates=(KeyDateWindow("03-05", "学雷锋纪念日"),),
                      key_date_activities=((date(2024, 3, 20), "03-05"),))
    assert status(rules.check_g17, exact, date(2024, 3, 31)) == Status.FAIL
    assert status(rules.check_g17, compliant(activity_count=0, key_date_activities=())) == Status.UNKNOWN


def test_g20_a_regular_project_running_on_the_day():
    assert status(rules.check_g20, compliant()) == Status.PASS
    assert status(rules.check_g20, compliant(), date(2020, 8, 31)) == Status.FAIL  # starts 1 September 2020
    ended = compliant(projects=(ProjectFact("local", True, date(2020, 1, 1), date(2024, 6, 29)),))
    assert status(rules.check_g20, ended) == Status.FAIL
    assert status(rules.check_g20, compliant(projects=(ProjectFact("local", True),))) == Status.UNKNOWN
    assert status(rules.check_g20, compliant(projects=())) == Status.UNKNOWN
    one_off = compliant(projects=(ProjectFact("local", False, date(2024, 1, 1)),))
    assert status(rules.check_g20, one_off) == Status.FAIL
