"""Demo volunteers and members for the demo ledger (marked in 技能特长 as 演示数据): enough for the G6/G7
checks to read differently from one association to another."""
import random
from datetime import date, timedelta

from django.db import transaction
from simple_history.utils import bulk_create_with_history
from stdnum.cn import ric

from associations.models import Association

from .models import IndividualMember, UnitMember, Volunteer
from .reference import CYL_MEMBER, SERVICE_DOMAINS

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
GIVEN = ["志强", "丽娟", "晓东", "敏", "乌云", "其其格", "巴图", "宝音", "那日苏", "斯琴", "娜仁", "图雅", "鹏", "婷"]
DOMAINS = [code for code, _ in SERVICE_DOMAINS]
UNIT_NAMES = [
    ("school", "第一中学青年志愿者服务队"),
    ("school", "职业技术学校志愿者协会"),
    ("youth_volunteer_org", "青年志愿者服务中心"),
    ("enterprise", "供电公司青年志愿服务队"),
    ("public_institution", "人民医院青年志愿服务队"),
]


def _id_number(area: str, birth: date, order: int) -> str:
    base = f"{area}{birth:%Y%m%d}{order % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


@transaction.atomic
def demo_members_create(*, seed: int = 2021, per_association: int = 12) -> int:
    if Volunteer.objects.exists():
        return 0
    rng = random.Random(seed)
    associations = list(Association.objects.filter(level="county").select_related("division").order_by("pk"))
    volunteers, plans = [], []
    order = 0
    for association in associations:
        if rng.random() < 0.3:
            continue  # no members recorded: G6/G7 unknown
        broad = rng.random() < 0.8
        for _ in range(per_association):
            order += 1
            age = rng.randint(19, 42) if rng.random() < 0.985 else rng.randint(47, 52)
            birth = date(date.today().year - age, rng.randint(1, 12), rng.randint(1, 28))
            person = Volunteer(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN), division=association.division,
                ethnicity=rng.choice(["01", "01", "01", "02", "02", "03", "08"]),
                political_status=rng.choice([CYL_MEMBER, CYL_MEMBER, "01", "13"]),
                skills="演示数据", registered_on=max(birth + timedelta(days=18 * 366), date(2019, 1, 1)),
            )
            person.set_id_number(_id_number(association.division.gb_code, birth, order))
            person.set_phone(f"13{rng.randint(100000000, 999999999)}")
            volunteers.append(person)
            domains = rng.sample(DOMAINS, 3) if broad else rng.sample(DOMAINS[:4], 2)
            plans.append((association, person, domains))
        if broad:  # one member per domain makes the coverage deliberate, not luck
            for i, (_, person, domains) in enumerate(plans[-len(DOMAINS):]):
                domains.append(DOMAINS[i]) if DOMAINS[i] not in domains else None
    bulk_create_with_history(volunteers, Volunteer, default_change_reason="演示数据")
    by_hash = {v.id_number_hash: v for v in Volunteer.objects.all()}
    members = []
    for association, person, domains in plans:
        joined = max(association.founded_on or date(2021, 1, 1), person.registered_on) + timedelta(days=30)
        members.append(IndividualMember(
            association=association, volunteer=by_hash[person.id_number_hash], joined_on=joined,
            review_status=IndividualMember.Review.APPROVED, domains=domains, recommended_by="团支部推荐",
        ))
    bulk_create_with_history(members, IndividualMember, default_change_reason="演示数据")
    units = []
    for association in {a for a, _, _ in plans}:
        for kind, suffix in [UNIT_NAMES[0], *rng.sample(UNIT_NAMES[1:], rng.randint(0, 2))]:
            units.append(UnitMember(
                association=association, name=f"{association.division.name}{suffix}", kind=kind,
                domains=rng.sample(DOMAINS, 3), joined_on=(association.founded_on or date(2021, 1, 1)) + timedelta(days=60),
            ))
    bulk_create_with_history(units, UnitMember, default_change_reason="演示数据")
    return len(volunteers)
