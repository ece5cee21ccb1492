"""A county clerk on a phone (390 × 844): the officers of an association and the roster of a training are edited as
stacked, labelled rows, every field inside the screen; a row added on the phone is labelled too and saves.
Screenshots are kept."""
import os
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.roles import Role
from associations.models import Officer
from associations.tests.factories import association
from members.tests.factories import volunteer
from training.models import Attendance, TrainingSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
PHONE = {"width": 390, "height": 844}


def _cells(page, row: str) -> dict[str, dict]:
    """{column label: its box} for the cells of one inline row."""
    return {cell["label"]: cell for cell in page.eval_on_selector_all(
        f"{row} > td[data-label]", "cells => cells.map(c => { const b = c.getBoundingClientRect(); "
                                   "return {label: c.dataset.label, left: b.left, right: b.right, top: b.top, "
                                   "bottom: b.bottom}; })")}


def _inside_the_screen(cells: dict[str, dict], labels) -> None:
    for label in labels:
        box = cells[label]
        assert 0 <= box["left"] and box["right"] <= PHONE["width"], (label, box)


def test_officers_and_roster_are_stacked_rows_on_a_phone(browser_login, make_staff):
    own = association("150102", name="新城区青年志愿者协会")
    Officer.objects.create(association=own, role="president", name="巴特尔·额尔敦", post="团区委书记",
                           is_cyl_leader=True, term_start=date(2021, 3, 5), term_end=date(2026, 3, 4))
    session = TrainingSession.objects.create(title="2026年青年志愿者骨干培训", organiser=own, kind="backbone",
                                             started_on=date(2026, 5, 10))
    for name in ("其其格", "阿拉坦仓·巴雅尔"):
        Attendance.objects.create(session=session, volunteer=volunteer("150102", name=name, registered_by=own))
    page = browser_login(make_staff(Role.COUNTY_STAFF, "150102").username)
    page.set_viewport_size(PHONE)
    base = page.url.split("/admin")[0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(base + reverse("admin:associations_association_change", args=[own.pk]))
    group = page.locator("#officers-group")
    group.scroll_into_view_if_needed()
    first = "#officers-0"
    cells = _cells(page, first)
    wanted = ("职务", "姓名", "任职起始日期", "任职截止日期")
    assert set(wanted) <= set(cells)
    _inside_the_screen(cells, cells)
    assert cells["职务"]["top"] == cells["姓名"]["top"]  # two to a line: role beside name
    assert cells["任职截止日期"]["bottom"] - cells["职务"]["top"] < PHONE["height"]  # the whole officer in one view
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator(first).screenshot(path=str(SCREENSHOTS / "officers-390.png"))
    assert page.input_value(f"{first} .field-name input") == "巴特尔·额尔敦"

    page.click("#officers-group .add-row a")  # a row added on the phone is labelled like the others
    added = "#officers-1"
    _inside_the_screen(_cells(page, added), wanted)
    page.select_option(f"{added} .field-role select", label="秘书长")
    page.fill(f"{added} .field-name input", "斯琴高娃")
    page.fill(f"{added} .field-term_start input", "2026-01-01")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert list(own.officers.order_by("term_start").values_list("role", "name")) == [
        ("president", "巴特尔·额尔敦"), ("secretary_general", "斯琴高娃")]
    group.screenshot(path=str(SCREENSHOTS / "officers-390-saved.png"))

    page.goto(base + reverse("admin:training_trainingsession_change", args=[session.pk]))
    roster = "#attendance-group"
    page.locator(roster).scroll_into_view_if_needed()
    for index in (0, 1):
        cells = _cells(page, f"#attendance-{index}")
        assert {"参训人员", "出勤"} <= set(cells)
        _inside_the_screen(cells, cells)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator(roster).screenshot(path=str(SCREENSHOTS / "roster-390.png"))
