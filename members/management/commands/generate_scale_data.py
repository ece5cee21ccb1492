"""Fill a database with a region-scale synthetic population for benchmarks: volunteers across the 103
counties (valid, unique ID numbers; encrypted like real ones), individual members and team rosters.

Written with plain bulk inserts and no history rows: this is benchmark data, not a ledger anyone kept.
"""
import random
import time
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from stdnum.cn import ric

from associations.demo import demo_ledger_create
from associations.models import Association
from divisions.models import Division
from members import personal_data
from members.models import IndividualMember, Volunteer
from teams.models import Team, TeamMembership

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = ["志强", "丽娟", "晓东", "敏", "乌云", "其其格", "巴图", "宝音", "那日苏", "斯琴", "娜仁", "图雅", "鹏", "婷", "浩",
         "建国", "海燕", "春梅", "志刚", "丽", "静", "磊", "伟", "芳", "娟", "阿拉坦", "额尔敦", "苏日娜"]


class Command(BaseCommand):
    help = "生成用于性能测试的大规模模拟数据（默认 100 万名注册志愿者及会员、服务队队员），不写历史记录。"

    def add_arguments(self, parser):
        parser.add_argument("--volunteers", type=int, default=1_000_000)
        parser.add_argument("--batch", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, volunteers, batch, seed, **options):
        rng = random.Random(seed)
        demo_ledger_create()
        townships = list(Division.objects.townships().values_list("pk", "code"))
        associations = {a.division.code: a.pk for a in Association.objects.filter(level="county", dissolved_on=None)
                        .select_related("division")}
        teams = self._teams(townships)
        start_pk = (Volunteer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        started = time.perf_counter()
        made = 0
        used: set[str] = set(Volunteer.objects.values_list("id_number_hash", flat=True)) if start_pk > 1 else set()
        while made < volunteers:
            size = min(batch, volunteers - made)
            people = []
            for _ in range(size):
                township_pk, code = rng.choice(townships)
                while True:
                    birth = date(1970, 1, 1) + timedelta(days=rng.randrange(365 * 38))
                    base = f"{code[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
                    number = base + ric.calc_check_digit(base + "0")
                    digest = personal_data.keyed_hash(number)
                    if digest not in used:
                        used.add(digest)
                        break
                phone = f"1{rng.choice('3578')}{rng.randrange(10 ** 9):09d}"
                people.append(Volunteer(
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN), division_id=township_pk,
                    id_number_encrypted=personal_data.encrypt(number), id_number_hash=digest,
                    id_number_masked=personal_data.mask_id_number(number), birth_date=birth,
                    sex="male" if int(number[16]) % 2 else "female",
                    ethnicity=rng.choice(["01", "01", "01", "02", "02", "03", "08"]),
                    political_status=rng.choice(["03", "03", "13", "01"]),
                    phone_encrypted=personal_data.encrypt(phone), phone_hash=personal_data.keyed_hash(phone),
                    phone_masked=personal_data.mask_phone(phone),
                    registered_on=birth + timedelta(days=365 * 18 + rng.randrange(3000)),
                ))
            with transaction.atomic():
                created = Volunteer.objects.bulk_create(people, batch_size=5000)
                if created[0].pk is None:  # databases that do not return keys
                    created = list(Volunteer.objects.filter(id_number_hash__in=[p.id_number_hash for p in people]))
                members, rosters = [], []
                code_of = dict(townships)
                for person in created:
                    county = code_of[person.division_id][:6]
                    if rng.random() < 0.05 and county in associations and person.registered_on:
                        members.append(IndividualMember(
                            association_id=associations[county], volunteer_id=person.pk,
                            joined_on=person.registered_on, review_status="approved", domains=["education"],
                        ))
                    if rng.random() < 0.1:
                        rosters.append(TeamMembership(team_id=teams[person.division_id], volunteer_id=person.pk,
                                                      joined_on=person.registered_on))
                IndividualMember.objects.bulk_create(members, batch_size=5000)
                TeamMembership.objects.bulk_create(rosters, batch_size=5000)
            made += size
            rate = made / (time.perf_counter() - started)
            self.stdout.write(f"已生成 {made} 名志愿者（{rate:.0f} 名/秒）")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh planner statistics for the tables just filled

    def _teams(self, townships) -> dict[int, int]:
        existing = dict(Team.objects.filter(division__level="township").values_list("division_id", "pk"))
        missing = [Team(name="青年志愿服务队（模拟）", host_kind="township", division_id=pk, founded_on=date(2020, 1, 1))
                   for pk, _ in townships if pk not in existing]
        Team.objects.bulk_create(missing, batch_size=2000)
        return dict(Team.objects.filter(division__level="township").values_list("division_id", "pk"))
