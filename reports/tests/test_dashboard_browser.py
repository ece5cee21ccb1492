"""A league official in the real browser: the map renders with the league's counties graded by the share of hard
clauses met, the legend counts them, a click on a county reaches its findings, and another league's county is out
of reach. Screenshots are kept."""
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


def _legend(page) -> dict[str, tuple[int, str]]:
    """{grade: (count shown, swatch colour)} as the page draws its legend."""
    return {grade: (int(count), colour) for grade, count, colour in page.eval_on_selector_all(
        "[data-role=legend] li", "items => items.map(li => [li.dataset.grade, li.dataset.count, "
                                 "getComputedStyle(li, '::before').backgroundColor])")}


def _fills(page) -> list[str]:
    return page.eval_on_selector_all("#county-map path", "paths => paths.map(p => p.getAttribute('fill'))")


def _assert_map_matches_legend(page, counties: int) -> dict[str, tuple[int, str]]:
    """Every grade's colour is on exactly as many counties as its legend entry says; the hatched are counted too."""
    legend = _legend(page)
    hatched = legend.pop("hatched")[0]
    fills = _fills(page)
    normalised = [f.replace(" ", "") for f in fills]
    assert sum(count for count, _ in legend.values()) == counties
    for grade, (count, colour) in legend.items():
        assert normalised.count(colour.replace(" ", "")) == count, (grade, count, colour, fills)
    assert sum(f.startswith("url(") for f in fills) == hatched  # one patterned overlay per hatched county
    return legend


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
    legend = _assert_map_matches_legend(page, 9)
    assert legend["none"][0] == 7  # seven of Hohhot's nine counties have no association
    rows = {code: (grade, text) for code, grade, text in page.eval_on_selector_all(
        "[data-role=county-table] tbody tr", "rows => rows.map(r => [r.dataset.code, r.dataset.grade, r.textContent])")}
    assert len(rows) == 9 and rows["150121"][0] == "none"
    grade, text = rows["150102"]
    assert grade not in ("none", "full") and "G1 业务主管单位" in text
    assert rows["150103"][0] != grade
    behind = page.inner_text("[data-role=behind] [data-league='1501']")
    assert "9 个旗县中 8 个落后" in behind and "G1 业务主管单位（1 个）" in behind
    assert "T1" in page.inner_text(".cards")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-league.png"), full_page=True)

    assert page.locator(f"#county-map path[fill='{legend[grade][1]}']").count() == 1
    page.click("#county-map text:text-is('新城区')")  # a league's counties carry their names; the name is a target too
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
    legend = _assert_map_matches_legend(page, 103)
    assert legend["none"][0] == 101
    assert len({colour for _, colour in legend.values()}) == len(legend)  # each grade its own colour
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-region.png"), full_page=True)
