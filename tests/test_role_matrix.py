"""The role matrix: one record of every model in a county of one league, looked at and written to by twelve
accounts on every admin URL kind and every API endpoint, method and renderer.

The accounts: region, league, another league, the county, a sibling county of the same league, another league's
county, a township of the county, the county association's secretariat, a sibling county's secretariat, an
account with no jurisdiction, a read-only official and an anonymous visitor. What each may see follows from two
facts written down here independently of the views: the record's division code (a scope sees the codes it
prefixes) and the role's permissions (``accounts.roles``). A record out of reach answers 404 (exactly like a
record that does not exist); a permission the role lacks answers 403 (or 404 where the record is out of reach as
well); nothing refused changes anything. The counts of (role × URL kind × method) cases are printed at the end of
the run. A model, admin URL, API action or renderer without an entry here fails the test.
"""
import html
import re
from collections import defaultdict
from io import BytesIO

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.tests.factories import staff_user
from associations.models import Association
from associations.tests.factories import association
from config.api import router
from divisions.models import Division

from .matrix import CASES, MAKERS, OWN, attach_to

pytestmark = pytest.mark.django_db

SIBLING = "150103"  # another county of the same league
ROLE_OF = {
    "region": (Role.REGION_STAFF, "15"),
    "league": (Role.LEAGUE_STAFF, OWN[:4]),
    "other_league": (Role.LEAGUE_STAFF, "1504"),
    "county": (Role.COUNTY_STAFF, OWN),
    "sibling_county": (Role.COUNTY_STAFF, SIBLING),
    "other_county": (Role.COUNTY_STAFF, "150402"),
    "township": (Role.COUNTY_STAFF, "township"),
    "secretariat": (Role.SECRETARIAT, OWN),
    "sibling_secretariat": (Role.SECRETARIAT, SIBLING),
    "no_jurisdiction": (Role.COUNTY_STAFF, None),
    "official": (Role.OFFICIAL, "15"),
    "anonymous": (None, None),
}
ROLES = tuple(ROLE_OF)

# Kept for good (certificates, corrections, access logs, stars, snapshots, targets, divisions): nobody deletes.
NEVER_DELETED = {"projects_certificate", "projects_servicerecordcorrection", "members_volunteerstar",
                 "members_personaldataaccess", "reports_metricsnapshot", "reports_target", "divisions_division",
                 "projects_keydate", "reports_pillar"}
# Lists that show everything in scope, not only what the test made.
WHOLE_SCOPE = {"divisions_division"}
# Admin URLs of one record beyond change/delete/history: the permission each needs besides viewing.
RECORD_VIEWS = {
    "associations_association_checkup": None,
    "members_volunteer_reveal": ("members", "unmask_personal_data"),
    "projects_certificate_print": None,
    "projects_certificate_pdf": None,
}
# Admin URLs of a whole model: the permission they need; exports are also checked for what they contain.
COLLECTION_VIEWS = {"excel_export": ("view",), "excel_template": ("add", "change"), "excel_import": ("add", "change")}
# Recomputing answers a redirect back to the list for everyone; only a POST with the permission starts the work
# (members/tests, reports/tests).
REDIRECTS = {"recompute"}
# The 重新计算 job a region user submitted, and its progress: every role is checked in reports/tests/test_snapshot_jobs.py.
SNAPSHOT_JOB_VIEWS = {"job", "job_status"}
# An import job belongs to the account that uploaded it (here the county's clerk): anyone else may as well ask for
# a job that does not exist. The preview's signed confirm step is checked in common/tests.
JOB_VIEWS = ("excel_job", "excel_job_status", "excel_job_errors")
ELSEWHERE = ("excel_confirm",)
API_ACTIONS = {"reveal": ("members", "unmask_personal_data"), "correct": ("projects", "change_servicerecord")}
RENDERER_FORMATS = {"rest_framework.renderers.JSONRenderer": "json",
                    "rest_framework.renderers.BrowsableAPIRenderer": "api"}
STANDARD = ("changelist", "add", "change", "delete", "history", "simple_history")
ENDPOINT_OF = {f"{v.queryset.model._meta.app_label}_{v.queryset.model._meta.model_name}": (p, v)
               for p, v, _ in router.registry}


def admin_url_kinds(name, model_admin):
    return {p.name[len(name) + 1:] for p in model_admin.get_urls() if p.name and p.name.startswith(f"{name}_")}


