"""A day that does not exist in ``as_of`` is a Chinese 400 on every dashboard URL and the printable 体检表, never a
500; a future day is clamped to today on every one of them; error pages speak Chinese."""
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from associations.tests.factories import association

pytestmark = pytest.mark.django_db

BAD = ("2020-02-30", "2021-13-01", "2021年2月29日", "yesterday", "' OR 1=1--")


def urls(association_pk):
    return [reverse("reports:home"), reverse("reports:division", args=["15"]),
            reverse("reports:division", args=["1501"]), reverse("reports:data", args=["1501"]),
            reverse("reports:export", args=["1501"]), reverse("reports:county", args=["150102"]),
            reverse("admin:associations_association_checkup", args=[association_pk])]


@pytest.mark.parametrize("value", BAD)
def test_a_day_that_does_not_exist_is_a_chinese_400(client, make_staff, value):
    own = association("150102")
    client.force_login(make_staff(Role.REGION_STAFF, "15"))
    client.raise_request_exception = False
    for url in urls(own.pk):
        response = client.get(url, {"as_of": value})
        assert response.status_code == 400, url
        body = response.json()["detail"] if url.endswith(".json") else response.content.decode()
        assert "查看日期（as_of）有误" in body, url


def test_the_month_is_named_in_the_message(client, make_staff):
    client.force_login(make_staff(Role.REGION_STAFF, "15"))
    response = client.get(reverse("reports:data", args=["15"]), {"as_of": "2020-02-30"})
    assert response.json() == {"detail": "查看日期（as_of）有误：日期「2020-02-30」不存在：2020年2月没有30日。"}


def test_a_future_day_is_today_on_every_page(client, make_staff):
    own = association("150102")
    client.force_login(make_staff(Role.REGION_STAFF, "15"))
    today = timezone.localdate()
    future = date(today.year + 3, 1, 2).isoformat()
    assert client.get(reverse("reports:data", args=["1501"]), {"as_of": future}).json()["as_of"] == today.isoformat()
    for url in urls(own.pk)[1:]:
        response = client.get(url, {"as_of": future})
        assert response.status_code in (200, 302), url
    page = client.get(reverse("admin:associations_association_checkup", args=[own.pk]), {"as_of": future})
    assert f"截至 {today.year}年{today.month}月{today.day}日" in page.content.decode()


def test_a_missing_page_is_answered_in_chinese(client, make_staff):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    response = client.get("/dashboard/nothing-here/")
    assert response.status_code == 404 and "页面不存在（404）" in response.content.decode()
