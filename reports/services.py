"""Snapshots: every metric for every division, for today and each target's deadline, written in one transaction."""
import uuid
from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from divisions.models import Division

from .metrics import METRICS, measure_all
from .models import MetricSnapshot, SnapshotRun, Target, pillars_described

SNAPSHOT_FIELDS = ["numerator", "denominator", "unknown", "value", "details", "computed_at"]


TREND_START_YEAR = 2020  # the notice's year: the coverage trend starts at its end


def snapshot_dates(today: date | None = None) -> list[date]:
    """Today, the deadline of every active target and every year's end since the notice (the trend)."""
    today = today or timezone.localdate()
    deadlines = set(Target.objects.filter(active=True).values_list("deadline", flat=True))
    year_ends = {date(year, 12, 31) for year in range(TREND_START_YEAR, today.year)}
    return sorted({d for d in deadlines | year_ends if d <= today} | {today})


def snapshots_rows(as_of: date, divisions: dict[str, int], now=None) -> list[MetricSnapshot]:
    now = now or timezone.now()
    rows = []
    for code, values in measure_all(as_of).items():
        division_id = divisions.get(code)
        if division_id is None:
            continue
        for key, measure in values.items():
            rows.append(MetricSnapshot(
                metric=key, division_id=division_id, as_of=as_of, numerator=measure.numerator,
                denominator=measure.denominator, unknown=measure.unknown, value=measure.value(METRICS[key]),
                details=measure.details, computed_at=now,
            ))
    return rows


def snapshots_compute(dates: list[date] | None = None, progress=None) -> int:
    """Compute and upsert snapshots keyed (metric, division, as_of). Idempotent; two runs at once take turns
    (an advisory lock on PostgreSQL; SQLite serialises writers by itself). The dates are measured one after the
    other outside the writing transaction, so ``progress(done, total)`` is seen by others as it happens; the rows
    and the run are then written in one transaction."""
    with _runs_take_turns():
        dates = dates or snapshot_dates()
        divisions = dict(Division.objects.filter(level__in=("region", "league", "county"), is_statutory=True)
                         .values_list("code", "pk"))
        now = timezone.now()
        rows = []
        for done, day in enumerate(dates, 1):
            rows += snapshots_rows(day, divisions, now)
            if progress is not None:
                progress(done, len(dates))
        with transaction.atomic():
            MetricSnapshot.objects.bulk_create(rows, batch_size=2000, update_conflicts=True,
                                               unique_fields=["metric", "division", "as_of"],
                                               update_fields=SNAPSHOT_FIELDS)
            SnapshotRun.objects.create(version=uuid.uuid4().hex, finished_at=timezone.now(),
                                       dates=[d.isoformat() for d in dates], rows=len(rows),
                                       pillars=pillars_described())
    return len(rows)


@contextmanager
def _runs_take_turns():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext('reports.snapshots_compute'))")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext('reports.snapshots_compute'))")


def latest_run() -> SnapshotRun | None:
    """The last completed run, read from the database on every request (one indexed row): no process keeps its
    own idea of how fresh the figures are."""
    return SnapshotRun.objects.order_by("-pk").only("version", "finished_at", "pillars").first()


def snapshot_version(run: SnapshotRun | None = None) -> str:
    """Changes after every snapshot run: the dashboard's cached readings are keyed by it."""
    run = run or latest_run()
    return run.version if run else "none"


# The notice's targets (requirements T1–T4); later plans are added in the admin, not here.
DEFAULT_TARGETS = (
    ("T1", "70% 的旗县（市、区）建立青年志愿者协会", "N1.3", "county_coverage", "70.0", date(2020, 12, 31)),
    ("T2", "旗县级青年志愿者协会基本实现全覆盖", "N1.3", "county_coverage", "100.0", date(2021, 12, 31)),
    ("T4", "旗县协会业务主管单位全部调整为旗县团委", "G1", "supervision", "100.0", date(2021, 10, 31)),
    ("T3", "基本建成组织完备、管理规范、服务完善、充满活力的基层青年志愿服务体系", "N1.3", "complete_system", "100.0",
     date(2023, 12, 31)),
)


def pillars_ensure(*, using: str = "default") -> int:
    """Create T3's four pillars once with the platform's default reading (never overwriting what staff changed)."""
    from .models import DEFAULT_PILLARS, Pillar

    region = Division.objects.using(using).filter(level="region").first()
    if region is None:
        return 0
    made = 0
    for position, (key, name, parts) in enumerate(DEFAULT_PILLARS):
        _, created = Pillar.objects.using(using).get_or_create(key=key, defaults={
            "name": name, "parts": parts, "position": position, "division": region})
        made += created
    return made


def targets_ensure(*, using: str = "default") -> int:
    """Create the default targets once (never overwriting what staff changed since)."""
    region = Division.objects.using(using).filter(level="region").first()
    if region is None:
        return 0
    made = 0
    for code, title, clause, metric, threshold, deadline in DEFAULT_TARGETS:
        _, created = Target.objects.using(using).get_or_create(code=code, defaults={
            "title": title, "clause": clause, "metric": metric, "threshold": threshold, "deadline": deadline,
            "division": region})
        made += created
    return made
