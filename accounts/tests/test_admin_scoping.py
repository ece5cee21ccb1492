"""Scoping on every admin path: a county user of one county never reaches another county's ledger."""
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.roles import Role
from associations.models import Association
from associations.tests.factories import association

pytestmark = pytest.mark.django_db

XINCHENG, HUIMIN, HONGSHAN = "150102", "150103", "150402"  # two counties of 呼和浩特市, one of 赤峰市


@pytest.fixture
def ledger():
    return {code: association(code) for code in (XINCHENG, HUIMIN, HONGSHAN)} | {"1501": association("1501")}


def _client(client, user):
    client.force_login(user)
    return client


def _changelist_names(client, **params):
    response = client.get(reverse("admin:associations_association_changelist"), params)
    assert response.status_code == 200
    return {obj.name for obj in response.context["cl"].result_list}


def _export_names(client):
    response = client.get(reverse("admin:associations_association_excel_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["协会台账"]
    header = [c.value for c in sheet[1]]
    column = header.index("协会名称")
    return {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}


def _paths(obj):
    history = obj.history.latest("history_date")
    return {
        "change": reverse("admin:associations_association_change", args=[obj.pk]),
        "delete": reverse("admin:associations_association_delete", args=[obj.pk]),
        "history": reverse("admin:associations_association_history", args=[obj.pk]),
        "history_form": reverse(
            "admin:associations_association_simple_history", args=[obj.pk, history.history_id]
        ),
    }


def test_county_user_lists_only_own_county(client, make_staff, ledger):
    _client(client, make_staff(Role.COUNTY_STAFF, XINCHENG))
    assert _changelist_names(client) == {"新城区青年志愿者协会"}


@pytest.mark.parametrize("path", ["change", "delete", "history", "history_form"])
def test_county_user_cannot_open_other_county_association(client, make_staff, ledger, path):
    _client(client, make_staff(Role.COUNTY_STAFF, XINCHENG))
    other = _paths(ledger[HUIMIN])[path]
    own = _paths(ledger[XINCHENG])[path]

    assert client.get(other).status_code == 404
    assert client.get(own).status_code == 200


def test_county_user_cannot_delete_other_county_association_by_post(client, make_staff, ledger):
    _client(client, make_staff(Role.COUNTY_STAFF, XINCHENG))
    response = client.post(_paths(ledger[HUIMIN])["delete"], {"post": "yes"})
    assert response.status_code == 404
    assert Association.objects.filter(pk=ledger[HUIMIN].pk).exists()


def test_county_user_cannot_bulk_delete_other_county_by_action(client, make_staff, ledger):
    _client(client, make_staff(Role.COUNTY_STAFF, XINCHENG))
    client.post(
        reverse("admin:associations_association_changelist"),
        {"action": "delete_selected", "_selected_action": [ledger[HUIMIN].pk], "post": "yes"},
    )
    assert Association.objects.filter(pk=ledger[HUIMIN].pk).exists()


def test_history_of_deleted_record_outside_scope_is_hidden(client, make_staff, ledger):
    pk = ledger[HUIMIN].pk
    path = _paths(ledger[HUIMIN])["history"]
    ledger[HUIMIN].delete()
    _client(client, make_staff(Role.COUNTY_STAFF, XINCHENG))
    assert client.get(path).status_code == 404
    client.force_login(make_staff(Role.COUNTY_STAFF, HUIMIN))
    assert client.get(path).status_code == 200
    assert pk


def test_autocomplete_answers_only_in_scope(client, make_staff, ledger):
    _client(client, make_staff(Role.COUNTY_STAFF, XINCHENG))
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "associations", "model_name": "seatmembership", "field_name": "lower", "term": "区"},
    )
    assert response.status_code == 200
    assert {r["text"] for r in response.json()["results"]} == {"新城区青年志愿者协会"}

    divisions = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "associations", "model_name": "association", "field_name": "division", "term": "区"},
    ).json()["results"]
    assert {r["text"] for r in divisions} == {"新城区"}


def test_export_contains_only_scope(client, make_staff, ledger):
    _client(client, make_staff(Role.COUNTY_STAFF, XINCHENG))
    assert _export_names(client) == {"新城区青年志愿者协会"}


