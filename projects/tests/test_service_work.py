"""Activities, hours, corrections, star levels and certificates against the database."""
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from accounts.roles import Role
from associations.models import Association
from associations.rules import Status
from associations.tests.factories import association
from checkup.facts import association_findings
from divisions.models import Division
from members.models import VolunteerStar
from members.services import star_confirm, star_level_for, star_levels_recompute, star_notice_start
from members.tests.factories import volunteer
from projects.models import Activity, Certificate, ServiceRecord, ServiceRecordCorrection, key_date_of, service_hours
from projects.services import certificate_issue, service_record_correct

from .factories import activity, project, record

pytestmark = pytest.mark.django_db

ISSUER = {"principal": "王志强", "contact": "0471-6661234"}  # 负责人 and 联系方式 (民发〔2015〕149号)


# --- key dates and hours ------------------------------------------------------------------------------------
@pytest.mark.parametrize("day,tag", [
    (date(2024, 3, 5), "03-05"), (date(2024, 3, 1), "03-05"), (date(2024, 3, 31), "03-05"),  # 学雷锋: all March
    (date(2024, 5, 4), "05-04"), (date(2024, 4, 27), "05-04"), (date(2024, 5, 11), "05-04"), (date(2024, 5, 12), ""),
    (date(2023, 12, 5), "12-05"), (date(2023, 11, 28), "12-05"), (date(2023, 12, 13), ""), (date(2024, 2, 29), ""),
])
def test_key_date_tag_comes_from_the_date_and_its_window(day, tag):
    assert key_date_of(day) == tag


