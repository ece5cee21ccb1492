"""A plausible demo ledger for a first run, clearly marked as demo data (备注 “演示数据”).

Most counties have an association, founded across 2016–2023 (so the 2020 and 2021 targets read differently),
some have none. About half are kept well, a third have one or two gaps, the rest are thinly recorded (many
“待补充”) or plainly off the guide. League associations take most of their counties' associations as seats.
"""
import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history
from stdnum.cn import uscc

from divisions.models import Division

from .models import (
    Association,
    Officer,
    PartyLeagueOrganisation,
    SeatMembership,
    SupervisingUnit,
    SystemAdoption,
)
from .services import serial_number_issue

DEMO_NOTE = "演示数据"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
GIVEN = ["志强", "建华", "海军", "丽娟", "晓东", "宏伟", "敏", "秀英", "桂兰", "乌云", "其其格", "巴图", "宝音", "那日苏",
         "额尔敦", "斯琴", "高娃", "阿拉坦", "娜仁", "图雅", "鹏", "磊", "静", "婷"]
ALL_SYSTEMS = [s.value for s in SystemAdoption.System]
PARTIAL_DEFECTS = ("district_name", "late_cyl", "unregistered_unknown", "no_fulltime", "missing_systems",
                   "secretary_not_qualified", "budget_unknown", "no_league_org")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _uscc(division: Division, n: int) -> str:
    base = f"51{division.gb_code}MJ{n:07d}"[:17]
    return base + uscc.calc_check_digit(base)


def _date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _standard_name(division: Division) -> str:
    if division.kind == Division.Kind.CITY_DISTRICT:
        return f"{division.parent.name}{division.name}青年志愿者协会"
    return f"{division.name}青年志愿者协会"


def _well_kept(division: Division, level: str, founded: date, rng: random.Random) -> dict:
    cyl = f"共青团{division.name}委员会"
    return dict(
        level=level,
        division=division,
        name=_standard_name(division) if level == "county" else f"{division.name}青年志愿者协会",
        founded_on=founded,
        units=[dict(kind=Association.SupervisorKind.CYL_COMMITTEE, name=cyl, since=founded)],
        is_registered=True,
        registration_authority=f"{division.name}民政局",
        registered_on=founded + timedelta(days=rng.randrange(10, 60)),
        uscc=_uscc(division, 1),
        secretariat_host=Association.SecretariatHost.CYL_COMMITTEE,
        secretariat_since=founded,
        staff_fulltime=rng.choice((1, 1, 2, 3)),
        staff_parttime=rng.choice((0, 1, 2)),
        staff_volunteer=rng.choice((2, 5, 8)),
        fulltime_posts=rng.choice((1, 1, 2)),
        staffing_quota=rng.choice((0, 1, 2)),
        annual_budget=Decimal(rng.choice((3, 5, 8, 10, 20))),
        has_office=True,
        office_shared_with_civilization_center=rng.choice((True, False)),
        note=DEMO_NOTE,
    )


