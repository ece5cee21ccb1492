"""A county clerk's day in Chromium: a service record typed into the admin form, corrected with a reason,
confirmed, and a certificate issued and printed for it. Screenshots are kept."""
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.roles import Role
from associations.tests.factories import association
from members.tests.factories import volunteer
from projects.models import Certificate, ServiceRecord, ServiceRecordCorrection

from .factories import activity, project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"))


def choose(page, field, typed, label):
    """Pick ``label`` in the autocomplete of ``field`` after typing ``typed``."""
    page.click(f"#id_{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    page.click(f".select2-results__option:has-text('{label}')")
    assert label in page.inner_text(f"#select2-id_{field}-container")


def test_a_county_clerk_records_corrects_confirms_and_certifies(browser_login, make_staff):
    own = association("150102", name="新城区青年志愿者协会")
    association("150402")  # another league's association: never offered
    person = volunteer("150102", name="巴特尔·额尔敦", registered_by=own)
    held = activity(project(own, "七彩小屋陪伴计划"), date(2024, 3, 5), "学雷锋日社区服务")
    clerk = make_staff(Role.COUNTY_STAFF, "150102")
    page = browser_login(clerk.username)
    base = page.url.split("/admin")[0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # 1. the record, typed in
    page.goto(base + reverse("admin:projects_servicerecord_add"))
    choose(page, "volunteer", "巴特尔", "巴特尔·额尔敦")
    choose(page, "activity", "学雷锋", "学雷锋日社区服务")
    page.fill("#id_served_on", "2024-03-05")
    page.fill("#id_hours", "2.5")
    page.screenshot(path=str(SCREENSHOTS / "service-record-add.png"), full_page=True)
    page.click("input[name=_save]")
    assert "成功" in page.inner_text(".messagelist")
    entry = ServiceRecord.objects.get()
    assert (entry.volunteer, entry.activity, entry.association, entry.hours) == (person, held, own, Decimal("2.5"))

    # 2. corrected: the hours change only with a reason, and the correction is kept
    page.goto(base + reverse("admin:projects_servicerecord_change", args=[entry.pk]))
    page.fill("#id_hours", "3")
    page.click("input[name=_save]")
    assert "更正服务时长或日期须填写更正原因" in page.inner_text(".errorlist")  # refused, nothing changed
    entry.refresh_from_db()
    assert entry.hours == Decimal("2.5")
    page.fill("#id_correction_reason", "签到表核对后实际服务 3 小时")
    page.click("input[name=_save]")
    assert "成功" in page.inner_text(".messagelist")
    entry.refresh_from_db()
    correction = ServiceRecordCorrection.objects.get()
    assert (entry.hours, correction.old_hours, correction.new_hours, correction.reason) == (
        Decimal("3.0"), Decimal("2.5"), Decimal("3.0"), "签到表核对后实际服务 3 小时")

    # 3. confirmed with the list's action
    page.goto(base + reverse("admin:projects_servicerecord_changelist"))
    page.check(f"input[name=_selected_action][value='{entry.pk}']")
    page.select_option("select[name=action]", "confirm_records")
    page.click("button[name=index]")
    assert "已确认 1 条服务记录" in page.inner_text(".messagelist")
    entry.refresh_from_db()
    assert entry.status == ServiceRecord.Status.CONFIRMED and entry.confirmed_by == clerk

    # 4. the certificate, issued and shown for printing
    page.goto(base + reverse("admin:projects_certificate_add"))
    choose(page, "volunteer", "巴特尔", "巴特尔·额尔敦")
    choose(page, "association", "新城区", "新城区青年志愿者协会")
    page.fill("#id_period_start", "2024-01-01")
    page.fill("#id_period_end", "2024-12-31")
    page.fill("#id_principal", "王志强")
    page.fill("#id_contact", "0471-6661234")
    page.click("input[name=_save]")
    certificate = Certificate.objects.get()
    page.wait_for_url(base + reverse("admin:projects_certificate_print", args=[certificate.pk]))
    body = page.inner_text(".body")
    assert body.startswith("兹证明 巴特尔·额尔敦（身份证号码 " + person.id_number_masked)
    assert "累计志愿服务时长 3.0 小时" in body
    assert page.locator("tbody tr").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "certificate-after-correction.png"), full_page=True)
