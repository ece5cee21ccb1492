"""A league official in the real browser: the map renders with the league's counties coloured, a click on a county
reaches its findings, and another league's county is out of reach. A screenshot is kept."""
import os
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.roles import Role
from associations.tests.factories import association
from reports.services import snapshots_compute

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
COLOURS = {"none": "#c9ccd1", "failing": "#e0685a", "compliant": "#3f9b5f", "unknown": "#f0b94a"}


def test_league_official_map_click_and_scope(browser_login, make_staff):
    association("150102", founded_on=date(2020, 6, 1), supervisor_kind="civil_affairs",  # G1 fails: the red county
                supervisor_name="呼和浩特市新城区民政局", supervisor_cyl_since=None)
    association("150103", founded_on=None)  # no founding date: unknown, not failing
    association("150402", founded_on=date(2020, 6, 1))  # another league
    snapshots_compute()
    official = make_staff(Role.OFFICIAL, "1501")

    page = browser_login(official.username)
    base = page.url.split("/admin")[0]
    page.goto(base + reverse("reports:home"))
    page.wait_for_selector("#county-map[data-rendered=true]")
    assert page.url.startswith(base + reverse("reports:division", args=["1501"]))
    assert page.inner_text(".crumbs") == "呼和浩特市"
    fills = page.eval_on_selector_all("#county-map path", "paths => paths.map(p => p.getAttribute('fill'))")
    coloured = [f for f in fills if f in COLOURS.values()]
    assert len(coloured) == 9  # Hohhot's nine counties, each coloured by its status
    assert coloured.count(COLOURS["failing"]) == 1 and coloured.count(COLOURS["unknown"]) == 1
    assert coloured.count(COLOURS["none"]) == 7
    assert "T1" in page.inner_text(".cards")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-league.png"), full_page=True)

    page.click(f"#county-map path[fill='{COLOURS['failing']}']")
    page.wait_for_url(f"**{reverse('reports:county', args=['150102'])}*", timeout=90_000)  # a live 体检 on a loaded machine
    assert page.inner_text("h2").startswith("新城区青年志愿者协会")
    findings = page.inner_text("table.findings")
    assert "G1" in findings and "业务主管单位为民政部门，不是旗县团委" in findings

    response = page.goto(base + reverse("reports:county", args=["150402"]))
    assert response.status == 404
    response = page.goto(base + reverse("reports:division", args=["1504"]))
    assert response.status == 404


def test_region_dashboard_shows_cards_map_and_league_bars(browser_login, make_staff):
    association("150102", founded_on=date(2020, 6, 1))
    association("150402", founded_on=date(2021, 6, 1))
    snapshots_compute()
    page = browser_login(make_staff(Role.OFFICIAL, "15").username)
    page.goto(page.url.split("/admin")[0] + reverse("reports:division", args=["15"]) + "?as_of=2021-12-31")
    page.wait_for_selector("#county-map[data-rendered=true]")
    assert page.get_attribute("#county-map", "data-counties") == "103"
    assert page.get_attribute("#bars", "data-bars") == "12"  # one bar per league
    assert [page.inner_text(f"[data-target={code}] h2")[:2] for code in ("T1", "T2", "T3", "T4")] == [
        "T1", "T2", "T3", "T4"]
    assert page.inner_text("[data-target=T1] [data-role=value-deadline]") == "1.0%"  # 1 of 103 on 2020-12-31
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-region.png"), full_page=True)
