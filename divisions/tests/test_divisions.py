import csv
from collections import Counter

import pytest

from divisions.models import Division
from divisions.services import DATA_FILE, divisions_load

pytestmark = pytest.mark.django_db


def test_exactly_twelve_leagues_nine_cities_and_three_leagues():
    leagues = Division.objects.leagues()
    assert leagues.count() == 12
    assert Counter(leagues.values_list("kind", flat=True)) == {"地级市": 9, "盟": 3}


def test_exactly_103_county_level_divisions_by_kind():
    counties = Division.objects.counties()
    assert counties.count() == 103
    assert Counter(counties.values_list("kind", flat=True)) == {
        "市辖区": 23,
        "县级市": 11,
        "县": 17,
        "旗": 49,
        "自治旗": 3,
    }


def test_development_zones_are_listed_but_never_count_as_counties():
    zones = Division.objects.filter(code__in=["150172", "150271", "150571", "152571", "152971"])
    assert zones.count() == 5
    assert not zones.filter(is_statutory=True).exists()
    assert not Division.objects.counties().filter(code__in=zones.values("code")).exists()


def test_every_county_code_starts_with_its_league_code():
    for county in Division.objects.counties().select_related("parent"):
        assert county.parent.level == Division.Level.LEAGUE
        assert county.code.startswith(county.parent.code), county


def test_townships_hang_under_counties_and_parks_do_not_count():
    townships = Division.objects.townships()
    assert townships.count() == 1057
    assert not townships.exclude(parent__level=Division.Level.COUNTY).exists()
    park = Division.objects.get(name="呼和浩特综合保税区")
    assert park.kind == Division.Kind.OTHER and not park.is_statutory


def test_thirty_one_former_poverty_counties():
    assert Division.objects.counties().filter(former_poverty_county=True).count() == 31


def test_gb_code_is_the_published_code():
    assert Division.objects.get(code="15").gb_code == "150000"
    assert Division.objects.get(code="1501").gb_code == "150100"
    assert Division.objects.get(code="150102").gb_code == "150102"
    assert Division.objects.get(code="150102001").gb_code == "150102001"


def test_load_divisions_twice_changes_nothing():
    before = list(Division.objects.values_list("pk", "code", "name", "parent_id", "kind").order_by("pk"))
    history_before = Division.history.count()

    result = divisions_load()

    assert not result.changed
    assert result.unchanged == len(before)
    assert list(Division.objects.values_list("pk", "code", "name", "parent_id", "kind").order_by("pk")) == before
    assert Division.history.count() == history_before


def test_renamed_division_is_updated_in_place_with_history(tmp_path):
    with DATA_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["code"] == "150102":
            row["name"] = "新城区（更名测试）"
    path = tmp_path / "divisions.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    pk = Division.objects.get(code="150102").pk
    total = Division.objects.count()

    result = divisions_load(path=path)

    assert result.updated == ["150102"] and result.created == []
    assert Division.objects.count() == total
    renamed = Division.objects.get(code="150102")
    assert renamed.pk == pk and renamed.name == "新城区（更名测试）"
    assert renamed.history.first().history_change_reason == "更新区划数据"


def test_full_name_of_city_district_includes_city():
    assert Division.objects.get(code="150102").full_name == "呼和浩特市新城区"
