"""For every admin a user reaches: only their division's rows, other rows a 404 on every object path, and the same
number of queries for one row as for many. An admin without an entry here fails the test."""
import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role

from .matrix import MAKERS, OTHER, OWN

pytestmark = pytest.mark.django_db

# Issued certificates, correction logs and access logs are kept for good, stars and snapshots follow from other
# data, targets are switched off rather than deleted, divisions are reference data: no role deletes them here.
NEVER_DELETED = {"projects_certificate", "projects_servicerecordcorrection", "members_volunteerstar",
                 "members_personaldataaccess", "reports_metricsnapshot", "reports_target", "divisions_division",
                 "projects_keydate", "reports_pillar"}
# Who looks: a county's staff, except where only the league level holds the permission.
VIEWER = {"members_personaldataaccess": (Role.LEAGUE_STAFF, "1501"),
          "projects_keydate": (Role.REGION_STAFF, "1501"), "reports_pillar": (Role.REGION_STAFF, "1501")}  # region staff set key dates; scoped like any record
# Lists that show everything in scope, not only what the test made.
WHOLE_SCOPE = {"divisions_division"}
# Scoped by their own rule (accounts: strictly below the manager) or reached by superusers only.
# Import jobs belong to the account that started them (common/tests/test_import_job_admin.py).
OWN_RULES = {"accounts_user", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog", "authtoken_tokenproxy",
             "common_importjob"}


def test_every_admin_has_a_matrix_entry():
    registered = {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}
    assert registered - OWN_RULES - set(MAKERS) == set()


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_scoped_list_object_paths_and_constant_queries(client, make_staff, name):
    make = MAKERS[name]
    own, other = make(OWN, 0), make(OTHER, 0)
    client.force_login(make_staff(*VIEWER.get(name, (Role.COUNTY_STAFF, OWN))))
    changelist = reverse(f"admin:{name}_changelist")

    client.get(changelist)
    with CaptureQueriesContext(connection) as one:
        response = client.get(changelist)
    listed = [o.pk for o in response.context["cl"].result_list]
    if name in WHOLE_SCOPE:
        assert own.pk in listed and other.pk not in listed
    else:
        assert listed == [own.pk]
    for path in ("change", "delete", "history"):
        refused = path == "delete" and name in NEVER_DELETED  # 403 for every id: nothing to learn from it
        assert client.get(reverse(f"admin:{name}_{path}", args=[other.pk])).status_code == (
            403 if refused else 404), path
        assert client.get(reverse(f"admin:{name}_{path}", args=[own.pk])).status_code == (
            403 if refused else 200), path

    for n in range(1, 6):
        make(OWN, n)
    with CaptureQueriesContext(connection) as many:
        response = client.get(changelist)
    if name not in WHOLE_SCOPE:
        assert len(response.context["cl"].result_list) == 6
    assert len(many) == len(one)
