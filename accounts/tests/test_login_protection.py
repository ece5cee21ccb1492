import pytest
from django.urls import reverse

from accounts.roles import Role

pytestmark = pytest.mark.django_db


def _login(client, username, password, ip="10.1.2.3"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_repeated_failed_logins_lock_the_username_on_that_address(client, make_staff, settings):
    user = make_staff(Role.COUNTY_STAFF, "150102", password="Right-pass-123")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, user.username, "wrong")
        assert response.status_code == 200
        assert "请输入一个正确的" in response.content.decode()

    locked = _login(client, user.username, "wrong")
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()

    # Even the right password is refused while locked.
    assert _login(client, user.username, "Right-pass-123").status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_does_not_block_others_behind_the_same_address(client, make_staff, settings):
    victim = make_staff(Role.COUNTY_STAFF, "150102", password="Right-pass-123")
    colleague = make_staff(Role.COUNTY_STAFF, "150103", password="Right-pass-456")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, victim.username, "wrong")

    response = _login(client, colleague.username, "Right-pass-456")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)
