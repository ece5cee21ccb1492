"""Two people editing one record: the second save over a page opened before the first one's save is refused with
what the first changed (who, when, field: old → new); saving again then overwrites knowingly. The API answers a
stale ``If-Match`` with 409."""

import pytest
from django.contrib import admin
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from associations.models import Association, Officer
from associations.tests.factories import association

from .matrix import MAKERS, OWN
from .test_add_forms import form_data

pytestmark = pytest.mark.django_db


def page_data(response) -> dict:
    """Everything the change page's form posts, inline rows included, as the browser would send it."""
    data = form_data(response.context["adminform"].form, [])
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form, []))
        for form in formset.forms:
            data.update(form_data(form, []))
    return data


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=(obj.pk,))


def both_open(mine, theirs, **values):
    """An association, and its change page as each of the two clerks opened it (before either saves)."""
    own = association(OWN, staff_parttime=3, **values)
    url = change_url(own)
    return own, url, page_data(mine.get(url)), page_data(theirs.get(url))


@pytest.fixture
def two_clerks(client, make_staff):
    from django.test import Client

    first = make_staff(Role.COUNTY_STAFF, OWN)
    first.first_name = "其其格"
    first.save()
    second = make_staff(Role.COUNTY_STAFF, OWN)
    second.first_name = "巴特尔"
    second.save()
    client.force_login(first)
    other = Client()
    other.force_login(second)
    return client, other


def test_the_second_save_of_an_association_opened_before_the_first_is_refused_with_its_changes(two_clerks):
    mine, theirs = two_clerks
    own, url, my_page, their_page = both_open(mine, theirs)

    their_page["name"] = "新城区青年志愿者协会（改）"
    saved = theirs.post(url, their_page)
    assert saved.status_code == 302, saved.context and saved.context["adminform"].form.errors
    my_page["staff_parttime"] = "5"
    refused = mine.post(url, my_page)

    assert refused.status_code == 200
    errors = refused.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    message = errors[0]
    assert message.startswith("您打开本页之后，这条记录已被修改：巴特尔（")
    assert f"名称：{own.name} → 新城区青年志愿者协会（改）" in message
    assert "您的修改没有保存" in message
    own.refresh_from_db()
    assert (own.name, own.staff_parttime) == ("新城区青年志愿者协会（改）", 3)  # nothing of the stale page landed
    assert refused.content.decode().count("您打开本页之后") == 1

    # The refused page now carries the newer version: saving it again is a knowing overwrite.
    again = page_data(refused)
    assert again["staff_parttime"] == "5" and again["loaded_version"] != my_page["loaded_version"]
    overwrite = mine.post(url, again)
    assert overwrite.status_code == 302
    own.refresh_from_db()
    assert own.staff_parttime == 5


def test_an_officer_added_meanwhile_makes_the_page_stale(two_clerks):
    mine, theirs = two_clerks
    own = association(OWN)
    url = change_url(own)
    my_page = page_data(mine.get(url))
    their_page = page_data(theirs.get(url))
    prefix = next(inline.formset.prefix for inline in theirs.get(url).context["inline_admin_formsets"]
                  if inline.formset.model is Officer)
    index = int(their_page[f"{prefix}-TOTAL_FORMS"])
    their_page.update({f"{prefix}-TOTAL_FORMS": str(index + 1), f"{prefix}-{index}-role": "secretary_general",
                       f"{prefix}-{index}-name": "乌兰", f"{prefix}-{index}-term_start": "2024-01-01"})
    saved = theirs.post(url, their_page)
    assert saved.status_code == 302, [f.errors for i in saved.context["inline_admin_formsets"] for f in i.formset]

    my_page["staff_parttime"] = "7"
    refused = mine.post(url, my_page)
    message = refused.context["adminform"].form.non_field_errors()[0]
    assert "巴特尔（" in message and "协会负责人 增加 1 行" in message
    own.refresh_from_db()
    assert own.staff_parttime != 7


def test_a_page_opened_after_the_last_save_saves_at_once(two_clerks):
    mine, _ = two_clerks
    own = association(OWN, staff_parttime=3)
    url = change_url(own)
    page = page_data(mine.get(url))
    page["staff_parttime"] = "4"
    assert mine.post(url, page).status_code == 302
    page = page_data(mine.get(url))  # the same clerk, twice in a row: each save from a fresh page
    page["staff_parttime"] = "6"
    assert mine.post(url, page).status_code == 302
    own.refresh_from_db()
    assert own.staff_parttime == 6


def test_a_change_made_by_an_import_or_job_without_history_is_still_caught(two_clerks):
    mine, _ = two_clerks
    own = association(OWN, staff_parttime=3)
    url = change_url(own)
    page = page_data(mine.get(url))
    Association.objects.filter(pk=own.pk).update(staff_parttime=9)  # no history written
    page["staff_parttime"] = "4"
    refused = mine.post(url, page)
    assert refused.context["adminform"].form.non_field_errors()[0].startswith(
        "您打开本页之后，这条记录已被修改：其他账号或导入改动了它。")
    own.refresh_from_db()
    assert own.staff_parttime == 9


