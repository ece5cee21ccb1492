"""A secretariat account works for its own association: in a county with two associations (the active one and
its dissolved predecessor), each secretariat lists, opens, imports and links only its own association's people
and records. Records shared by the whole division (townships, service bases, targets, the dashboard's figures)
are seen by both."""
from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.scoping import OTHER_ASSOCIATION_MESSAGE, scope_queryset
from accounts.tests.factories import staff_user
from associations.models import Association
from associations.tests.factories import association
from members import personal_data
from members.importers import NOT_REGISTERED_IN_SCOPE
from members.models import IndividualMember, Volunteer
from members.tests.factories import id_number, volunteer
from projects.models import ServiceRecord
from teams.models import Team, TeamMembership

from .matrix import MAKERS, OWN, attach_to
from .test_import_scope import attendance_rows, member_rows, roster_rows, run, service_rows

pytestmark = pytest.mark.django_db

# Shared by everything in the division: no association owns them.
SHARED = {"divisions_division", "teams_servicebase", "reports_target", "reports_metricsnapshot"}


def predecessor():
    """The county's earlier association, dissolved when the present one was registered."""
    return association(OWN, name="新城区青年志愿者联合会", founded_on=date(2012, 3, 5), dissolved_on=date(2019, 12, 31))


SECRETARIAT_VIEWS = sorted(name for name in MAKERS
                           if tuple(name.replace("_", "_view_", 1).split("_", 1)) in ROLE_PERMISSIONS[Role.SECRETARIAT])


def test_the_secretariat_views_most_models():
    # the access log is the league's; key dates are set by the region
    assert set(MAKERS) - set(SECRETARIAT_VIEWS) == {"members_personaldataaccess", "projects_keydate",
                                                       "reports_pillar"}


@pytest.mark.parametrize("name", SECRETARIAT_VIEWS)
def test_each_secretariat_reaches_only_its_own_associations_records(client, name):
    made = MAKERS[name](OWN, 0)
    own = Association.objects.filter(division__code=OWN, dissolved_on__isnull=True).first() or association(OWN)
    attach_to(own)
    sibling = predecessor()
    mine, theirs = staff_user(Role.SECRETARIAT, association=own), staff_user(Role.SECRETARIAT, association=sibling)
    changelist, change = reverse(f"admin:{name}_changelist"), reverse(f"admin:{name}_change", args=[made.pk])

    client.force_login(mine)
    assert made.pk in [o.pk for o in client.get(changelist).context["cl"].result_list]
    assert client.get(change).status_code == 200

    client.force_login(theirs)
    listed = [o.pk for o in client.get(changelist).context["cl"].result_list]
    if name in SHARED:
        assert made.pk in listed
        assert client.get(change).status_code == 200
    else:
        assert made.pk not in listed
        for path in ("change", "history"):
            assert client.get(reverse(f"admin:{name}_{path}", args=[made.pk])).status_code == 404, path


def test_a_volunteer_belongs_to_the_associations_that_registered_admitted_or_rostered_them():
    own, sibling = association(OWN), predecessor()
    registered = volunteer(OWN, registered_by=own)
    admitted = volunteer(OWN)
    IndividualMember.objects.create(association=own, volunteer=admitted, joined_on=date(2022, 1, 1),
                                    review_status="approved")
    rostered = volunteer(OWN)
    squad = Team.objects.create(name="社区青年志愿服务队", host_kind="county_direct", county_direct_domain="community",
                                division=own.division, association=own, founded_on=date(2021, 1, 1))
    TeamMembership.objects.create(team=squad, volunteer=rostered, joined_on=date(2022, 1, 1))
    unattached = volunteer(OWN)

    def reached(account):
        return set(scope_queryset(Volunteer.objects.all(), account).values_list("pk", flat=True))

    assert reached(staff_user(Role.SECRETARIAT, association=own)) == {registered.pk, admitted.pk, rostered.pk}
    assert reached(staff_user(Role.SECRETARIAT, association=sibling)) == set()
    assert reached(staff_user(Role.COUNTY_STAFF, OWN)) == {registered.pk, admitted.pk, rostered.pk, unattached.pk}


def test_a_volunteer_added_by_a_secretariat_is_registered_by_its_association(client):
    own = association(OWN)
    client.force_login(staff_user(Role.SECRETARIAT, association=own))
    response = client.post(reverse("admin:members_volunteer_add"), {
        "name": "阿拉坦仓·巴雅尔", "id_number": id_number(), "phone": "13904710001",
        "division": own.division.pk, "gender": "male", "registered_on": "2024-05-04",
        "stars-TOTAL_FORMS": 0, "stars-INITIAL_FORMS": 0,
    })
    if response.status_code != 302:
        form = response.context["adminform"].form
        pytest.fail(f"not saved: {form.errors}")
    assert Volunteer.objects.get(name="阿拉坦仓·巴雅尔").registered_by == own


