"""League staff open and manage accounts for the counties of their own league, and nothing above."""
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role, group_name
from divisions.models import Division

pytestmark = pytest.mark.django_db


def _add(client, *, username, division_code, role):
    return client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": username,
            "password1": "Strong-pass-2021",
            "password2": "Strong-pass-2021",
            "usable_password": "true",
            "last_name": "测试",
            "scope_division": Division.objects.get(code=division_code).pk,
            "groups": [Group.objects.get(name=group_name(role)).pk],
        },
    )


def test_league_staff_opens_a_county_account_in_own_league(client, make_staff):
    client.force_login(make_staff(Role.LEAGUE_STAFF, "1501"))
    response = _add(client, username="xincheng2", division_code="150102", role=Role.COUNTY_STAFF)
    assert response.status_code == 302
    created = User.objects.get(username="xincheng2")
    assert created.scope_division.code == "150102"
    assert created.is_staff and not created.is_superuser
    assert [g.name for g in created.groups.all()] == ["旗县团委工作人员"]


def test_league_staff_cannot_open_account_in_another_league(client, make_staff):
    client.force_login(make_staff(Role.LEAGUE_STAFF, "1501"))
    response = _add(client, username="hongshan", division_code="150402", role=Role.COUNTY_STAFF)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["scope_division"] == ["只能为本级以下的行政区划开设账号。"]
    assert not User.objects.filter(username="hongshan").exists()


def test_league_staff_cannot_open_account_at_own_level_or_above(client, make_staff):
    client.force_login(make_staff(Role.LEAGUE_STAFF, "1501"))
    for code in ("1501", "15"):
        response = _add(client, username=f"above{code}", division_code=code, role=Role.COUNTY_STAFF)
        assert response.context["adminform"].form.errors["scope_division"] == ["只能为本级以下的行政区划开设账号。"]
    assert not User.objects.filter(username__startswith="above").exists()


def test_league_staff_cannot_grant_league_or_region_role(client, make_staff):
    client.force_login(make_staff(Role.LEAGUE_STAFF, "1501"))
    response = _add(client, username="promoted", division_code="150102", role=Role.LEAGUE_STAFF)
    assert response.status_code == 200
    assert "groups" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="promoted").exists()


def test_league_staff_lists_only_accounts_below_in_own_league(client, make_staff):
    manager = make_staff(Role.LEAGUE_STAFF, "1501")
    own_county = make_staff(Role.COUNTY_STAFF, "150102")
    other_league = make_staff(Role.COUNTY_STAFF, "150402")
    peer = make_staff(Role.LEAGUE_STAFF, "1501")
    region = make_staff(Role.REGION_STAFF, "15")
    client.force_login(manager)

    response = client.get(reverse("admin:accounts_user_changelist"))

    listed = {u.pk for u in response.context["cl"].result_list}
    assert listed == {own_county.pk}
    for hidden in (other_league, peer, region):
        assert client.get(reverse("admin:accounts_user_change", args=[hidden.pk])).status_code == 404
        assert client.get(reverse("admin:auth_user_password_change", args=[hidden.pk])).status_code == 404


def test_county_staff_cannot_manage_accounts(client, make_staff):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
