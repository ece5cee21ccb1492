"""Demo teams for the demo ledger: some counties cover most townships and have all county-direct teams,
others only a few (G13 reads differently from county to county)."""
import random
from datetime import date, timedelta

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from associations.models import Association
from divisions.models import Division

from .models import ServiceBase, Team

DIRECT = [("emergency", "应急救援"), ("medical", "医疗卫生"), ("ecology", "生态保护"), ("large_events", "大型活动")]


@transaction.atomic
def demo_teams_create(*, seed: int = 2022) -> int:
    if Team.objects.exists():
        return 0
    rng = random.Random(seed)
    associations = list(Association.objects.filter(level="county").select_related("division").order_by("pk"))
    townships: dict[str, list[Division]] = {}
    for township in Division.objects.townships().select_related("parent"):
        townships.setdefault(township.parent.code, []).append(township)
    teams, bases = [], []
    for association in associations:
        if rng.random() < 0.25:
            continue  # no teams recorded: G13 unknown
        founded = (association.founded_on or date(2021, 1, 1)) + timedelta(days=rng.randrange(30, 400))
        share = rng.choice((0.3, 0.7, 1.0, 1.0))
        local = townships.get(association.division.code, [])
        for township in rng.sample(local, round(len(local) * share)):
            kind = "community" if township.kind == Division.Kind.STREET else "township"
            teams.append(Team(name=f"{township.name}青年志愿服务队", host_kind=kind, division=township,
                              association=association, founded_on=founded, leader_name="（演示数据）"))
            if rng.random() < 0.3:
                bases.append(ServiceBase(name=f"{township.name}新时代文明实践所", kind="practice_station",
                                         division=township, opened_on=founded))
        for code, label in DIRECT:
            if rng.random() < 0.93:
                teams.append(Team(name=f"{association.division.name}{label}青年志愿服务队", host_kind="county_direct",
                                  county_direct_domain=code, division=association.division, association=association,
                                  founded_on=founded, leader_name="（演示数据）"))
    bulk_create_with_history(teams, Team, default_change_reason="演示数据")
    bulk_create_with_history(bases, ServiceBase, default_change_reason="演示数据")
    return len(teams)
