"""Every list costs the same number of queries with one row as with many."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from associations.models import Officer, SystemAdoption
from associations.tests.factories import association

pytestmark = pytest.mark.django_db

HHHT_COUNTIES = ["150102", "150103", "150104", "150105", "150121", "150122", "150123", "150124", "150125"]


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _ledger(codes):
    for code in codes:
        obj = association(code)
        Officer.objects.create(association=obj, role="president", name="王志强")
        SystemAdoption.objects.create(association=obj, system="charter")


@pytest.fixture
def league_client(client, make_staff):
    client.force_login(make_staff(Role.LEAGUE_STAFF, "1501"))
    return client


@pytest.mark.parametrize(
    "url_name,params",
    [
        ("admin:associations_association_changelist", {}),
        ("admin:associations_association_changelist", {"league": "1501"}),
        ("admin:associations_association_changelist", {"q": "区"}),
    ],
)
def test_association_changelist_queries_do_not_grow_with_rows(league_client, url_name, params):
    _ledger(HHHT_COUNTIES[:1])
    one, response = _count(league_client, reverse(url_name), params)
    assert response.context["cl"].result_count == 1

    _ledger(HHHT_COUNTIES[1:])
    many, response = _count(league_client, reverse(url_name), params)

    assert response.context["cl"].result_count >= 4
    assert many == one


def test_association_change_page_queries_do_not_grow_with_inline_rows(league_client):
    from associations.models import Association, SeatMembership

    _ledger(["150102"])
    obj = association("1501")
    SeatMembership.objects.create(upper=obj, lower=Association.objects.get(division__code="150102"))
    url = reverse("admin:associations_association_change", args=[obj.pk])
    _count(league_client, url)  # warm per-process caches (content types)
    one, _ = _count(league_client, url)

    _ledger(HHHT_COUNTIES[1:])
    for lower in Association.objects.filter(level="county").exclude(division__code="150102"):
        SeatMembership.objects.create(upper=obj, lower=lower)
    for system in ("decision", "finance", "personnel"):
        SystemAdoption.objects.create(association=obj, system=system)
    many, response = _count(league_client, url)

    assert obj.seats.count() == len(HHHT_COUNTIES)
    assert response.content.decode().count('name="seats-') > len(HHHT_COUNTIES)
    assert many == one


def test_division_changelist_queries_are_constant(league_client):
    one, response = _count(league_client, reverse("admin:divisions_division_changelist"), {"q": "150102001"})
    assert response.context["cl"].result_count == 1
    many, response = _count(league_client, reverse("admin:divisions_division_changelist"))
    assert response.context["cl"].result_count > 100
    assert many == one


def test_user_changelist_queries_are_constant(league_client, make_staff):
    make_staff(Role.COUNTY_STAFF, "150102")
    one, _ = _count(league_client, reverse("admin:accounts_user_changelist"))
    for code in HHHT_COUNTIES[1:]:
        make_staff(Role.COUNTY_STAFF, code)
    many, response = _count(league_client, reverse("admin:accounts_user_changelist"))
    assert response.context["cl"].result_count == len(HHHT_COUNTIES)
    assert many == one


def test_autocomplete_queries_are_constant(league_client):
    url = reverse("admin:autocomplete")
    params = {"app_label": "associations", "model_name": "seatmembership", "field_name": "lower", "term": "协会"}
    _ledger(HHHT_COUNTIES[:1])
    one, _ = _count(league_client, url, params)
    _ledger(HHHT_COUNTIES[1:])
    many, response = _count(league_client, url, params)
    assert len(response.json()["results"]) == len(HHHT_COUNTIES)
    assert many == one


def test_activity_autocomplete_names_project_and_association_at_constant_cost(league_client):
    """Four 五四青年节志愿服务 on one day, in two projects of two associations, are four distinct choices."""
    from datetime import date

    from projects.tests.factories import activity, project

    url = reverse("admin:autocomplete")
    params = {"app_label": "projects", "model_name": "servicerecord", "field_name": "activity", "term": "五四"}
    day = date(2026, 5, 4)
    first = association("150102")
    activity(project(first, "七彩小屋陪伴计划"), day, "五四青年节志愿服务")
    one, _ = _count(league_client, url, params)
    activity(project(first, "阳光助残结对", brand="sunshine", domain="disabled"), day, "五四青年节志愿服务")
    second = association("150103")
    for name in ("七彩小屋陪伴计划", "社区环保行动"):
        activity(project(second, name), day, "五四青年节志愿服务")
    many, response = _count(league_client, url, params)
    labels = sorted(result["text"] for result in response.json()["results"])
    assert labels == sorted([
        "七彩小屋陪伴计划 · 五四青年节志愿服务（2026-05-04，新城区青年志愿者协会）",
        "阳光助残结对 · 五四青年节志愿服务（2026-05-04，新城区青年志愿者协会）",
        "七彩小屋陪伴计划 · 五四青年节志愿服务（2026-05-04，回民区青年志愿者协会）",
        "社区环保行动 · 五四青年节志愿服务（2026-05-04，回民区青年志愿者协会）",
    ])
    assert many == one