@transaction.atomic
def demo_ledger_create(*, seed: int = 2020) -> int:
    """Create the demo ledger once; returns the number of associations created (0 when one exists)."""
    if Association.objects.exists():
        return 0
    rng = random.Random(seed)
    region = Division.objects.get(level=Division.Level.REGION)
    plans: list[tuple[dict, str, set[str]]] = []  # (fields, tier, defects)
    region_fields = _well_kept(region, "region", date(1995, 3, 5), rng)
    region_fields["name"] = "内蒙古自治区青年志愿者协会"
    plans.append((region_fields, "good", set()))
    for league in Division.objects.leagues():
        plans.append((_well_kept(league, "league", _date(rng, date(1998, 1, 1), date(2012, 12, 31)), rng), "good", set()))

    for county in Division.objects.counties().select_related("parent"):
        roll = rng.random()
        if roll < 0.07:
            continue  # still no association: the gap the dashboard must show
        if roll < 0.62:
            founded = _date(rng, date(2016, 1, 1), date(2020, 12, 31))
        elif roll < 0.93:
            founded = _date(rng, date(2021, 1, 1), date(2021, 12, 31))
        else:
            founded = _date(rng, date(2022, 1, 1), date(2023, 6, 30))
        fields = _well_kept(county, "county", founded, rng)
        tier = rng.choices(("good", "partial", "poor"), weights=(55, 30, 15))[0]
        defects: set[str] = set()
        if tier == "partial":
            defects = set(rng.sample(PARTIAL_DEFECTS, rng.choice((1, 2))))
        if "district_name" in defects and county.kind == Division.Kind.CITY_DISTRICT:
            fields["name"] = f"{county.name}青年志愿者协会"
        if "late_cyl" in defects:
            changed = max(founded + timedelta(days=1), date(2022, 3, 1))
            fields["units"] = [
                dict(kind=Association.SupervisorKind.CIVIL_AFFAIRS, name=f"{county.name}民政局", since=founded),
                dict(kind=Association.SupervisorKind.CYL_COMMITTEE, name=fields["units"][0]["name"], since=changed,
                     change_registered_on=changed + timedelta(days=rng.randrange(15, 90)),
                     change_document=f"{county.name}民政局变更登记通知"),
            ]
        if "unregistered_unknown" in defects:
            fields.update(is_registered=None, registration_authority="", registered_on=None, uscc="")
        if "no_fulltime" in defects:
            fields["staff_fulltime"] = 0
        if "budget_unknown" in defects:
            fields["annual_budget"] = None
        if tier == "poor":
            fields.update(
                units=rng.choice(([dict(kind=Association.SupervisorKind.CIVILIZATION_OFFICE,
                                        name=f"{county.name}文明办")], [])),
                is_registered=rng.choice((False, None)),
                registration_authority="",
                registered_on=None,
                uscc="",
                secretariat_host=rng.choice((Association.SecretariatHost.ELSEWHERE, "")),
                staff_fulltime=None,
                fulltime_posts=None,
                annual_budget=None,
                has_office=None,
            )
        plans.append((fields, tier, defects))

    associations = []
    for fields, _, _ in plans:
        association = Association(**{k: v for k, v in fields.items() if k != "units"})
        association.serial_number = serial_number_issue(division=association.division)
        associations.append(association)
    bulk_create_with_history(associations, Association, default_change_reason=DEMO_NOTE)
    saved = {a.division_id: a for a in Association.objects.select_related("division")}
    by_code = {a.division.code: a for a in saved.values()}

    officers, systems, seats, organisations, units = [], [], [], [], []
    for fields, tier, defects in plans:
        association = saved[fields["division"].pk]
        units.extend(SupervisingUnit(association=association, **unit) for unit in fields["units"])
        start = association.founded_on
        post = "团旗委书记" if association.division.kind in ("旗", "自治旗") else "团委书记"
        leader = _name(rng)
        poor = tier == "poor"
        for role in (Officer.Role.PRESIDENT, Officer.Role.LEGAL_REPRESENTATIVE):
            officers.append(Officer(association=association, role=role, name=leader, post=post,
                                    is_cyl_leader=None if poor else True, term_start=start))
        if not poor:
            qualified = "secretary_not_qualified" not in defects
            officers.append(Officer(association=association, role=Officer.Role.SECRETARY_GENERAL, name=_name(rng),
                                    post="团委副书记" if qualified else "社区工作者", is_cyl_leader=qualified,
                                    is_fulltime_cadre=qualified, term_start=start))
            adopted = list(ALL_SYSTEMS)
            if "missing_systems" in defects:
                for system in rng.sample(ALL_SYSTEMS[1:], rng.choice((1, 2))):
                    adopted.remove(system)
            for system in adopted:
                systems.append(SystemAdoption(
                    association=association, system=system,
                    adopted_on=start + timedelta(days=rng.randrange(0, 120)),
                    document=f"{association.name}{SystemAdoption.System(system).label}",
                ))
            if "no_league_org" not in defects:
                organisations.append(PartyLeagueOrganisation(
                    association=association, kind="league", form="团支部",
                    established_on=start + timedelta(days=rng.randrange(0, 120)),
                ))
            if rng.random() < 0.4:
                organisations.append(PartyLeagueOrganisation(
                    association=association, kind="party", form=rng.choice(("党支部", "联合党支部")),
                    established_on=start + timedelta(days=rng.randrange(0, 400)),
                ))
        if association.level == Association.Level.COUNTY:
            upper = by_code.get(association.division.code[:4])
            if upper is not None and rng.random() < 0.9:
                seats.append(SeatMembership(upper=upper, lower=association,
                                            joined_on=max(start, upper.founded_on) + timedelta(days=30)))
        elif association.level == Association.Level.LEAGUE:
            seats.append(SeatMembership(upper=by_code["15"], lower=association, joined_on=association.founded_on))
    bulk_create_with_history(units, SupervisingUnit, default_change_reason=DEMO_NOTE)
    bulk_create_with_history(officers, Officer, default_change_reason=DEMO_NOTE)
    bulk_create_with_history(systems, SystemAdoption, default_change_reason=DEMO_NOTE)
    bulk_create_with_history(seats, SeatMembership, default_change_reason=DEMO_NOTE)
    bulk_create_with_history(organisations, PartyLeagueOrganisation, default_change_reason=DEMO_NOTE)
    return len(associations)