def test_league_user_sees_all_its_counties_and_none_of_another_league(client, make_staff, ledger):
    _client(client, make_staff(Role.LEAGUE_STAFF, "1501"))
    assert _changelist_names(client) == {"新城区青年志愿者协会", "回民区青年志愿者协会", "呼和浩特市青年志愿者协会"}
    assert client.get(_paths(ledger[HONGSHAN])["change"]).status_code == 404
    assert _export_names(client) == {"新城区青年志愿者协会", "回民区青年志愿者协会", "呼和浩特市青年志愿者协会"}


def test_league_filter_choices_are_scoped(client, make_staff, ledger):
    _client(client, make_staff(Role.LEAGUE_STAFF, "1501"))
    response = client.get(reverse("admin:associations_association_changelist"))
    filters = {spec.title: [c["display"] for c in spec.choices(response.context["cl"])] for spec in response.context["cl"].filter_specs}
    assert filters["盟市"] == ["全部", "呼和浩特市"]
    assert "赤峰市" not in str(filters["旗县（市、区）"])
    assert "新城区" in filters["旗县（市、区）"] and len(filters["旗县（市、区）"]) == 1 + 9


def test_county_filter_narrows_to_one_county(client, make_staff, ledger):
    _client(client, make_staff(Role.LEAGUE_STAFF, "1501"))
    assert _changelist_names(client, county=HUIMIN) == {"回民区青年志愿者协会"}


def test_user_without_scope_sees_nothing(client, make_staff, ledger):
    _client(client, make_staff(Role.REGION_STAFF, None))
    assert _changelist_names(client) == set()
    assert client.get(_paths(ledger[XINCHENG])["change"]).status_code == 404
    assert client.get(_paths(ledger[XINCHENG])["history"]).status_code == 404


def test_superuser_sees_everything(client, make_staff, ledger):
    _client(client, make_staff(None, None, superuser=True))
    assert len(_changelist_names(client)) == 4


def _add_form(division_pk, name):
    data = {
        "level": "county",
        "division": division_pk,
        "name": name,
        "supervising_units-TOTAL_FORMS": "1", "supervising_units-INITIAL_FORMS": "0",
        "supervising_units-0-kind": "cyl_committee", "supervising_units-0-name": "共青团新城区委员会",
    }
    for prefix in ("officers", "systems", "party_league_organisations", "seats"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def test_saving_into_another_county_is_refused_in_chinese(client, make_staff):
    from divisions.models import Division

    _client(client, make_staff(Role.COUNTY_STAFF, XINCHENG))
    other = Division.objects.get(code=HUIMIN)
    response = client.post(reverse("admin:associations_association_add"), _add_form(other.pk, "回民区青年志愿者协会"))

    assert response.status_code == 200
    assert "所选所属区划不存在，或不在您的管辖范围内。" in response.context["adminform"].form.errors["division"]
    assert not Association.objects.exists()


def test_moving_own_record_into_another_county_is_refused(client, make_staff, ledger):
    from divisions.models import Division

    _client(client, make_staff(Role.COUNTY_STAFF, XINCHENG))
    own = ledger[XINCHENG]
    data = _add_form(Division.objects.get(code=HUIMIN).pk, own.name)
    response = client.post(_paths(own)["change"], data)
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.division.code == XINCHENG


def test_saving_in_own_county_registers_with_serial_and_history(client, make_staff):
    from divisions.models import Division

    user = make_staff(Role.COUNTY_STAFF, XINCHENG)
    _client(client, user)
    response = client.post(
        reverse("admin:associations_association_add"),
        _add_form(Division.objects.get(code=XINCHENG).pk, "呼和浩特市新城区青年志愿者协会"),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Association.objects.get()
    assert created.serial_number == "150102-01"
    assert created.history.get().history_user == user
    unit = created.supervising_units.get()
    assert (unit.kind, unit.name, unit.history.get().history_user) == ("cyl_committee", "共青团新城区委员会", user)


def test_revert_view_of_own_record_is_reachable_and_reverts(client, make_staff, ledger):
    own = ledger[XINCHENG]
    _client(client, make_staff(Role.COUNTY_STAFF, XINCHENG))
    first = own.history.earliest("history_date")
    own.name = "改错的名称"
    own.save()
    response = client.get(
        reverse("admin:associations_association_simple_history", args=[own.pk, first.history_id])
    )
    assert response.status_code == 200
    assert "新城区青年志愿者协会" in response.content.decode()