def test_every_model_url_action_and_renderer_has_an_entry():
    registered = {f"{m._meta.app_label}_{m._meta.model_name}": a for m, a in admin.site._registry.items()}
    own_rules = {"accounts_user", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog",
                 "authtoken_tokenproxy",  # accounts: strictly below the manager (accounts/tests); superusers only
                 "common_importjob"}  # each account's own jobs (common/tests/test_import_job_admin.py)
    assert set(registered) - own_rules - set(MAKERS) == set()
    known = (set(STANDARD) | set(COLLECTION_VIEWS) | set(ELSEWHERE) | REDIRECTS | set(JOB_VIEWS) | SNAPSHOT_JOB_VIEWS
             | {"excel_job_confirm", "excel_job_retry"})
    for name in MAKERS:
        extra = {kind for kind in admin_url_kinds(name, registered[name]) - known if f"{name}_{kind}" not in RECORD_VIEWS}
        assert extra == set(), name
    actions = {a.url_path for _, v, _ in router.registry for a in v.get_extra_actions()}
    assert actions == set(API_ACTIONS)
    assert {f"{r.__module__}.{r.__name__}" for r in api_settings.DEFAULT_RENDERER_CLASSES} == set(RENDERER_FORMATS)
    assert set(ENDPOINT_OF) <= set(MAKERS)


def accounts(own):
    township = Division.objects.townships().filter(parent__code=OWN).order_by("code").first()
    sibling = Association.objects.filter(division__code=SIBLING, dissolved_on__isnull=True).first() or association(
        SIBLING)
    made = {}
    for name, (role, code) in ROLE_OF.items():
        if name == "anonymous":
            made[name] = None
        elif role == Role.SECRETARIAT:
            made[name] = staff_user(role, association=own if code == OWN else sibling)
        else:
            made[name] = staff_user(role, township.code if code == "township" else code)
    return made


class Matrix:
    """Sends the requests, counts them by (role × kind × method) and gathers every mismatch."""

    def __init__(self, name, record, users):
        self.name, self.record, self.users = name, record, users
        self.model = type(record)
        code = self.model._default_manager.filter(pk=record.pk).values_list(self.model.scope_path, flat=True).get()
        self.reach = {role: user is not None and user.scope_division_id is not None
                      and code.startswith(user.scope_division.code) for role, user in users.items()}
        self.failures = []

    def can(self, role, permission):
        granted = ROLE_PERMISSIONS.get(ROLE_OF[role][0], [])
        app, codename = permission if isinstance(permission, tuple) else (self.model._meta.app_label,
                                                                          f"{permission}_{self.model._meta.model_name}")
        return (app, codename) in granted

    def expected(self, role, needs, allowed, *, anonymous=(302,)):
        """Statuses for ``role``: ``needs`` the permissions the request requires (viewing always)."""
        if role == "anonymous":
            return set(anonymous)
        lacks = not all(self.can(role, p) for p in ("view", *needs))
        if not self.reach[role]:
            return {403, 404} if lacks else {404}
        return {403} if lacks else set(allowed)

    def check(self, role, kind, method, response, expected):
        CASES[(role, kind, method)] += 1
        if response.status_code not in expected:
            self.failures.append(f"{role} {method} {kind}: {response.status_code}, expected {sorted(expected)}")
        return response.status_code


