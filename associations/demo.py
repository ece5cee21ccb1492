"""A small, realistic demo ledger for a first run: associations for most counties, founded across 2019–2022,
some supervised first by the civilization office, some still unregistered, officers, systems and seats."""
import random
from datetime import date, timedelta

from django.db import transaction
from simple_history.utils import bulk_create_with_history
from stdnum.cn import uscc

from divisions.models import Division

from .models import Association, Officer, SeatMembership, SystemAdoption
from .services import serial_number_issue

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤巴特尔苏和"
GIVEN = "志强建华海军丽娟晓东宏伟丽华敏秀英桂兰玉兰金花乌云其其格巴图宝音那日苏额尔敦斯琴高娃阿拉坦"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES[:100]) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _uscc(division: Division, n: int) -> str:
    base = f"51{division.gb_code}MJ{n:07d}"[:17]
    return base + uscc.calc_check_digit(base)


def _association_name(division: Division) -> str:
    if division.kind == Division.Kind.CITY_DISTRICT:
        return f"{division.parent.name}{division.name}青年志愿者协会"
    return f"{division.name}青年志愿者协会"


def _date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


@transaction.atomic
def demo_ledger_create(*, seed: int = 2020) -> int:
    """Create the demo ledger once; returns the number of associations created (0 when one exists)."""
    if Association.objects.exists():
        return 0
    rng = random.Random(seed)
    region = Division.objects.get(level=Division.Level.REGION)
    leagues = list(Division.objects.leagues())
    counties = list(Division.objects.counties().select_related("parent"))

    associations: list[Association] = []
    region_assoc = Association(
        level=Association.Level.REGION,
        division=region,
        name="内蒙古自治区青年志愿者协会",
        founded_on=date(1995, 3, 5),
        supervisor_kind=Association.SupervisorKind.CYL_COMMITTEE,
        supervisor_name="共青团内蒙古自治区委员会",
        supervisor_cyl_since=date(1995, 3, 5),
        registration_authority="内蒙古自治区民政厅",
        registered_on=date(1995, 4, 10),
        uscc=_uscc(region, 1),
        secretariat_host=Association.SecretariatHost.CYL_COMMITTEE,
        staff_fulltime=4,
    )
    associations.append(region_assoc)
    for league in leagues:
        founded = _date(rng, date(1998, 1, 1), date(2012, 12, 31))
        associations.append(
            Association(
                level=Association.Level.LEAGUE,
                division=league,
                name=f"{league.name}青年志愿者协会",
                founded_on=founded,
                supervisor_kind=Association.SupervisorKind.CYL_COMMITTEE,
                supervisor_name=f"共青团{league.name}委员会",
                supervisor_cyl_since=founded,
                registration_authority=f"{league.name}民政局",
                registered_on=founded + timedelta(days=rng.randrange(10, 60)),
                uscc=_uscc(league, 1),
                secretariat_host=Association.SecretariatHost.CYL_COMMITTEE,
                staff_fulltime=rng.choice((1, 2, 3)),
            )
        )
    for county in counties:
        roll = rng.random()
        if roll < 0.08:
            continue  # still no association: the gap the dashboard must show
        if roll < 0.60:
            founded = _date(rng, date(2016, 1, 1), date(2020, 12, 31))
        elif roll < 0.92:
            founded = _date(rng, date(2021, 1, 1), date(2021, 12, 31))
        else:
            founded = _date(rng, date(2022, 1, 1), date(2023, 6, 30))
        kind = Association.SupervisorKind.CYL_COMMITTEE
        cyl_since = founded
        if rng.random() < 0.2:
            cyl_since = _date(rng, founded, max(founded, date(2022, 3, 31)))
        if rng.random() < 0.05:
            kind, cyl_since = Association.SupervisorKind.CIVILIZATION_OFFICE, None
        registered = rng.random() < 0.85
        prefix = "旗" if county.kind in (Division.Kind.BANNER, Division.Kind.AUTONOMOUS_BANNER) else "县"
        associations.append(
            Association(
                level=Association.Level.COUNTY,
                division=county,
                name=_association_name(county),
                founded_on=founded,
                supervisor_kind=kind,
                supervisor_name=f"共青团{county.name}委员会" if kind == "cyl_committee" else f"{county.name}文明办",
                supervisor_cyl_since=cyl_since,
                registration_authority=f"{county.name}民政局" if registered else "",
                registered_on=founded + timedelta(days=rng.randrange(0, 90)) if registered else None,
                uscc=_uscc(county, 1) if registered else "",
                secretariat_host=rng.choice(
                    [Association.SecretariatHost.CYL_COMMITTEE] * 8 + [Association.SecretariatHost.ELSEWHERE, ""]
                ),
                staff_fulltime=rng.choice((0, 1, 1, 2, None)),
                staff_parttime=rng.choice((0, 1, 2, 3)),
                fulltime_posts=rng.choice((0, 1, 1, 2, None)),
                annual_budget=rng.choice((None, 2, 5, 8, 10, 20)),
                has_office=rng.choice((True, True, False, None)),
                note=f"{prefix}级协会（演示数据）",
            )
        )
    for association in associations:
        association.serial_number = serial_number_issue(division=association.division)
    associations = bulk_create_with_history(associations, Association, default_change_reason="演示数据")
    associations = list(Association.objects.select_related("division").order_by("pk"))

    officers, systems, seats = [], [], []
    by_code = {a.division.code: a for a in associations}
    for association in associations:
        start = association.founded_on or date(2020, 1, 1)
        leader = _name(rng)
        officers.append(
            Officer(
                association=association,
                role=Officer.Role.PRESIDENT,
                name=leader,
                post=f"团{association.division.name[-1]}委书记",
                is_cyl_leader=rng.random() < 0.9,
                term_start=start,
            )
        )
        officers.append(
            Officer(
                association=association,
                role=Officer.Role.LEGAL_REPRESENTATIVE,
                name=leader,
                post=f"团{association.division.name[-1]}委书记",
                is_cyl_leader=True,
                term_start=start,
            )
        )
        officers.append(
            Officer(
                association=association,
                role=Officer.Role.SECRETARY_GENERAL,
                name=_name(rng),
                post="团委副书记",
                is_cyl_leader=rng.random() < 0.6,
                is_fulltime_cadre=rng.random() < 0.7,
                term_start=start,
            )
        )
        adopted = [s for s in SystemAdoption.System if rng.random() < 0.75]
        for system in adopted:
            systems.append(
                SystemAdoption(
                    association=association,
                    system=system,
                    adopted_on=start + timedelta(days=rng.randrange(0, 200)),
                    document=f"{association.name}{SystemAdoption.System(system).label}",
                )
            )
        if association.level == Association.Level.COUNTY:
            upper = by_code.get(association.division.code[:4])
            if upper is not None and rng.random() < 0.8:
                seats.append(SeatMembership(upper=upper, lower=association, joined_on=association.founded_on))
        elif association.level == Association.Level.LEAGUE:
            seats.append(SeatMembership(upper=by_code["15"], lower=association, joined_on=association.founded_on))
    bulk_create_with_history(officers, Officer, default_change_reason="演示数据")
    bulk_create_with_history(systems, SystemAdoption, default_change_reason="演示数据")
    bulk_create_with_history(seats, SeatMembership, default_change_reason="演示数据")
    return len(associations)
