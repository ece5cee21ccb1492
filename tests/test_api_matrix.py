"""The API's scoping matrix: for every endpoint and method, a county user, a county user of another league, a
league user, a read-only official and an anonymous client. Nothing outside scope is listed, read, created,
changed or deleted. An endpoint without a maker in ``tests/matrix.py`` fails the test."""
import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from config.api import router

from .matrix import MAKERS, OTHER, OWN

pytestmark = pytest.mark.django_db

ENDPOINTS = {prefix: viewset for prefix, viewset, _ in router.registry}


def label(viewset) -> str:
    opts = viewset.queryset.model._meta
    return f"{opts.app_label}_{opts.model_name}"


def test_every_endpoint_has_a_matrix_entry():
    assert {label(v) for v in ENDPOINTS.values()} - set(MAKERS) == set()


def ids(response) -> set:
    assert response.status_code == 200, response.content[:300]
    return {item["id"] for item in response.json()["results"]}


@pytest.fixture
def clients(make_staff):
    def client_for(role, code, **options):
        client = APIClient()
        client.force_authenticate(make_staff(role, code, **options))
        return client

    return {
        "county_a": client_for(Role.COUNTY_STAFF, OWN),
        "county_b": client_for(Role.COUNTY_STAFF, OTHER),
        "league_a": client_for(Role.LEAGUE_STAFF, OWN[:4]),
        "official": client_for(Role.OFFICIAL, "15"),
        "anonymous": APIClient(),
        "superuser": client_for(None, None, superuser=True),
    }


@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_endpoint_scoping(prefix, clients):
    viewset = ENDPOINTS[prefix]
    model = viewset.queryset.model
    make = MAKERS[label(viewset)]
    own, other = make(OWN, 0), make(OTHER, 0)
    url = f"/api/v1/{prefix}/"
    detail = f"{url}{{}}/"

    # lists
    seen = {name: ids(clients[name].get(url, {"page_size": 500})) for name in ("county_a", "county_b", "league_a",
                                                                                "official")}
    assert own.pk in seen["county_a"] and other.pk not in seen["county_a"]
    assert other.pk in seen["county_b"] and own.pk not in seen["county_b"]
    assert own.pk in seen["league_a"] and other.pk not in seen["league_a"]
    assert {own.pk, other.pk} <= seen["official"]
    assert clients["anonymous"].get(url).status_code in (401, 403)
    # the division filter cannot widen the scope
    assert other.pk not in ids(clients["county_a"].get(url, {"division": OTHER, "page_size": 500}))

    # details
    assert clients["county_a"].get(detail.format(own.pk)).status_code == 200
    assert clients["county_a"].get(detail.format(other.pk)).status_code == 404
    assert clients["league_a"].get(detail.format(other.pk)).status_code == 404
    assert clients["official"].get(detail.format(other.pk)).status_code == 200
    assert clients["anonymous"].get(detail.format(own.pk)).status_code in (401, 403)

    # writes: another county's record is not found, the official may not write, anonymous neither
    before = model.objects.count()
    representation = clients["superuser"].get(detail.format(other.pk)).json()
    payload = {k: v for k, v in representation.items() if k != "id"}
    assert clients["county_a"].post(url, payload, format="json").status_code in (400, 403, 405)
    assert clients["official"].post(url, payload, format="json").status_code in (403, 405)
    assert clients["anonymous"].post(url, payload, format="json").status_code in (401, 403)
    assert model.objects.count() == before
    for method in ("patch", "delete"):
        # 404 where the user may write (the record is not theirs to find); 403/405 where nobody of that role may
        assert getattr(clients["county_a"], method)(detail.format(other.pk), {}, format="json").status_code in (
            403, 404, 405), method
        assert getattr(clients["official"], method)(detail.format(own.pk), {}, format="json").status_code in (
            403, 405), method
    assert model.objects.filter(pk=other.pk).exists() and model.objects.filter(pk=own.pk).exists()
    assert clients["superuser"].get(detail.format(other.pk)).json() == representation  # unchanged
