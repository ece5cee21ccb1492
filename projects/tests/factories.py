from datetime import date
from decimal import Decimal

from members.tests.factories import volunteer
from projects.models import Activity, Project, ServiceRecord
from training.models import TrainingSession


def project(association, name="七彩小屋陪伴计划", *, brand="rainbow_house", domain="education", regular=True,
            started_on=date(2020, 9, 1), **fields) -> Project:
    return Project.objects.create(association=association, name=name, brand=brand, domain=domain, regular=regular,
                                  started_on=started_on, **fields)


def activity(project_, held_on=date(2024, 3, 5), name=None, **fields) -> Activity:
    return Activity.objects.create(project=project_, name=name or f"{project_.name}活动", held_on=held_on, **fields)


def record(activity_, person=None, *, hours="2.0", served_on=None, status=ServiceRecord.Status.CONFIRMED,
           **fields) -> ServiceRecord:
    person = person or volunteer(activity_.project.association.division.code, insured_from=date(2020, 1, 1))
    return ServiceRecord.objects.create(
        volunteer=person, activity=activity_, served_on=served_on or activity_.held_on, hours=Decimal(hours),
        status=status, **fields,
    )


def service_work(association, year: int) -> None:
    """What a county association that does its service work has on record for ``year``: the two national
    brands running as regular projects, activities on every key date and on 1 January, a backbone training and
    an insured volunteer's hours on 1 January."""
    care = association.projects.filter(name="七彩小屋陪伴计划").first() or project(association, "七彩小屋陪伴计划")
    if not association.projects.filter(brand="sunshine").exists():
        project(association, "阳光助残结对", brand="sunshine", domain="disabled")
    first = activity(care, date(year, 1, 1), "新年慰问")
    for month, day in ((3, 5), (5, 4), (12, 5)):
        activity(care, date(year, month, day), f"{month}月{day}日主题活动")
    TrainingSession.objects.create(title=f"{year}年青年志愿者骨干培训", organiser=association, kind="backbone",
                                   started_on=date(year, 1, 1))
    record(first)