def test_key_dates_are_data_and_a_change_retags_every_activity(client, make_staff):
    from projects.models import KeyDate

    care = project(association("150102"))
    held = {day: activity(care, day, f"活动{day:%m%d}") for day in (date(2024, 3, 20), date(2024, 9, 10),
                                                                      date(2024, 5, 9))}
    assert {d: a.key_date for d, a in ((d, Activity.objects.get(pk=a.pk)) for d, a in held.items())} == {
        date(2024, 3, 20): "03-05", date(2024, 9, 10): "", date(2024, 5, 9): "05-04"}

    region = make_staff(Role.REGION_STAFF, "15")
    client.force_login(region)
    response = client.post(reverse("admin:projects_keydate_add"), {
        "code": "09-10", "name": "教师节", "days_before": "0", "days_after": "0", "active": "on",
        "division": Division.objects.get(code="15").pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    five_four = KeyDate.objects.get(code="05-04")
    response = client.post(reverse("admin:projects_keydate_change", args=[five_four.pk]), {
        "code": "05-04", "name": "五四青年节", "days_before": "0", "days_after": "0", "active": "on",
        "division": five_four.division_id})
    assert response.status_code == 302
    assert dict(Activity.objects.values_list("held_on", "key_date")) == {
        date(2024, 3, 20): "03-05", date(2024, 9, 10): "09-10", date(2024, 5, 9): ""}  # retagged at once
    assert Activity.objects.get(held_on=date(2024, 9, 10)).key_date_label == "教师节"

    # an overlapping window is refused: an activity counts for one key date only
    response = client.post(reverse("admin:projects_keydate_add"), {
        "code": "03-12", "name": "植树节", "days_before": "0", "days_after": "0", "active": "on",
        "division": Division.objects.get(code="15").pk})
    assert "与「学雷锋纪念日（3月1日至3月31日）」的时间范围重叠，一次活动只能计入一个重要节点。" in response.content.decode()
    response = client.post(reverse("admin:projects_keydate_add"), {
        "code": "13-40", "name": "无此日", "days_before": "0", "days_after": "0",
        "division": Division.objects.get(code="15").pk})
    assert "请按“月-日”填写，如 03-05（2月29日不能作为重要节点）。" in response.content.decode()

    # only the region sets them; a county clerk cannot even see the page
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    assert client.get(reverse("admin:projects_keydate_changelist")).status_code == 403


@pytest.mark.parametrize("raw,kept", [("1.2", "1.2"), ("0.2", "0.2"), ("0.1", "0.1"), ("3", "3.0"), (2.5, "2.5"),
                                      (2.3000000000000003, "2.3"), (0.1 + 0.2, "0.3"), ("24", "24.0")])
def test_hours_are_kept_as_entered_to_a_tenth_of_an_hour(raw, kept):
    assert service_hours(raw) == Decimal(kept)


@pytest.mark.parametrize("raw,message", [
    ("1.25", "服务时长「1.25」按实际填写，精确到 0.1 小时（6 分钟），请改为 1.2 或 1.3。"),
    ("0", "服务时长必须大于 0 小时。"), ("-1", "服务时长必须大于 0 小时。"),
    ("24.5", "「24.5」超过 24 小时，一条记录是一天的服务时长。"), ("两小时", "「两小时」不是数字。"), ("NaN", "「NaN」不是数字。"),
])
def test_hours_that_cannot_be_kept_as_entered_are_refused(raw, message):
    with pytest.raises(ValueError) as error:
        service_hours(raw)
    assert str(error.value) == message


# --- corrections --------------------------------------------------------------------------------------------
def test_a_correction_keeps_the_old_value_and_the_reason(make_staff):
    user = make_staff(Role.COUNTY_STAFF, "150102")
    entry = record(activity(project(association("150102")), date(2024, 3, 5)), hours="4.0")
    correction = service_record_correct(record=entry, hours="2.6", reason="含往返路程，按实际服务时间更正", user=user)

    entry.refresh_from_db()
    assert entry.hours == Decimal("2.6") and entry.status == ServiceRecord.Status.RECORDED  # to be confirmed again
    assert (correction.old_hours, correction.new_hours, correction.reason) == (
        Decimal("4.0"), Decimal("2.6"), "含往返路程，按实际服务时间更正")
    assert correction.corrected_by == user
    assert [h.hours for h in entry.history.order_by("history_date")] == [Decimal("4.0"), Decimal("2.6")]
    assert entry.history.latest().history_change_reason == "更正：含往返路程，按实际服务时间更正"


def test_a_correction_without_a_reason_changes_nothing(make_staff):
    user = make_staff(Role.COUNTY_STAFF, "150102")
    entry = record(activity(project(association("150102"))), hours="4.0")
    with pytest.raises(ValidationError) as error:
        service_record_correct(record=entry, hours="2", reason="  ", user=user)
    assert error.value.message_dict == {"reason": ["更正服务记录须填写更正原因。"]}
    entry.refresh_from_db()
    assert entry.hours == Decimal("4.0") and not ServiceRecordCorrection.objects.exists()


def test_a_correction_outside_the_users_scope_is_refused(make_staff):
    entry = record(activity(project(association("150402"))), hours="4.0")
    with pytest.raises(ValidationError):
        service_record_correct(record=entry, hours="2", reason="更正", user=make_staff(Role.COUNTY_STAFF, "150102"))
    entry.refresh_from_db()
    assert entry.hours == Decimal("4.0")


def test_admin_change_of_hours_needs_a_reason_and_keeps_the_old_value(client, make_staff):
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    entry = record(activity(project(association("150102"))), hours="4.0")
    url = reverse("admin:projects_servicerecord_change", args=[entry.pk])
    data = {"served_on": entry.served_on.isoformat(), "hours": "3", "correction_reason": "",
            "corrections-TOTAL_FORMS": 0, "corrections-INITIAL_FORMS": 0}
    response = client.post(url, data)
    assert "更正服务时长或日期须填写更正原因。" in response.content.decode()
    entry.refresh_from_db()
    assert entry.hours == Decimal("4.0")

    response = client.post(url, {**data, "correction_reason": "签到表核对"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.hours == Decimal("3.0")
    assert ServiceRecordCorrection.objects.get().old_hours == Decimal("4.0")


@pytest.mark.parametrize("role, code", [(Role.REGION_STAFF, "15"), (Role.LEAGUE_STAFF, "1501"),
                                        (Role.COUNTY_STAFF, "150102"), (Role.SECRETARIAT, None)])
def test_each_role_adds_a_service_record_through_the_admin_form(client, role, code):
    """The record takes its association from the activity before the scope check looks at it; another league's
    activity is not offered and a post naming it is refused."""
    from accounts.tests.factories import staff_user

    own = association("150102")
    held = activity(project(own), date(2024, 3, 5), "学雷锋日社区服务")
    far = activity(project(association("150402")), date(2024, 3, 5), "学雷锋日社区服务")
    person = volunteer("150102", registered_by=own)
    user = staff_user(role, association=own) if role == Role.SECRETARIAT else staff_user(role, code)
    client.force_login(user)
    url = reverse("admin:projects_servicerecord_add")
    form = {"volunteer": person.pk, "served_on": "2024-03-05", "hours": "2", "status": "recorded",
            "corrections-TOTAL_FORMS": 0, "corrections-INITIAL_FORMS": 0}
    if role != Role.REGION_STAFF:  # the region reaches every league
        refused = client.post(url, {**form, "activity": far.pk})
        assert refused.status_code == 200 and not ServiceRecord.objects.exists()
        assert [e for errors in refused.context["errors"] for e in errors] == ["所选活动不存在，或不在您的管辖范围内。"]
    response = client.post(url, {**form, "activity": held.pk})
    assert response.status_code == 302, response.context["errors"] if response.context else response
    entry = ServiceRecord.objects.get()
    assert (entry.association, entry.activity, entry.volunteer, entry.hours) == (own, held, person, Decimal("2.0"))
    assert entry.history.get().history_user == user


# --- star levels --------------------------------------------------------------------------------------------
def _hours(person, care, total: str, start=date(2023, 1, 1)):
    """Confirmed records adding up to ``total`` hours, one a day, at most 24 h each."""
    from datetime import timedelta

    left, day = Decimal(total), start
    while left > 0:
        chunk = min(left, Decimal("24"))
        record(activity(care, day, f"活动{day}"), person, hours=str(chunk))
        left -= chunk
        day += timedelta(days=1)


@pytest.mark.parametrize("hours,level", [("99.5", 0), ("100", 1), ("1499", 4), ("1500", 5)])
def test_star_levels_at_the_thresholds(hours, level):
    care = project(association("150102"))
    person = volunteer("150102")
    _hours(person, care, hours)
    star_levels_recompute()
    assert star_level_for(Decimal(hours)) == level
    assert sorted(VolunteerStar.objects.filter(volunteer=person).values_list("level", flat=True)) == list(
        range(1, level + 1))


def test_changed_thresholds_change_the_levels():
    care = project(association("150102"))
    person = volunteer("150102")
    _hours(person, care, "99.5")
    with override_settings(STAR_THRESHOLDS=[50, 99.5, 200, 400, 800]):
        assert star_level_for(Decimal("99.5")) == 2
        star_levels_recompute()
    assert list(VolunteerStar.objects.filter(volunteer=person).order_by("level").values_list(
        "level", "threshold_hours")) == [(1, Decimal("50.0")), (2, Decimal("99.5"))]


def test_recompute_dates_the_crossing_counts_only_confirmed_hours_and_is_idempotent():
    care = project(association("150102"))
    person = volunteer("150102")
    _hours(person, care, "96", start=date(2023, 1, 1))  # 4 days of 24 h
    record(activity(care, date(2023, 2, 1), "二月"), person, hours="4")  # crosses 100 on 1 February
    record(activity(care, date(2023, 3, 1), "三月"), person, hours="20", status=ServiceRecord.Status.RECORDED)
    assert star_levels_recompute() == {"added": 1, "removed": 0}
    star = VolunteerStar.objects.get(volunteer=person)
    assert (star.level, star.reached_on, star.status) == (1, date(2023, 2, 1), VolunteerStar.Status.PENDING)
    assert star.history.count() == 1
    assert star_levels_recompute() == {"added": 0, "removed": 0}

    # a correction takes the total back under 100: the pending star goes
    ServiceRecord.objects.filter(served_on=date(2023, 2, 1)).update(hours=Decimal("3.5"))
    assert star_levels_recompute() == {"added": 0, "removed": 1}


def test_stars_need_the_approving_level_and_the_full_notice(make_staff):
    care = project(association("150102"))
    person = volunteer("150102")
    _hours(person, care, "600")
    star_levels_recompute()
    stars = list(VolunteerStar.objects.filter(volunteer=person).order_by("level"))
    county = make_staff(Role.COUNTY_STAFF, "150102")
    assert star_notice_start(stars[:2], user=county) == 2
    with pytest.raises(PermissionDenied) as error:
        star_notice_start(stars[2:], user=county)
    assert str(error.value) == "3 星级志愿者由盟市团委认定。"
    assert star_notice_start(stars[2:], user=make_staff(Role.LEAGUE_STAFF, "1501")) == 1
    with pytest.raises(ValidationError) as error:
        star_confirm(stars[:1], user=county)
    assert "公示期满后才能认定" in error.value.messages[0]
    VolunteerStar.objects.filter(pk=stars[0].pk).update(notice_from=date(2020, 1, 1))
    stars[0].refresh_from_db()
    assert star_confirm(stars[:1], user=county) == 1
    assert VolunteerStar.objects.get(pk=stars[0].pk).status == VolunteerStar.Status.CONFIRMED


# --- certificates -------------------------------------------------------------------------------------------
def test_a_certificate_covers_only_the_associations_own_confirmed_activities(make_staff):
    own, other = association("150102"), association("150103")
    person = volunteer("150102", name="乌云其其格")
    record(activity(project(own), date(2024, 3, 5), "学雷锋日社区服务"), person, hours="2.5")
    record(activity(project(own, "阳光助残", brand="sunshine"), date(2024, 5, 4)), person, hours="3")
    record(activity(project(own, "金晖助老", brand="golden_glow"), date(2024, 6, 1)), person, hours="9",
           status=ServiceRecord.Status.RECORDED)  # not yet confirmed
    record(activity(project(other), date(2024, 4, 1)), person, hours="8")  # another association's activity
    user = make_staff(Role.LEAGUE_STAFF, "1501")

    certificate = certificate_issue(volunteer=person, association=own, period_start=date(2024, 1, 1),
                                    period_end=date(2024, 12, 31), user=user, **ISSUER)
    assert certificate.total_hours == Decimal("5.5")
    assert [a["activity"] for a in certificate.activities] == ["学雷锋日社区服务", "阳光助残活动"]
    assert certificate.serial_number == f"{own.serial_number}-{certificate.issued_on.year}-00001"

    with pytest.raises(ValidationError) as error:
        certificate_issue(volunteer=person, association=own, period_start=date(2023, 1, 1),
                          period_end=date(2023, 12, 31), user=user, **ISSUER)
    assert "不能出具证明（协会只能证明本协会组织的活动）" in error.value.messages[0]


def test_certificate_print_page_and_pdf(client, make_staff):
    own = association("150102")
    person = volunteer("150102", name="乌云其其格")
    record(activity(project(own), date(2024, 3, 5), "学雷锋日社区服务"), person, hours="2.5")
    user = make_staff(Role.COUNTY_STAFF, "150102")
    certificate = certificate_issue(volunteer=person, association=own, period_start=date(2024, 1, 1),
                                    period_end=date(2024, 12, 31), user=user, **ISSUER)
    client.force_login(user)
    page = client.get(reverse("admin:projects_certificate_print", args=[certificate.pk])).content.decode()
    assert "兹证明 <strong>乌云其其格</strong>" in page and person.id_number_masked in page
    assert "累计志愿服务时长 <strong>2.5</strong> 小时" in page and certificate.serial_number in page
    pdf = client.get(reverse("admin:projects_certificate_pdf", args=[certificate.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    client.force_login(make_staff(Role.COUNTY_STAFF, "150103"))
    assert client.get(reverse("admin:projects_certificate_print", args=[certificate.pk])).status_code == 404
    assert client.get(reverse("admin:projects_certificate_pdf", args=[certificate.pk])).status_code == 404


def test_issuing_through_the_admin_refuses_another_associations_hours(client, make_staff):
    own, other = association("150102"), association("150103")
    person = volunteer("150102", name="乌云其其格")
    record(activity(project(other), date(2024, 4, 1)), person, hours="8")
    client.force_login(make_staff(Role.LEAGUE_STAFF, "1501"))
    response = client.post(reverse("admin:projects_certificate_add"), {
        "volunteer": person.pk, "association": own.pk, "period_start": "2024-01-01", "period_end": "2024-12-31"})
    assert "不能出具证明（协会只能证明本协会组织的活动）" in response.content.decode()
    assert not Certificate.objects.exists()


def test_a_certificate_names_its_principal_handler_and_contact(client, make_staff):
    """民发〔2015〕149号: 出具单位、负责人、经办人、联系方式 on every certificate."""
    from associations.models import Officer

    own = association("150102")
    person = volunteer("150102", name="巴特尔·额尔敦")
    record(activity(project(own), date(2024, 3, 5), "学雷锋日社区服务"), person, hours="2.5")
    clerk = make_staff(Role.COUNTY_STAFF, "150102")
    clerk.last_name, clerk.first_name = "乌云", "其其格"
    clerk.save()
    with pytest.raises(ValidationError) as error:
        certificate_issue(volunteer=person, association=own, period_start=date(2024, 1, 1),
                          period_end=date(2024, 12, 31), user=clerk, contact="0471-6661234")
    assert error.value.message_dict == {"principal": ["新城区青年志愿者协会没有在任的会长或法定代表人，请填写负责人。"]}
    Officer.objects.create(association=own, role="legal_representative", name="张丽", term_start=date(2020, 6, 1))
    Officer.objects.create(association=own, role="president", name="王志强", term_start=date(2020, 6, 1),
                           term_end=date(2022, 6, 1))  # no longer in office
    with pytest.raises(ValidationError) as error:
        certificate_issue(volunteer=person, association=own, period_start=date(2024, 1, 1),
                          period_end=date(2024, 12, 31), user=clerk)
    assert "请填写出具单位的联系方式" in error.value.message_dict["contact"][0]
    assert not Certificate.objects.exists()

    client.force_login(clerk)
    url = reverse("admin:projects_certificate_add")
    form = {"volunteer": person.pk, "association": own.pk, "period_start": "2024-01-01", "period_end": "2024-12-31",
            "principal": "", "handler": "", "contact": ""}
    response = client.post(url, form)
    assert "请填写出具单位的联系方式（如办公电话），证明上须载明，供查验使用。" in response.content.decode()
    response = client.post(url, {**form, "contact": "0471-6661234"})
    assert response.status_code == 302
    issued = Certificate.objects.get()
    assert (issued.principal, issued.handler, issued.contact) == ("张丽", "乌云其其格", "0471-6661234")
    page = client.get(reverse("admin:projects_certificate_print", args=[issued.pk])).content.decode()
    assert "负责人：张丽　经办人：乌云其其格　联系方式：0471-6661234" in page
    from projects.certificates import certificate_lines

    assert certificate_lines(issued)["answerable"] == "负责人：张丽　经办人：乌云其其格　联系方式：0471-6661234"
    # the next certificate starts with the same contact
    page = client.get(url).content.decode()
    assert 'name="contact" value="0471-6661234"' in page


@pytest.mark.django_db(transaction=True)
def test_certificate_numbers_never_repeat_under_concurrent_issuing(make_staff):
    if connection.vendor != "postgresql":
        pytest.skip("并发出具需要 PostgreSQL 的行锁")
    own = association("150102")
    people = [volunteer("150102") for _ in range(8)]
    care = project(own)
    for n, person in enumerate(people):
        record(activity(care, date(2024, 3, 5), f"活动{n}"), person)
    user = make_staff(Role.COUNTY_STAFF, "150102")
    barrier, errors = threading.Barrier(len(people)), []

    def issue(person):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            certificate_issue(volunteer=person, association=own, period_start=date(2024, 1, 1),
                              period_end=date(2024, 12, 31), user=user, **ISSUER)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=issue, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = list(Certificate.objects.values_list("serial_number", flat=True))
    assert len(numbers) == len(set(numbers)) == len(people)
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, len(people) + 1))


# --- checks from the database -------------------------------------------------------------------------------
def test_g11_reads_insurance_at_each_service_day_of_a_risky_activity():
    obj = association("150102")
    care = project(obj)
    insured = volunteer("150102", insured_from=date(2024, 1, 1), insured_until=date(2024, 12, 31))
    lapsed = volunteer("150102", insured_from=date(2023, 1, 1), insured_until=date(2024, 3, 31))
    unrecorded = volunteer("150102")
    march, may = activity(care, date(2024, 3, 5)), activity(care, date(2024, 5, 4))
    Activity.objects.filter(pk__in=[march.pk, may.pk]).update(may_endanger=True)  # a flood-relief drill, say
    record(march, insured), record(march, lapsed), record(march, unrecorded)

    def g11(as_of):
        findings = association_findings(Association.objects.filter(pk=obj.pk), as_of=as_of)[obj.pk]
        return next(f for f in findings if f.clause == "G11")

    assert g11(date(2024, 4, 30)).status == Status.UNKNOWN  # one without insurance recorded
    unrecorded.insured_from = date(2024, 1, 1)
    unrecorded.save()
    assert g11(date(2024, 4, 30)).status == Status.PASS
    record(may, lapsed)
    finding = g11(date(2024, 6, 30))
    assert finding.status == Status.FAIL
    assert finding.reason == "2023年7月1日至2024年6月30日参加可能发生人身危险活动的 3 名志愿者中，1 名服务时不在保险期内。"
    assert g11(date(2024, 4, 30)).status == Status.PASS  # as of April the lapse had not happened
    assert g11(date(2025, 1, 2)).status == Status.FAIL  # twelve months: 2 January still sees last May
    assert g11(date(2025, 6, 30)).status == Status.UNKNOWN  # nobody served in the twelve months

    # the same lapse at an activity that does not endanger anyone owes no insurance; an unmarked one is unknown
    Activity.objects.filter(pk=may.pk).update(may_endanger=False)
    assert g11(date(2024, 6, 30)).status == Status.PASS
    Activity.objects.filter(pk=may.pk).update(may_endanger=None)
    assert g11(date(2024, 6, 30)).status == Status.UNKNOWN


def test_recompute_stars_command_and_task(eager_celery):
    import io

    from django.core.management import call_command

    from members.tasks import star_levels_recompute_task

    care = project(association("150102"))
    _hours(volunteer("150102"), care, "120")
    out = io.StringIO()
    call_command("recompute_stars", stdout=out)
    assert out.getvalue().startswith("新增待认定星级 1 个，撤回 0 个")
    assert star_levels_recompute_task.delay().get() == {"added": 0, "removed": 0}


def test_admin_recomputes_stars_and_links_a_volunteer_to_a_certificate(client, make_staff, eager_celery):
    care = project(association("150102"))
    person = volunteer("150102")
    _hours(person, care, "120")
    client.force_login(make_staff(Role.COUNTY_STAFF, "150102"))
    response = client.post(reverse("admin:members_volunteerstar_recompute"), follow=True)
    assert "已提交重新计算星级" in response.content.decode()
    assert VolunteerStar.objects.get(volunteer=person).level == 1
    page = client.get(reverse("admin:members_volunteer_change", args=[person.pk])).content.decode()
    assert "已确认 120 小时" in page
    assert f'{reverse("admin:projects_certificate_add")}?volunteer={person.pk}' in page
