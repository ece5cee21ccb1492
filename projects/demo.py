"""Demo service work for the demo ledger: projects, activities on key dates, hours, training, stars, honours and
one certificate — varied from county to county, so that G11/G12/G15/G17/G20 read differently."""
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from associations.models import Association, Commendation
from members.models import Volunteer

from .models import Activity, Project, ServiceRecord

BRANDS = [
    ("rainbow_house", "education", "七彩小屋暑期陪伴"),
    ("sunshine", "disabled", "阳光助残结对帮扶"),
    ("golden_glow", "elderly", "金晖助老入户探访"),
    ("community", "elderly", "青年志愿者社区服务站"),
    ("rural_revitalisation", "poverty", "乡村振兴青春行"),
]
KEY_DAYS = ((3, 5, "学雷锋日社区服务"), (5, 4, "五四青年节志愿服务"), (12, 5, "国际志愿者日集中服务"))


@transaction.atomic
def demo_service_create(*, seed: int = 2023) -> int:
    """Create the demo service work once; returns the number of projects made (0 when it exists)."""
    from training.models import Attendance, TrainingSession

    if Project.objects.exists():
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    associations = list(Association.objects.filter(level="county").select_related("division").order_by("pk"))
    people: dict[int, list[Volunteer]] = {}
    for person in Volunteer.objects.filter(skills="演示数据").only("pk", "division_id", "insured_from"):
        people.setdefault(person.division_id, []).append(person)
    projects = []
    for association in associations:
        if rng.random() < 0.2:
            continue  # no service work recorded: the checks say unknown
        for brand, domain, name in rng.sample(BRANDS, rng.randint(1, 4)):
            started = date(rng.choice((2020, 2021, 2022)), rng.randint(1, 12), 1)
            projects.append(Project(
                association=association, name=name, brand=brand, domain=domain, regular=rng.random() < 0.7,
                started_on=started, ended_on=None if rng.random() < 0.85 else started + timedelta(days=400),
            ))
    bulk_create_with_history(projects, Project, default_change_reason="演示数据")
    projects = list(Project.objects.select_related("association__division"))
    activities = []
    for project in projects:
        for year in range(max(project.started_on.year, 2021), today.year + 1):
            for month, day, label in KEY_DAYS:
                held = date(year, month, day)
                if held <= today and rng.random() < 0.6:
                    activities.append(Activity(project=project, name=label, held_on=held, may_endanger=False,
                                               key_date=f"{month:02d}-{day:02d}"))
            held = date(year, rng.randint(6, 9), rng.randint(1, 28))
            if held <= today:
                activities.append(Activity(project=project, name="日常服务", held_on=held,
                                           may_endanger=rng.choice((False, False, None))))
            held = date(year, 7, rng.randint(1, 28))  # the flood season: a drill that may endanger volunteers
            if held <= today and rng.random() < 0.3:
                activities.append(Activity(project=project, name="防汛应急演练", held_on=held, may_endanger=True))
    bulk_create_with_history(activities, Activity, default_change_reason="演示数据")
    # Confirmed demo hours say who confirmed them and when, as confirmed hours do: an account that cannot log in,
    # named for what it is, a few days after the activity.
    confirmer, created = get_user_model().objects.get_or_create(
        username="demo_confirmer", defaults={"last_name": "演示数据确认人", "is_active": False})
    if created:
        confirmer.set_unusable_password()
        confirmer.save(update_fields=["password"])
    now = timezone.now()
    records = []
    for activity in Activity.objects.select_related("project__association"):
        local = people.get(activity.project.association.division_id, [])
        confirmed_at = min(now, timezone.make_aware(datetime.combine(activity.held_on + timedelta(days=3), time(10))))
        for person in rng.sample(local, min(len(local), rng.randint(2, 6))):
            confirmed = rng.random() < 0.9
            records.append(ServiceRecord(
                volunteer=person, activity=activity, association=activity.project.association,
                served_on=activity.held_on, hours=Decimal(rng.choice(("2", "2.5", "3", "4", "6", "8"))),
                status=ServiceRecord.Status.CONFIRMED if confirmed else ServiceRecord.Status.RECORDED,
                confirmed_by=confirmer if confirmed else None, confirmed_at=confirmed_at if confirmed else None,
            ))
    bulk_create_with_history(records, ServiceRecord, default_change_reason="演示数据")
    insured = []
    for group in people.values():  # per county: everyone insured, some cover lapsed, or nothing recorded
        plan = rng.choices(("all", "lapsed", "none"), weights=(5, 2, 3))[0]
        for n, person in enumerate(group if plan != "none" else ()):
            lapsed = plan == "lapsed" and n % 3 == 0
            person.insurer, person.insured_from = "中国人民财产保险（演示）", date(2021, 1, 1)
            person.insured_until = date(2023, 12, 31) if lapsed else None
            insured.append(person)
    Volunteer.objects.bulk_update(insured, ["insurer", "insured_from", "insured_until"])
    sessions = []
    for association in associations:
        for year in range(2021, today.year + 1):
            if rng.random() < 0.65:
                sessions.append(TrainingSession(
                    title=f"{year}年{association.division.name}青年志愿者骨干培训班", organiser=association,
                    kind=TrainingSession.Kind.BACKBONE, mode=rng.choice(("offline", "online")),
                    started_on=date(year, rng.randint(3, 10), rng.randint(1, 28)), hours=Decimal("8"),
                    trainers="（演示数据）"))
    bulk_create_with_history(sessions, TrainingSession, default_change_reason="演示数据")
    attendance = []
    for session in TrainingSession.objects.select_related("organiser"):
        for person in people.get(session.organiser.division_id, [])[:5]:
            attendance.append(Attendance(session=session, volunteer=person, attended=rng.random() < 0.9))
    bulk_create_with_history(attendance, Attendance, default_change_reason="演示数据")
    honours = [Commendation(kind=Commendation.Kind.DEMONSTRATION_ASSOCIATION, year=year, level="region",
                            document_number=f"内团联发〔{year}〕{n + 3}号", association=association,
                            division=association.division)
               for year in (2022, 2024) for n, association in enumerate(rng.sample(associations, 6))]
    bulk_create_with_history(honours, Commendation, default_change_reason="演示数据")
    from members.services import star_levels_recompute

    star_levels_recompute()
    return len(projects)
