"""Reverting to a past version through the history page is a change like any other: it needs the change
permission on the record as it is now, in scope, and goes through the change form's own rules."""
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.roles import Role
from associations.models import Association
from associations.tests.factories import association
from projects.models import ServiceRecord, ServiceRecordCorrection
from projects.tests.factories import activity, project, record

pytestmark = pytest.mark.django_db


def revert_post(model, obj, version, superuser):
    """What the history page's form posts for ``version``: every field as that version had it."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = superuser
    form = model_admin.get_form(request, version)(instance=version)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history",
                  args=(obj.pk, version.history_id))
    return url, data


def renamed_association(superuser):
    own = association("150102")
    own.name = "改名后的协会"
    own.save()
    first = own.history.order_by("history_date").first()
    url, data = revert_post(Association, own, first, superuser)
    return own, url, data


@pytest.mark.parametrize("role,scope", [(Role.OFFICIAL, "15"), (Role.OFFICIAL, "150102"),
                                        (Role.SECRETARIAT, "150102")])
def test_an_account_that_may_only_view_the_ledger_cannot_revert_it(client, make_staff, role, scope):
    own, url, data = renamed_association(make_staff(superuser=True))
    client.force_login(make_staff(role, scope))
    assert client.get(url).status_code == 200  # the past version can be looked at
    response = client.post(url, data)
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.name == "改名后的协会"


def test_the_history_page_offers_no_revert_button_to_a_read_only_account(client, make_staff):
    own, url, _ = renamed_association(make_staff(superuser=True))
    client.force_login(make_staff(Role.OFFICIAL, "15"))
    page = client.get(url).content.decode()
    assert 'name="_save"' not in page
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    assert 'name="_save"' in client.get(url).content.decode()


def test_county_staff_can_revert_their_own_ledger(client, make_staff):
    own, url, data = renamed_association(make_staff(superuser=True))
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    own.refresh_from_db()
    assert own.name == "赛罕区青年志愿者协会" or own.name.endswith("青年志愿者协会")
    assert own.name != "改名后的协会"


def test_a_sibling_county_cannot_see_or_revert_the_version(client, make_staff):
    own, url, data = renamed_association(make_staff(superuser=True))
    client.force_login(make_staff(Role.COUNTY_STAFF, "150103"))
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    own.refresh_from_db()
    assert own.name == "改名后的协会"


def test_reverting_hours_is_a_correction_that_needs_a_reason(client, make_staff):
    superuser = make_staff(superuser=True)
    own = association("150102")
    entry = record(activity(project(own)), hours="1.0")
    entry.hours = Decimal("3.0")
    entry.save()
    first = entry.history.order_by("history_date").first()
    assert first.hours == Decimal("1.0")
    url, data = revert_post(ServiceRecord, entry, first, superuser)
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))

    response = client.post(url, data)
    assert response.status_code == 200
    assert "更正服务时长或日期须填写更正原因。" in response.content.decode()
    entry.refresh_from_db()
    assert entry.hours == Decimal("3.0")
    assert not ServiceRecordCorrection.objects.filter(record=entry).exists()

    response = client.post(url, {**data, "correction_reason": "误录为 3 小时"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.hours == Decimal("1.0")
    correction = ServiceRecordCorrection.objects.get(record=entry)
    assert (correction.old_hours, correction.new_hours, correction.reason) == (Decimal("3.0"), Decimal("1.0"),
                                                                              "误录为 3 小时")


def test_a_malformed_version_id_is_a_404(client, make_staff):
    own = association("150102")
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    for bad in ("abc", "1.5", "²", "99999999999999999999"):
        url = f"/admin/associations/association/{own.pk}/history/{bad}/"
        assert client.get(url).status_code == 404, url


def test_a_team_moved_to_another_county_does_not_bring_its_earlier_history(client, make_staff):
    from divisions.models import Division
    from teams.tests.factories import team

    old_home = Division.objects.townships().filter(parent__code="150102").order_by("code").first()
    new_home = Division.objects.townships().filter(parent__code="150103").order_by("code").first()
    moved = team(old_home.code, name="原街道青年志愿服务队")
    moved.name, moved.division = "新街道青年志愿服务队", new_home
    moved.save()
    old_version = moved.history.order_by("history_date").first()
    client.force_login(make_staff(Role.COUNTY_STAFF, "150103"))

    page = client.get(reverse("admin:teams_team_history", args=(moved.pk,))).content.decode()
    assert "新街道青年志愿服务队" in page
    assert "原街道青年志愿服务队" not in page
    old_url = reverse("admin:teams_team_simple_history", args=(moved.pk, old_version.history_id))
    assert client.get(old_url).status_code == 404

    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    assert client.get(reverse("admin:teams_team_history", args=(moved.pk,))).status_code == 404