def test_a_secretariat_cannot_pick_the_other_association_in_a_form(client):
    own, sibling = association(OWN), predecessor()
    person = volunteer(OWN, registered_by=own)
    client.force_login(staff_user(Role.SECRETARIAT, association=own))
    response = client.post(reverse("admin:members_individualmember_add"), {
        "association": sibling.pk, "volunteer": person.pk, "joined_on": "2022-05-04", "review_status": "approved",
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["association"] == ["所选协会不存在，或不在您的管辖范围内。"]
    assert not IndividualMember.objects.exists()


def test_a_secretariat_cannot_write_a_record_of_the_other_association_through_the_api(client):
    own, sibling = association(OWN), predecessor()
    person = volunteer(OWN, registered_by=own)
    client.force_login(staff_user(Role.SECRETARIAT, association=own))
    response = client.post("/api/v1/individual-members/", {
        "association": sibling.pk, "volunteer": person.pk, "joined_on": "2022-05-04"}, content_type="application/json")
    assert response.status_code == 400
    assert "association" in response.json()
    assert not IndividualMember.objects.exists()


def test_the_scope_check_refuses_a_record_of_the_other_association():
    from django.core.exceptions import ValidationError

    from accounts.scoping import assert_in_scope

    own, sibling = association(OWN), predecessor()
    account = staff_user(Role.SECRETARIAT, association=own)
    record = IndividualMember(association=sibling, volunteer=volunteer(OWN), joined_on=date(2022, 1, 1))
    with pytest.raises(ValidationError) as refused:
        assert_in_scope(account, record, field="association")
    assert refused.value.message_dict == {"association": [OTHER_ASSOCIATION_MESSAGE.format(association=own.name)]}


@pytest.mark.parametrize("rows_for", [member_rows, roster_rows, service_rows, attendance_rows])
def test_an_import_finds_only_the_secretariats_own_people(rows_for):
    own, sibling = association(OWN), predecessor()
    theirs = volunteer(OWN, name="斯琴高娃", registered_by=own, insured_from=date(2020, 1, 1))
    importer_class, model, rows = rows_for(sibling, personal_data.decrypt(theirs.id_number_encrypted), "斯琴高娃")
    Team.objects.filter(association__isnull=True).update(association=sibling)
    before = model.objects.count()

    report = run(importer_class(staff_user(Role.SECRETARIAT, association=sibling)), rows)

    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, "身份证号码", NOT_REGISTERED_IN_SCOPE)]
    assert model.objects.count() == before

    report = run(importer_class(staff_user(Role.SECRETARIAT, association=own)), rows_for(
        own, personal_data.decrypt(theirs.id_number_encrypted), "斯琴高娃")[2]) if rows_for is service_rows else None
    if report is not None:
        assert report.ok, report.errors
        assert ServiceRecord.objects.get().volunteer == theirs


def test_an_account_form_ties_secretariat_accounts_to_one_association(client):
    own = association(OWN)
    client.force_login(staff_user(Role.LEAGUE_STAFF, OWN[:4]))
    from django.contrib.auth.models import Group

    secretariat = Group.objects.get(name=Role.SECRETARIAT.label)
    county = Group.objects.get(name=Role.COUNTY_STAFF.label)
    base = {"username": "mishuchu1", "password1": "Xq7-plenty-long", "password2": "Xq7-plenty-long",
            "is_active": "on", "scope_division": own.division.pk}

    response = client.post(reverse("admin:accounts_user_add"), dict(base, groups=[secretariat.pk]))
    assert response.status_code == 200
    assert "协会秘书处工作人员的账号须填写所属协会。" in str(response.context["adminform"].form.errors)

    response = client.post(reverse("admin:accounts_user_add"), dict(base, groups=[county.pk], association=own.pk))
    assert response.status_code == 200
    assert "association" in response.context["adminform"].form.errors


def test_an_access_log_entry_stays_with_the_county_where_the_access_happened(make_staff):
    """A volunteer who moves on does not take the record of who saw their ID number to the new county."""
    from divisions.models import Division
    from members.models import PersonalDataAccess
    from members.services import personal_data_reveal

    person = volunteer(OWN)
    personal_data_reveal(user=make_staff(Role.LEAGUE_STAFF, OWN[:4]), volunteer=person, purpose="核对保险")
    Volunteer.objects.filter(pk=person.pk).update(division=Division.objects.get(code="150402"))

    def seen(code):
        return list(scope_queryset(PersonalDataAccess.objects.all(), make_staff(Role.LEAGUE_STAFF, code))
                    .values_list("purpose", flat=True))

    assert seen(OWN[:4]) == ["核对保险"]
    assert seen("1504") == []
    assert PersonalDataAccess.objects.get().division.code == OWN


@pytest.mark.parametrize("role, code, allowed", [(Role.COUNTY_STAFF, OWN, False), (Role.LEAGUE_STAFF, OWN[:4], True)])
def test_a_link_between_two_counties_needs_a_scope_holding_both(client, role, code, allowed):
    """Admitting a sibling county's volunteer into this county's association: the league may, the county may not
    (through the API and the admin form alike)."""
    own = association(OWN)
    neighbour = volunteer("150103", name="其木格")
    account = staff_user(role, code)
    client.force_login(account)
    response = client.post("/api/v1/individual-members/", {
        "association": own.pk, "volunteer": neighbour.pk, "joined_on": "2022-05-04"}, content_type="application/json")
    assert response.status_code == (201 if allowed else 400), response.content
    if not allowed:
        assert "volunteer" in response.json()
        response = client.post(reverse("admin:members_individualmember_add"), {
            "association": own.pk, "volunteer": neighbour.pk, "joined_on": "2022-05-04", "review_status": "approved"})
        assert response.context["adminform"].form.errors["volunteer"] == ["所选志愿者不存在，或不在您的管辖范围内。"]
    assert IndividualMember.objects.filter(volunteer=neighbour).count() == (1 if allowed else 0)


def test_a_new_record_starts_in_the_accounts_county_and_association(client):
    own = association(OWN)
    client.force_login(staff_user(Role.SECRETARIAT, association=own))
    form = client.get(reverse("admin:members_volunteer_add")).context["adminform"].form
    assert (form.initial["division"], form.initial["registered_by"]) == (own.division_id, own.pk)
    form = client.get(reverse("admin:teams_team_add")).context["adminform"].form
    assert form.initial["association"] == own.pk
    client.force_login(staff_user(Role.LEAGUE_STAFF, OWN[:4]))
    assert "division" not in client.get(reverse("admin:members_volunteer_add")).context["adminform"].form.initial
