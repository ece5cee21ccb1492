"""The browsable API (``Accept: text/html``) is a renderer like any other: its filter forms and its raw-data forms
show nothing of another scope, and a filter by another scope's record answers as one by a record that does not
exist."""
import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from config.api import router
from divisions.models import Division
from members.models import Volunteer

from .matrix import MAKERS, OTHER, OWN

pytestmark = pytest.mark.django_db

ENDPOINTS = {prefix: viewset for prefix, viewset, _ in router.registry}
OTHER_NAME = "乌日娜外盟"


def label(viewset) -> str:
    opts = viewset.queryset.model._meta
    return f"{opts.app_label}_{opts.model_name}"


@pytest.fixture
def other_scope(db):
    """One record of every kind in another league's county, its volunteers carrying a name to look for."""
    made = {name: make(OTHER, n) for n, (name, make) in enumerate(MAKERS.items())}
    Volunteer.objects.filter(division__code__startswith=OTHER).update(name=OTHER_NAME)
    return made


def html_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("who", ["county", "no_jurisdiction", "secretariat"])
def test_no_html_page_of_the_api_shows_another_scope(other_scope, make_staff, who):
    user = {"county": lambda: make_staff(Role.COUNTY_STAFF, OWN),
            "no_jurisdiction": lambda: make_staff(Role.COUNTY_STAFF, None),
            "secretariat": lambda: make_staff(Role.SECRETARIAT, OWN)}[who]()
    client = html_client(user)
    other_county = Division.objects.get(code=OTHER).name
    leaks, pages = [], 0
    for prefix in sorted(ENDPOINTS):
        response = client.get(f"/api/v1/{prefix}/", HTTP_ACCEPT="text/html")
        if response.status_code == 403:
            continue
        assert response.status_code == 200, prefix
        page = response.content.decode()
        assert "<form" in page  # the filter form is there
        pages += 1
        for marker in (OTHER_NAME, other_county, f"{OTHER}-0"):
            if marker in page:
                leaks.append(f"{prefix}: {marker}")
    print(f"\n{who}: {pages} HTML pages of the API looked at")
    assert leaks == []
    assert pages >= 10


FOREIGN_KEY_FILTERS = [("service-records", "volunteer", "projects_servicerecord"),
                       ("service-records", "activity", "projects_activity"),
                       ("certificates", "volunteer", "members_volunteer"),
                       ("activities", "project", "projects_project"),
                       ("team-memberships", "team", "teams_team"),
                       ("individual-members", "association", "associations_association"),
                       ("unit-members", "association", "associations_association"),
                       ("training-sessions", "organiser", "associations_association"),
                       ("attendance", "session", "training_trainingsession")]


@pytest.mark.parametrize("prefix,field,maker", FOREIGN_KEY_FILTERS)
def test_filtering_by_another_scopes_record_answers_as_for_one_that_does_not_exist(make_staff, prefix, field,
                                                                                  maker):
    assert prefix in ENDPOINTS
    other = MAKERS[maker](OTHER, 0)
    if maker == "projects_servicerecord":
        other = other.volunteer
    client = html_client(make_staff(Role.COUNTY_STAFF, OWN))
    url = f"/api/v1/{prefix}/"
    out_of_scope = client.get(url, {field: other.pk})
    missing = client.get(url, {field: 987654321})
    assert (out_of_scope.status_code, out_of_scope.json()["count"]) == (200, 0)
    assert (missing.status_code, missing.json()["count"]) == (200, 0)
    bad = client.get(url, {field: "abc"})
    assert bad.status_code == 400
    assert bad.json()[field] == ["请填写记录的 ID（正整数）。"]
    assert client.get(url, {field: "99999999999999999999"}).status_code == 400
