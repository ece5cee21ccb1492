"""Schemathesis against the OpenAPI schema, in-process, as a county user: no server error, responses that match
the schema, and nothing of another league's county in any response."""
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.roles import Role

from .matrix import MAKERS, OTHER, OWN

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()

OTHER_MARKERS = (f'"{OTHER}', f"{OTHER}-0")  # another county's division code or serial number in a response


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection after each request (as a server should); inside a test
    transaction that would end the test's connection, so, as Django's test client does, it is kept open."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def county_token(db, make_staff, keep_connection):
    from rest_framework.authtoken.models import Token

    for name in ("associations_association", "members_volunteer", "projects_servicerecord", "teams_team",
                 "training_trainingsession", "reports_metricsnapshot"):
        MAKERS[name](OWN, 0)
        MAKERS[name](OTHER, 0)
    return Token.objects.create(user=make_staff(Role.COUNTY_STAFF, OWN)).key


def nothing_out_of_scope(ctx, response, case):
    text = response.text
    for marker in OTHER_MARKERS:
        if marker in text:
            raise AssertionError(f"响应中出现了管辖范围以外的数据（{marker}）：{case.method} {case.path}")
    return None


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_fuzz(case, county_token):
    response = case.call(headers={"Authorization": f"Token {county_token}"})
    assert response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:300]}"
    case.validate_response(response, checks=[response_schema_conformance, nothing_out_of_scope])
