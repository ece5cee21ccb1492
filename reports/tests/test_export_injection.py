"""The dashboard workbook writes what people typed (a target's code, title and clause) as text: a formula typed
into a target arrives in every league's export as a harmless string, never as a live formula."""
import io
import zipfile
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from accounts.roles import Role
from divisions.models import Division
from reports.models import Target

pytestmark = pytest.mark.django_db

PAYLOAD = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("viewer", [(Role.OFFICIAL, "15"), (Role.LEAGUE_STAFF, "1501")])
def test_a_formula_typed_into_a_target_is_exported_as_text(client, make_staff, viewer):
    Target.objects.create(code="=1+1", title=PAYLOAD, clause="@SUM(A1)", metric="county_coverage", threshold=50,
                          deadline=date(2025, 12, 31), division=Division.objects.get(code="15"))
    client.force_login(make_staff(*viewer))
    response = client.get(reverse("reports:export", args=[viewer[1]]), {"as_of": "2025-12-31"})
    assert response.status_code == 200

    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    row = next(r for r in book["目标"].iter_rows() if r[0].value == "'=1+1")
    assert [c.value for c in row[:3]] == ["'=1+1", "'" + PAYLOAD, "'@SUM(A1)"]
    assert all(c.data_type != "f" for r in book["目标"].iter_rows() for c in r)
