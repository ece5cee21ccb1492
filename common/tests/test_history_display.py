"""History pages in a clerk's words: labels for stored keys, 是/否, （空） and dates, a dash for no reason, and
the officers saved with the association listed under its version."""
import html
import re
from datetime import date

import pytest
from django.urls import reverse

from accounts.roles import Role
from associations.models import Association, Officer
from associations.tests.factories import association

pytestmark = pytest.mark.django_db


def cells(page):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " "))


def test_an_association_history_reads_in_labels_with_its_officers(client, make_staff):
    clerk = make_staff(Role.COUNTY_STAFF, "150102")
    own = association("150102", has_office=None)
    own.secretariat_host = Association.SecretariatHost.CYL_COMMITTEE
    own.has_office = True
    own._history_user = clerk
    own.save()
    officer = Officer(association=own, role=Officer.Role.PRESIDENT, name="巴特尔·额尔敦", term_start=date(2021, 3, 5))
    officer._history_user = clerk
    officer.save()
    officer.term_end = date(2024, 3, 4)
    officer._history_user = clerk
    own._history_user = clerk
    own.save()
    officer.save()

    client.force_login(clerk)
    page = cells(client.get(reverse("admin:associations_association_history", args=[own.pk])).content.decode())
    host = Association.SecretariatHost.CYL_COMMITTEE.label
    assert f"秘书处设立情况: （空） → {host}" in page
    assert "有固定办公场所: （空） → 是" in page
    assert "增加协会负责人：会长 巴特尔·额尔敦" in page
    assert "修改协会负责人：会长 巴特尔·额尔敦（任职截止日期：（空） → 2024年3月4日）" in page
    assert "cyl_committee" not in page and "None" not in page and "True" not in page
    assert "变更内容" in page and "Changes" not in page
