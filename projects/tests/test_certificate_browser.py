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


@pytest.mark.parametrize("name,shot", [("巴特尔·额尔敦", "certificate-bater-erdeni.png"),
                                       ("ᠪᠠᠭᠠᠲᠤᠷ ᠡᠷᠳᠡᠨᠢ", "certificate-mongolian-script.png")])
def test_a_mongolian_name_renders_with_the_served_font_and_prints(browser_login, make_staff, name, shot):
    """The machine has no Mongolian font: the name is drawn with the one the platform serves, fetched only for
    a page that has Mongolian script; the print button prints."""
    own = association("150102")
    person = volunteer("150102", name=name)
    record(activity(project(own), date(2024, 3, 5), "学雷锋日社区服务"), person, hours="2.5")
    user = make_staff(Role.COUNTY_STAFF, "150102")
    certificate = certificate_issue(volunteer=person, association=own, period_start=date(2024, 1, 1),
                                    period_end=date(2024, 12, 31), user=user, **ISSUER)
    page = browser_login(user.username)
    page.goto(page.url.split("/admin")[0] + reverse("admin:projects_certificate_print", args=[certificate.pk]))
    page.evaluate("() => document.fonts.ready")
    assert page.inner_text(".body strong >> nth=0") == name

    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": ".body strong"})["nodeId"]
    fonts = {font["familyName"]: font for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}
    mongolian = [font for family, font in fonts.items() if "Mongolian" in family]
    if name.startswith("巴特尔"):
        assert not mongolian, fonts  # not needed, not fetched
        assert sum(font["glyphCount"] for font in fonts.values()) == len(name)
    else:
        assert len(mongolian) == 1 and mongolian[0]["isCustomFont"], fonts
        # every letter drawn by it (joined forms can merge letters into fewer glyphs); another face draws at
        # most the space between the two words
        assert mongolian[0]["glyphCount"] > 0, fonts
        assert sum(font["glyphCount"] for family, font in fonts.items() if "Mongolian" not in family) <= 1, fonts

    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("() => window.printed") == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
    assert (SCREENSHOTS / shot).stat().st_size > 20_000
