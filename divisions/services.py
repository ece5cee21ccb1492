import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .models import Division

DATA_FILE = Path(__file__).resolve().parent / "data" / "inner_mongolia_divisions.csv"
LEVEL_ORDER = [Division.Level.REGION, Division.Level.LEAGUE, Division.Level.COUNTY, Division.Level.TOWNSHIP]
SYNCED_FIELDS = ("name", "level", "kind", "parent_id", "is_statutory", "former_poverty_county", "note")


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["prefix"] = Division.prefix_of(row["code"], row["level"])
        if row["parent_code"]:
            parent_level = LEVEL_ORDER[LEVEL_ORDER.index(row["level"]) - 1]
            row["parent_prefix"] = Division.prefix_of(row["parent_code"], parent_level)
        else:
            row["parent_prefix"] = None
    rows.sort(key=lambda r: LEVEL_ORDER.index(r["level"]))
    return rows


@transaction.atomic
def divisions_load(*, path: Path = DATA_FILE) -> LoadResult:
    """Bring the division table in line with the shipped data, keyed by code.

    Idempotent: a second run changes nothing and writes no history. A division whose name or kind changed
    (a county renamed, a township turned into a street) is updated in place, never duplicated, so every record
    that points at it keeps pointing at it.
    """
    result = LoadResult()
    existing = {d.code: d for d in Division.objects.all()}
    rows = _rows(path)
    for level in LEVEL_ORDER:
        new: list[Division] = []
        for row in (r for r in rows if r["level"] == level):
            parent = existing.get(row["parent_prefix"]) if row["parent_prefix"] else None
            values = {
                "name": row["name"],
                "level": row["level"],
                "kind": row["kind"],
                "parent_id": parent.pk if parent else None,
                "is_statutory": row["is_statutory"] == "yes",
                "former_poverty_county": row["former_poverty_county"] == "yes",
                "note": row["note"],
            }
            division = existing.get(row["prefix"])
            if division is None:
                new.append(Division(code=row["prefix"], **values))
            elif any(getattr(division, f) != values[f] for f in SYNCED_FIELDS):
                for name, value in values.items():
                    setattr(division, name, value)
                division._change_reason = "更新区划数据"
                division.save()
                result.updated.append(division.code)
            else:
                result.unchanged += 1
        if new:
            # Parents of the next level need primary keys: one bulk insert per level, history included.
            bulk_create_with_history(new, Division, batch_size=500, default_change_reason="载入区划数据")
            for division in Division.objects.filter(code__in=[d.code for d in new]):
                existing[division.code] = division
            result.created.extend(d.code for d in new)
    return result


def divisions_ensure_loaded(*, using: str = "default") -> None:
    """Load the shipped tree into an empty table (a new database, or a test database just flushed)."""
    if not Division.objects.using(using).exists():
        divisions_load()
