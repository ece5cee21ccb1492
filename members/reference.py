"""GB 3304 ethnic groups and GB/T 4762 political status, shipped with the code (see data/SOURCE.md)."""
import csv
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"


def _choices(filename: str) -> list[tuple[str, str]]:
    with (_DATA / filename).open(encoding="utf-8", newline="") as fh:
        return [(row["code"], row["name"]) for row in csv.DictReader(fh)]


ETHNIC_GROUPS = _choices("ethnic_groups_gb3304.csv")
POLITICAL_STATUS = _choices("political_status_gb4762.csv")
CYL_MEMBER = "03"  # 中国共产主义青年团团员: League members should become registered volunteers

SERVICE_DOMAINS = [
    ("poverty", "扶贫"),
    ("hardship", "济困"),
    ("elderly", "扶老"),
    ("orphans", "救孤"),
    ("sick", "恤病"),
    ("disabled", "助残"),
    ("disaster", "救灾"),
    ("medical", "助医"),
    ("education", "助学"),
]
