"""The certificate as a person sees it: Chromium renders the print page, Chinese text intact; a screenshot is kept."""
import os
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.roles import Role
from associations.tests.factories import association
from members.tests.factories import volunteer
from projects.services import certificate_issue

from .factories import activity, project, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ISSUER = {"principal": "王志强", "contact": "0471-6661234"}

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"))


def test_certificate_renders_in_chromium_with_chinese_text(browser_login, make_staff):
    own = association("150102")
    person = volunteer("150102", name="乌云其其格", volunteer_number="15010220240001")
    care = project(own)
    record(activity(care, date(2024, 3, 5), "学雷锋日社区服务"), person, hours="2.5")
    record(activity(care, date(2024, 5, 4), "五四青年节志愿服务"), person, hours="3")
    user = make_staff(Role.COUNTY_STAFF, "150102")
    certificate = certificate_issue(volunteer=person, association=own, period_start=date(2024, 1, 1),
                                    period_end=date(2024, 12, 31), user=user, **ISSUER)

    page = browser_login(user.username)
    page.goto(page.url.split("/admin")[0] + reverse("admin:projects_certificate_print", args=[certificate.pk]))
    assert page.inner_text("h1") == "志愿服务记录证明"
    body = page.inner_text(".body")
    assert body.startswith("兹证明 乌云其其格（身份证号码 " + person.id_number_masked + "，志愿者编号 15010220240001）")
    assert "累计志愿服务时长 5.5 小时" in body
    assert page.locator("tbody tr").count() == 2
    assert page.inner_text(".serial") == f"编号：{certificate.serial_number}"
    # Rendered, not only present: the title's box has the width of eight CJK glyphs at 28px (tofu boxes or a
    # missing font would still occupy space, so the screenshot below is kept for a person to look at).
    width = page.evaluate("() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('h1'));"
                          " return r.getBoundingClientRect().width; }")
    assert width > 8 * 28
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "certificate.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
