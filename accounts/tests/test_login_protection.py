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


def test_spraying_one_password_over_many_usernames_locks_the_address(client, make_staff, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 12
    real = make_staff(Role.COUNTY_STAFF, "150102", password="Right-pass-123")
    for n in range(11):  # one failure each on eleven usernames: no username comes near its own limit
        assert _login(client, f"guess{n}", "Spring2026!").status_code == 200
    assert _login(client, "guess11", "Spring2026!").status_code == 429  # the twelfth locks the address
    locked = _login(client, real.username, "Right-pass-123")
    assert locked.status_code == 429
    assert "本机地址登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # another address is not affected
    assert _login(client, real.username, "Right-pass-123", ip="10.9.9.9").status_code == 302


def _token(api, username, password, ip="10.1.2.3"):
    return api.post("/api/v1/token/", {"username": username, "password": password}, format="json",
                    REMOTE_ADDR=ip)


def test_the_token_endpoint_answers_a_lockout_in_json(make_staff, settings):
    from rest_framework.test import APIClient

    api = APIClient()
    user = make_staff(Role.COUNTY_STAFF, "150102", password="Right-pass-123")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _token(api, user.username, "wrong").status_code == 400
    locked = _token(api, user.username, "wrong")
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")
    assert locked.json() == {"detail": "该账号在本机连续登录失败次数过多，已被暂时锁定，请在 30 分钟后重试。",
                             "code": "locked_out"}
    assert _token(api, user.username, "Right-pass-123").status_code == 429


def _authorised(token):
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get("/api/v1/associations/")
    assert response.status_code in (200, 401, 403)
    return "ok" if response.status_code == 200 else response.json()["detail"]


def test_tokens_end_with_a_lockout_a_password_change_or_deactivation(make_staff, settings):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    api = APIClient()
    locked_user = make_staff(Role.COUNTY_STAFF, "150102", password="Right-pass-123")
    token = _token(api, locked_user.username, "Right-pass-123").json()["token"]
    assert _authorised(token) == "ok"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(api, locked_user.username, "wrong", ip="10.6.6.6")
    assert _authorised(token) == "认证令牌无效。"

    changed = make_staff(Role.COUNTY_STAFF, "150102", password="Right-pass-123")
    token = Token.objects.create(user=changed).key
    changed.last_login = None
    changed.save(update_fields=["last_login"])  # an ordinary save keeps the token
    assert _authorised(token) == "ok"
    changed.set_password("New-pass-456789")
    changed.save()
    assert _authorised(token) == "认证令牌无效。"

    deactivated = make_staff(Role.COUNTY_STAFF, "150102", password="Right-pass-123")
    token = Token.objects.create(user=deactivated).key
    deactivated.first_name = "其其格"
    deactivated.save()
    assert _authorised(token) == "ok"
    deactivated.is_active = False
    deactivated.save()
    assert not Token.objects.filter(key=token).exists()


def test_a_username_longer_than_any_account_is_refused_without_an_attempt_record(make_staff):
    """No account has a 300-character name; the endpoint says so instead of failing on the lockout's record."""
    from axes.models import AccessAttempt
    from rest_framework.test import APIClient

    response = _token(APIClient(), "甲" * 300, "whatever")
    assert response.status_code == 400
    assert response.json()["username"] == ["请确保这个字段不能超过 150 个字符。"]
    assert not AccessAttempt.objects.exists()