def admin_client(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def run_admin(matrix, client):
    name, record, model = matrix.name, matrix.record, matrix.model
    model_admin = admin.site._registry[model]
    kinds = admin_url_kinds(name, model_admin)
    version = (record.history.order_by("-history_date").first() if hasattr(model, "history") else None)
    autocompletes = [(source, field) for source, source_admin in admin.site._registry.items()
                     for field in getattr(source_admin, "autocomplete_fields", ())
                     if source._meta.get_field(field).related_model is model]
    export_rows, list_counts = {}, {}
    job = None
    if "excel_job" in kinds:
        from common.models import ImportJob

        job = ImportJob.objects.create(user=matrix.users["county"], model_label=model._meta.label,
                                       filename="名单.xlsx", stored_path="imports/none.xlsx", status="done",
                                       errors=[[2, "姓名", "不能为空"]])
    for role, user in matrix.users.items():
        c = admin_client(client, user)
        response = c.get(reverse(f"admin:{name}_changelist"))
        permitted = role != "anonymous" and matrix.can(role, "view")
        if matrix.check(role, "list", "GET", response,
                        {302} if role == "anonymous" else {200} if permitted else {403}) == 200:
            listed = {o.pk for o in response.context["cl"].result_list}
            list_counts[role] = response.context["cl"].result_count
            if (record.pk in listed) != matrix.reach[role]:
                matrix.failures.append(f"{role} list: record {'missing' if matrix.reach[role] else 'listed'}")
        deleting = ("delete",) if name not in NEVER_DELETED else ("never",)
        for kind, needs in (("change", ()), ("delete", deleting), ("history", ())):
            url = reverse(f"admin:{name}_{kind}", args=[record.pk])
            matrix.check(role, kind, "GET", c.get(url), matrix.expected(role, needs, {200}))
        # an empty form: refused, or (where allowed) shown again with its errors or saved unchanged
        matrix.check(role, "change", "POST", c.post(reverse(f"admin:{name}_change", args=[record.pk]), {}),
                     matrix.expected(role, ("change",), {200, 302}))
        matrix.check(role, "delete", "POST", c.post(reverse(f"admin:{name}_delete", args=[record.pk]), {}),
                     matrix.expected(role, deleting, {200}))
        if version is not None:
            url = reverse(f"admin:{name}_simple_history", args=[record.pk, version.history_id])
            matrix.check(role, "history version", "GET", c.get(url), matrix.expected(role, (), {200}))
            matrix.check(role, "history version", "POST", c.post(url, {}),
                         matrix.expected(role, ("change",), {200, 302}))
        for view, extra in RECORD_VIEWS.items():
            if view.startswith(f"{name}_"):
                url = reverse(f"admin:{view}", args=[record.pk])
                matrix.check(role, view[len(name) + 1:], "GET", c.get(url),
                             matrix.expected(role, (extra,) if extra else (), {200}))
        for source, field in autocompletes:
            response = c.get(reverse("admin:autocomplete"), {
                "app_label": source._meta.app_label, "model_name": source._meta.model_name, "field_name": field})
            permitted = role != "anonymous" and matrix.can(role, "view")
            if matrix.check(role, "autocomplete", "GET", response,
                            {302} if role == "anonymous" else {200} if permitted else {403}) == 200:
                found = {int(r["id"]) for r in response.json()["results"]}
                if record.pk in found and not matrix.reach[role]:
                    matrix.failures.append(f"{role} autocomplete {source._meta.model_name}.{field}: record offered")
                if name not in WHOLE_SCOPE and matrix.reach[role] and record.pk not in found:
                    matrix.failures.append(f"{role} autocomplete {source._meta.model_name}.{field}: record missing")
        for view, needs in COLLECTION_VIEWS.items():
            if view not in kinds:
                continue
            permitted = role != "anonymous" and all(matrix.can(role, p) for p in needs)
            response = c.get(reverse(f"admin:{name}_{view}"))
            if matrix.check(role, view, "GET", response,
                            {302} if role == "anonymous" else {200} if permitted else {403}) == 200 and (
                    view == "excel_export"):
                sheet = load_workbook(BytesIO(b"".join(response.streaming_content) if response.streaming
                                              else response.content), read_only=True).active
                rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
                export_rows[role] = len(rows) - 1  # the header
        if job is not None:
            importing = role != "anonymous" and all(matrix.can(role, p) for p in ("add", "change"))
            owner = {200} if role == "county" else {404}
            for view in JOB_VIEWS:
                matrix.check(role, view, "GET", c.get(reverse(f"admin:{name}_{view}", args=[job.pk])),
                             {302} if role == "anonymous" else owner if importing else {403})
            # the owner's confirm would start the import: only the refusals are sent
            if role != "county":
                matrix.check(role, "excel_job_confirm", "POST",
                             c.post(reverse(f"admin:{name}_excel_job_confirm", args=[job.pk])),
                             {302} if role == "anonymous" else {404} if importing else {403})
            # 重新执行: only the owner's failed job; the matrix's job is done, so even its owner is refused
            matrix.check(role, "excel_job_retry", "POST",
                         c.post(reverse(f"admin:{name}_excel_job_retry", args=[job.pk])),
                         {302} if role == "anonymous" else ({403} if role == "county" else {404}) if importing
                         else {403})
        for view in REDIRECTS & kinds:
            matrix.check(role, view, "GET", c.get(reverse(f"admin:{name}_{view}")), {302})
    # the export holds exactly what the list shows (the list was checked against the record's reach above)
    if export_rows and export_rows != {role: list_counts[role] for role in export_rows}:
        matrix.failures.append(f"export rows {export_rows}, list rows {list_counts}")


def rendered_ids(response, fmt):
    if fmt == "json":
        body = response.json()
        return {item["id"] for item in body["results"]} if "results" in body else {body["id"]}
    return {int(n) for n in re.findall(r'"id": (\d+)', html.unescape(response.content.decode()))}


def offered(viewset, method, action):
    return hasattr(viewset, action) and method in viewset.http_method_names


def run_api(matrix, superuser):
    if matrix.name not in ENDPOINT_OF:
        return
    prefix, viewset = ENDPOINT_OF[matrix.name]
    record, model = matrix.record, matrix.model
    url, detail = f"/api/v1/{prefix}/", f"/api/v1/{prefix}/{record.pk}/"
    representation = superuser.get(detail).json()
    payload = {k: v for k, v in representation.items() if k != "id"}
    anonymous = (401,)  # told to authenticate (WWW-Authenticate: Token), never a bare 403
    for role, user in matrix.users.items():
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        for renderer, fmt in RENDERER_FORMATS.items():
            response = client.get(url, {"page_size": 500, "format": fmt})
            permitted = role != "anonymous" and matrix.can(role, "view")
            status = matrix.check(role, f"api list ({fmt})", "GET", response,
                                  set(anonymous) if role == "anonymous" else {200} if permitted else {403})
            if status == 200 and (record.pk in rendered_ids(response, fmt)) != matrix.reach[role]:
                if fmt == "json" or not matrix.reach[role]:
                    matrix.failures.append(f"{role} api list ({fmt}): record {'missing' if matrix.reach[role] else 'listed'}")
            response = client.get(detail, {"format": fmt})
            matrix.check(role, f"api detail ({fmt})", "GET", response,
                         matrix.expected(role, (), {200}, anonymous=anonymous))
        response = client.get(url, {"division": "150402", "page_size": 500})
        if response.status_code == 200 and record.pk in rendered_ids(response, "json") and not matrix.reach[role]:
            matrix.failures.append(f"{role} api list: a division filter widened the scope")
        before = model._default_manager.count()
        if not offered(viewset, "post", "create"):
            matrix.check(role, "api create (not offered)", "POST", client.post(url, payload, format="json"),
                         set(anonymous) if role == "anonymous" else {403, 405})
        else:
            response = client.post(url, payload, format="json")
            status = matrix.check(role, "api create", "POST", response, matrix.expected(
                role, ("add",), {201, 400}, anonymous=anonymous) - {404} | (
                {400} if role != "anonymous" and not matrix.reach[role] and matrix.can(role, "add") else set()))
            if status == 201:
                model._default_manager.filter(pk=response.json()["id"]).delete()
        if model._default_manager.count() != before:
            matrix.failures.append(f"{role} api create: {model._default_manager.count() - before} added")
        for method, action, allowed in (("patch", "partial_update", {200, 400}), ("put", "update", {200, 400}),
                                        ("delete", "destroy", None)):
            if not offered(viewset, method, action):
                matrix.check(role, f"api {action} (not offered)", method.upper(),
                             getattr(client, method)(detail, {}, format="json"),
                             set(anonymous) if role == "anonymous" else {403, 404, 405})
            elif allowed is not None or not (matrix.can(role, "delete") and matrix.reach[role]):
                # an allowed DELETE is sent once per endpoint by the test below, on a record of its own
                needs = "delete" if method == "delete" else "change"
                matrix.check(role, f"api {action}", method.upper(), getattr(client, method)(detail, {}, format="json"),
                             matrix.expected(role, (needs,), allowed or set(), anonymous=anonymous))
        for action in viewset.get_extra_actions():
            app_permission = API_ACTIONS[action.url_path]
            response = client.post(f"{detail}{action.url_path}/", {}, format="json")
            matrix.check(role, f"api {action.url_path}", "POST", response,
                         matrix.expected(role, (app_permission,), {400}, anonymous=anonymous))
    assert superuser.get(detail).json() == representation, "the record changed"


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_role_matrix(client, name):
    record = MAKERS[name](OWN, 0)
    own = Association.objects.filter(division__code=OWN, dissolved_on__isnull=True).first() or association(OWN)
    attach_to(own)
    record.refresh_from_db()
    before = model_to_dict(record)
    matrix = Matrix(name, record, accounts(own))
    assert matrix.reach == {"region": True, "league": True, "other_league": False, "county": True,
                            "sibling_county": False, "other_county": False, "township": matrix.reach["township"],
                            "secretariat": True, "sibling_secretariat": False, "no_jurisdiction": False,
                            "official": True, "anonymous": False}

    run_admin(matrix, client)
    superuser = APIClient()
    superuser.force_authenticate(staff_user(superuser=True))
    run_api(matrix, superuser)

    assert not matrix.failures, "\n".join(matrix.failures)
    record.refresh_from_db()
    assert model_to_dict(record) == before


DELETABLE = sorted(name for name, (_, viewset) in ENDPOINT_OF.items()
                   if name not in NEVER_DELETED and offered(viewset, "delete", "destroy"))


@pytest.mark.parametrize("name", DELETABLE)
def test_the_allowed_delete_removes_the_record_or_refuses_in_chinese(name):
    """The allowed side of DELETE, once per endpoint that deletes: the county deletes its own record."""
    prefix, _ = ENDPOINT_OF[name]
    record = MAKERS[name](OWN, 1)
    api = APIClient()
    api.force_authenticate(staff_user(Role.COUNTY_STAFF, OWN))
    response = api.delete(f"/api/v1/{prefix}/{record.pk}/")
    CASES[("county", "api destroy (allowed)", "DELETE")] += 1
    model = type(record)
    if response.status_code == 204:
        assert not model._default_manager.filter(pk=record.pk).exists()
    else:  # protected by what refers to it: a Chinese refusal and the record kept
        assert response.status_code == 400, response.content[:200]
        assert re.search(r"[\u4e00-\u9fff]", response.content.decode())
        assert model._default_manager.filter(pk=record.pk).exists()


DASHBOARD_PAGES = {  # URL name: (code it is asked for, what it answers when allowed)
    "reports:division": ("15", 200), "reports:data": (OWN[:4], 200), "reports:export": (OWN[:4], 200),
    "reports:evaluation": (OWN[:4], 200), "reports:county": (OWN, 200),
}


def test_dashboard_matrix(client):
    """Every dashboard URL for every role: a division outside the viewer's scope is a 404 like one that does not
    exist; the start page sends each account to its own level."""
    from reports import urls

    assert {f"reports:{p.name}" for p in urls.urlpatterns} == {"reports:home", *DASHBOARD_PAGES}
    own = association(OWN)
    users = accounts(own)
    home = {"region": 302, "league": 302, "other_league": 302, "county": 302, "sibling_county": 302,
            "other_county": 302, "township": 200, "secretariat": 302, "sibling_secretariat": 302,
            "no_jurisdiction": 404, "official": 302, "anonymous": 302}
    failures = []
    for role, user in users.items():
        c = admin_client(client, user)
        response = c.get(reverse("reports:home"))
        CASES[(role, "dashboard home", "GET")] += 1
        if response.status_code != home[role]:
            failures.append(f"{role} home: {response.status_code}")
        for page, (code, allowed) in DASHBOARD_PAGES.items():
            for asked in (code, "1504" if len(code) == 4 else "150402" if len(code) == 6 else code):
                reach = user is not None and user.scope_division_id is not None and asked.startswith(
                    user.scope_division.code)
                expected = 302 if user is None else allowed if reach else 404
                response = c.get(reverse(page, args=[asked]), {"as_of": "2027-01-02"})
                CASES[(role, f"dashboard {page.split(':')[1]}", "GET")] += 1
                if response.status_code != expected:
                    failures.append(f"{role} {page} {asked}: {response.status_code}, expected {expected}")
                if response.status_code == 302 and user is None and "/login/" not in response["Location"]:
                    failures.append(f"{role} {page}: redirected to {response['Location']}")
    assert not failures, "\n".join(failures)


def counts_table() -> list[str]:
    by_kind = defaultdict(dict)
    for (role, kind, method), count in CASES.items():
        by_kind[(kind, method)][role] = count
    lines = [f"{'URL 类型 / 方法':<38}" + "".join(f"{r[:10]:>11}" for r in ROLES)]
    for (kind, method), counts in sorted(by_kind.items()):
        lines.append(f"{kind + ' ' + method:<38}" + "".join(f"{counts.get(r, 0):>11}" for r in ROLES))
    lines.append(f"{'合计':<38}" + "".join(f"{sum(c.get(r, 0) for c in by_kind.values()):>11}" for r in ROLES))
    return lines
