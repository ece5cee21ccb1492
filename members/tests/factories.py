import itertools
from datetime import date

from stdnum.cn import ric

from divisions.models import Division
from members.models import IndividualMember, UnitMember, Volunteer
from members.reference import SERVICE_DOMAINS

_seq = itertools.count(1)
ALL_DOMAINS = [code for code, _ in SERVICE_DOMAINS]


def id_number(area: str = "150102", birth: date = date(2000, 1, 1), seq: int | None = None, sex: str = "male") -> str:
    """A valid 18-character ID number; the 17th digit is odd for men, even for women."""
    n = next(_seq) if seq is None else seq
    order = (n % 50) * 2 + (1 if sex == "male" else 0)
    base = f"{area}{birth:%Y%m%d}{order:03d}"
    return base + ric.calc_check_digit(base + "0")  # stdnum expects a placeholder check character


def volunteer(code: str = "150102", *, birth: date = date(2000, 1, 1), name: str = "王志强", phone: str = "",
              **fields) -> Volunteer:
    person = Volunteer(name=name, division=Division.objects.get(code=code), registered_on=fields.pop(
        "registered_on", date(2022, 1, 1)), **fields)
    county = person.division.gb_code[:6] if person.division.level != "league" else person.division.code + "02"
    person.set_id_number(id_number(county, birth))
    person.set_phone(phone)
    person.save()
    return person


def member(association, *, birth: date = date(1995, 5, 4), joined_on: date = date(2021, 6, 1), domains=None,
           status=IndividualMember.Review.APPROVED, **fields) -> IndividualMember:
    person = volunteer(association.division.code, birth=birth)
    return IndividualMember.objects.create(
        association=association, volunteer=person, joined_on=joined_on, review_status=status,
        domains=ALL_DOMAINS if domains is None else domains, **fields,
    )


def unit(association, *, kind=UnitMember.Kind.SCHOOL, joined_on: date = date(2021, 6, 1), domains=None, **fields):
    return UnitMember.objects.create(
        association=association, name=fields.pop("name", "某中学青年志愿者服务队"), kind=kind,
        joined_on=joined_on, domains=domains or [], **fields,
    )
