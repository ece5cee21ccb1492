"""Every admin add form works for every role that may add: generated from the scope matrix's makers.

For each model and each role whose permissions include adding it, a record is made in the role's reach by the
matrix's maker (``tests/matrix.py``); the role opens that record's change form, and what the form shows is
posted to the add form once the record is gone, as a clerk who types the same record in again would. The answer
must be a redirect with exactly one new record in the same division, written by that account, never a page of
errors. Models whose admin offers no add form are listed with the reason; a model with neither fails the test.
"""
import pytest
from django.contrib import admin
from django.db import transaction
from django.db.models import ProtectedError
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse

from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.tests.factories import staff_user
from associations.models import Association
from associations.tests.factories import association
from divisions.models import Division
from members import personal_data

from .matrix import MAKERS, OWN, attach_to

pytestmark = pytest.mark.django_db

# No add form for anyone: the records are written by the platform, never typed in.
NO_ADD_FORM = {
    "projects_servicerecordcorrection": "更正经“更正时长”操作写入（projects.services.service_record_correct）",
    "members_volunteerstar": "星级由计算得出（members.services.star_levels_recompute）",
    "members_personaldataaccess": "查看记录由平台在显示完整号码时写入",
    "reports_metricsnapshot": "统计快照由计算任务写入",
    "divisions_division": "区划由 load_divisions 载入（国家统计局区划代码）",
    "reports_pillar": "T3 的四个要素固定为四条，只能修改其构成",
}
# Set by the region for itself or a league (制定层级), never for a county: made at the region's own code.
# Teams are made in the county's first township, the township account's own.
MADE_AT = {"projects_keydate": "15", "reports_target": "15", ("teams_team", "township"): OWN}


# Kept as issued: a certificate is never altered, a new one is issued instead.
READ_ONLY_ONCE_MADE = {"projects_certificate"}


def township_roster(code, n):
    """A township's team and a volunteer registered in the township: what its clerk reaches."""
    from datetime import date

    from members.tests.factories import volunteer
    from teams.models import TeamMembership
    from teams.tests.factories import team

    return TeamMembership.objects.create(team=team(code, name=f"队{n}"), volunteer=volunteer(code),
                                         joined_on=date(2022, 1, 1))


MADE_BY = {("teams_teammembership", "township"): township_roster}
# The roles that add, and where their record is made: a county code the maker takes.
ADDERS = {
    "region": (Role.REGION_STAFF, "15", OWN),
    "league": (Role.LEAGUE_STAFF, OWN[:4], OWN),
    "county": (Role.COUNTY_STAFF, OWN, OWN),
    "secretariat": (Role.SECRETARIAT, OWN, OWN),
    "township": (Role.COUNTY_STAFF, "150102001", "150102001"),
}


def may_add(role, name):
    app, model = name.split("_", 1)
    return (app, f"add_{model}") in ROLE_PERMISSIONS.get(role, [])


CASES = sorted((name, adder) for name in MAKERS for adder, (role, _, _) in ADDERS.items()
               if name not in NO_ADD_FORM and may_add(role, name))


def test_every_model_either_has_an_add_case_or_a_reason():
    with_case = {name for name, _ in CASES}
    assert set(MAKERS) - with_case - set(NO_ADD_FORM) == set()
    assert with_case & set(NO_ADD_FORM) == set()
    for name in NO_ADD_FORM:  # the reason holds: nobody, not even a superuser, is offered the form
        model = next(m for m in admin.site._registry if f"{m._meta.app_label}_{m._meta.model_name}" == name)
        request = type("Request", (), {"user": staff_user(superuser=True)})()
        assert not admin.site._registry[model].has_add_permission(request), name


def form_data(form, formsets):
    """What the bound form shows, as the browser would post it."""
    data = {}
    for bound in form:
        if bound.field.disabled:
            continue
        value, widget = bound.value(), bound.field.widget
        if isinstance(widget, MultiWidget):
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(widget, CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(v) for v in value]
        elif value is not None:
            data[bound.html_name] = widget.format_value(value) if hasattr(widget, "format_value") else str(value)
            if data[bound.html_name] is None:
                data[bound.html_name] = ""
    for formset in formsets:
        data.update({f"{formset.prefix}-TOTAL_FORMS": "0", f"{formset.prefix}-INITIAL_FORMS": "0"})
    return data


def remove(record):
    """The record goes, with what hangs on it, so that the same record can be typed in again."""
    model = type(record)
    with transaction.atomic():
        try:
            model._base_manager.filter(pk=record.pk).delete()
        except ProtectedError as error:
            for blocker in error.protected_objects:
                remove(blocker)
            model._base_manager.filter(pk=record.pk).delete()


def scope_code(model, pk):
    return model._default_manager.filter(pk=pk).values_list(model.scope_path, flat=True).get()


@pytest.mark.parametrize("name,adder", CASES)
def test_the_add_form_saves_for_every_role_that_may_add(client, name, adder):
    role, code, where = ADDERS[adder]
    maker = MADE_BY.get((name, adder), MAKERS[name])
    record = maker(MADE_AT.get((name, adder), MADE_AT.get(name, where)), 0)
    own = Association.objects.filter(division__code=OWN, dissolved_on__isnull=True).first() or association(OWN)
    attach_to(own)
    user = staff_user(role, association=own) if role == Role.SECRETARIAT else staff_user(role, code)
    model = type(record)
    division = scope_code(model, record.pk)
    assert division.startswith(Division.objects.get(pk=user.scope_division_id).code), "the record is in reach"

    client.force_login(user)
    added = client.get(reverse(f"admin:{name}_add"))
    assert added.status_code == 200, added.status_code
    form = type(added.context["adminform"].form)(instance=record)  # the add form, filled from the record
    data = form_data(form, [inline.formset for inline in added.context["inline_admin_formsets"]])
    data.update(RETYPED.get(name, lambda r: {})(record))
    remove(record)
    before = set(model._default_manager.values_list("pk", flat=True))

    response = client.post(reverse(f"admin:{name}_add"), data)
    errors = response.context and [str(e) for e in response.context.get("errors", [])]
    assert response.status_code == 302, (errors, data)
    new = set(model._default_manager.values_list("pk", flat=True)) - before
    assert len(new) == 1, new
    made = model._default_manager.get(pk=new.pop())
    assert scope_code(model, made.pk) == division
    if hasattr(made, "history"):
        assert made.history.earliest("history_date").history_user == user

    # …and its change form, posted back as shown, saves too (where the record may be changed at all)
    url = reverse(f"admin:{name}_change", args=[made.pk])
    shown = client.get(url)
    assert shown.status_code == 200
    if not shown.context["has_change_permission"]:
        assert name in READ_ONLY_ONCE_MADE, name
        return
    data = form_data(shown.context["adminform"].form,
                     [inline.formset for inline in shown.context["inline_admin_formsets"]])
    response = client.post(url, data)
    errors = response.context and [str(e) for e in response.context.get("errors", [])]
    assert response.status_code == 302, (errors, data)
    assert scope_code(model, made.pk) == division


def _volunteer_secrets(record):
    """The change form shows the ID number and phone masked; a clerk types them in full."""
    return {"id_number": personal_data.decrypt(record.id_number_encrypted),
            "phone": personal_data.decrypt(record.phone_encrypted) if record.phone_encrypted else ""}


RETYPED = {"members_volunteer": _volunteer_secrets}