EDITABLE = sorted(name for name, model in ((f"{m._meta.app_label}_{m._meta.model_name}", m)
                                           for m in admin.site._registry) if name in MAKERS)


@pytest.mark.parametrize("name", EDITABLE)
def test_every_change_form_refuses_a_stale_save(client, make_staff, name):
    record = MAKERS[name](OWN, 0)
    model = type(record)
    model_admin = admin.site._registry[model]
    user = make_staff(superuser=True)
    client.force_login(user)
    url = change_url(record)
    response = client.get(url)
    if response.status_code != 200 or "adminform" not in response.context:
        pytest.skip("no change form")
    request = type("Request", (), {"user": user})()
    if not model_admin.has_change_permission(request, record):
        assert "loaded_version" not in response.context["adminform"].form.fields
        return
    page = page_data(response)
    assert page.get("loaded_version"), name
    saved = client.post(url, page)  # nothing changed since the page was opened: no refusal for staleness
    assert "您打开本页之后" not in saved.content.decode(), name
    page = page_data(client.get(url))
    fields = {f.attname for f in model._meta.concrete_fields if not f.primary_key}
    touched = next(name_ for name_ in ("note", "remarks", "description", "name", "title", "location")
                   if name_ in fields) if fields & {"note", "remarks", "description", "name", "title",
                                                    "location"} else None
    if touched is None:
        pytest.skip("no free-text column to change behind the page's back")
    model._base_manager.filter(pk=record.pk).update(**{touched: "别人改的"})
    refused = client.post(url, page)
    assert refused.status_code == 200, name
    assert "您打开本页之后，这条记录已被修改" in refused.content.decode(), name
    assert model._base_manager.filter(pk=record.pk).values_list(touched, flat=True).get() == "别人改的"


class TestApi:
    def url(self, obj):
        return f"/api/v1/associations/{obj.pk}/"

    def client_for(self, make_staff, name):
        user = make_staff(Role.COUNTY_STAFF, OWN)
        user.first_name = name
        user.save()
        api = APIClient()
        api.force_authenticate(user)
        return api

    def test_a_stale_if_match_is_409_with_the_changes(self, make_staff):
        own = association(OWN, staff_parttime=3)
        mine, theirs = self.client_for(make_staff, "其其格"), self.client_for(make_staff, "巴特尔")
        read = mine.get(self.url(own))
        etag = read.headers["ETag"]
        assert etag.startswith('"') and etag.endswith('"')
        assert theirs.patch(self.url(own), {"staff_parttime": 4}, format="json",
                            HTTP_IF_MATCH=theirs.get(self.url(own)).headers["ETag"]).status_code == 200
        stale = mine.patch(self.url(own), {"staff_parttime": 8}, format="json", HTTP_IF_MATCH=etag)
        assert stale.status_code == 409
        body = stale.json()
        assert body["detail"].startswith("您读取之后，这条记录已被修改：巴特尔（")
        assert "兼职人员（人）：3 → 4" in body["detail"]
        assert body["etag"] == mine.get(self.url(own)).headers["ETag"]
        own.refresh_from_db()
        assert own.staff_parttime == 4
        fresh = mine.patch(self.url(own), {"staff_parttime": 8}, format="json", HTTP_IF_MATCH=body["etag"])
        assert fresh.status_code == 200
        assert fresh.headers["ETag"] != body["etag"]
        own.refresh_from_db()
        assert own.staff_parttime == 8

    def test_put_and_delete_honour_if_match_too_and_a_write_without_it_goes_through(self, make_staff):
        own = association(OWN, staff_parttime=3)
        api = self.client_for(make_staff, "其其格")
        etag = api.get(self.url(own)).headers["ETag"]
        Association.objects.filter(pk=own.pk).update(staff_parttime=5)
        assert api.delete(self.url(own), HTTP_IF_MATCH=etag).status_code == 409
        assert Association.objects.filter(pk=own.pk).exists()
        assert api.patch(self.url(own), {"staff_parttime": 6}, format="json").status_code == 200
        own.refresh_from_db()
        assert own.staff_parttime == 6

    def test_if_match_star_and_a_wrong_shape_are_told(self, make_staff):
        own = association(OWN)
        api = self.client_for(make_staff, "其其格")
        assert api.patch(self.url(own), {"staff_parttime": 6}, format="json", HTTP_IF_MATCH="*").status_code == 200
        bad = api.patch(self.url(own), {"staff_parttime": 7}, format="json", HTTP_IF_MATCH="abc")
        assert bad.status_code == 409
        assert "版本" in bad.json()["detail"]


def test_dates_in_the_message_are_local(two_clerks):
    """The moment in the message is the platform's time (Asia/Shanghai), as on the history page."""
    mine, theirs = two_clerks
    own, url, my_page, their_page = both_open(mine, theirs)
    their_page["staff_parttime"] = "4"
    theirs.post(url, their_page)
    message = mine.post(url, my_page).context["adminform"].form.non_field_errors()[0]
    from django.utils import formats, timezone

    last = own.history.latest("history_date")
    assert formats.date_format(timezone.localtime(last.history_date), "DATETIME_FORMAT") in message
