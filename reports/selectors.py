"""What the dashboard shows for a division and a date: read from snapshots (two queries), or measured live for a
date that has none yet."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from associations.rules import CLAUSES
from divisions.models import Division

from .metrics import COUNTY_STATUS_LABELS, GRADE_LABELS, GRADES, METRICS, clause_count, clause_names, measure_all
from .models import MetricSnapshot, Target, pillars_described

CHILD_LEVEL = {"region": "league", "league": "county"}
CLAUSE_ORDER = {clause: index for index, clause in enumerate(CLAUSES)}
TABLE_METRICS = ("county_coverage", "supervision", "complete_system", "pillar_organisation", "pillar_management",
                 "pillar_service", "pillar_vitality", "volunteers", "league_member_share", "service_hours")


@dataclass
class Figure:
    value: Decimal | None
    numerator: int = 0
    denominator: int = 0
    unknown: int = 0
    details: dict = field(default_factory=dict)

    @property
    def completeness(self) -> Decimal | None:
        """Share of the denominator whose data was complete enough to judge."""
        if not self.denominator:
            return None
        return (Decimal((self.denominator - self.unknown) * 100) / self.denominator).quantize(Decimal("0.1"))

    def as_dict(self) -> dict:
        return {"value": None if self.value is None else float(self.value), "numerator": self.numerator,
                "denominator": self.denominator, "unknown": self.unknown,
                "completeness": None if self.completeness is None else float(self.completeness)}


def _figures_from_snapshots(division: Division, as_of: date, targets: list[Target]):
    """{as_of: {division code: {metric: Figure}}}: exactly what the page shows, in one query — every metric of
    the division, the table's metrics of its children, each county's status, and each target at its deadline."""
    from django.db.models import Q

    child_level = CHILD_LEVEL.get(division.level)
    wanted = Q(as_of=as_of, division=division)
    if child_level:
        wanted |= Q(as_of=as_of, division__code__startswith=division.code, division__level=child_level,
                    metric__in=TABLE_METRICS)
    wanted |= Q(as_of=as_of, division__code__startswith=division.code, division__level="county",
                metric="county_status")
    for target in targets:
        wanted |= Q(as_of=target.deadline, division=division, metric=target.metric)
    found: dict[date, dict[str, dict[str, Figure]]] = {}
    computed = {}
    for day, code, metric, value, numerator, denominator, unknown, details, at in MetricSnapshot.objects.filter(
        wanted
    ).values_list("as_of", "division__code", "metric", "value", "numerator", "denominator", "unknown", "details",
                  "computed_at"):
        found.setdefault(day, {}).setdefault(code, {})[metric] = Figure(value, numerator, denominator, unknown,
                                                                        details)
        if day == as_of and code == division.code:
            computed[metric] = at
    return found, min(computed.values(), default=None)


def _figures_live(as_of: date, prefix: str, levels: tuple[str, ...], level_of: dict[str, str]):
    figures = {}
    for code, values in measure_all(as_of).items():
        if code.startswith(prefix) and level_of.get(code) in levels:
            figures[code] = {key: Figure(m.value(METRICS[key]), m.numerator, m.denominator, m.unknown, m.details)
                             for key, m in values.items()}
    return figures


@dataclass
class DashboardData:
    division: Division
    as_of: date
    targets: list[dict]
    rows: list[dict]  # the children (leagues or counties) with their figures
    totals: dict[str, Figure]
    counties: list[dict]  # every county under the division: code, name, league, status
    live: bool  # measured now because no snapshot exists for the date
    computed_at: object = None  # when the snapshot run that wrote these figures finished
    version: str = ""  # that run's data version
    pillars: list = field(default_factory=list)  # T3's pillars as these figures read them
    legend: list = field(default_factory=list)  # the map's grades with their number of counties
    hatched: int = 0  # counties with a hard clause still 待补充
    leagues: list = field(default_factory=list)  # per league: its counties behind, the clauses most often failed


def dashboard_data(division: Division, as_of: date, run=None) -> DashboardData:
    """``_dashboard_data``, kept in the cache until the next snapshot run (a live measurement is never kept).

    ``run`` is the latest ``SnapshotRun`` when the caller has already read it (one query per request)."""
    from django.core.cache import cache

    from .services import latest_run

    run = run or latest_run()
    key = f"reports:dashboard:v2:{division.code}:{as_of.isoformat()}:{run.version if run else 'none'}"
    data = cache.get(key)
    if data is None:
        data = _dashboard_data(division, as_of)
        if data.live:
            data.pillars = pillars_described()
        else:
            data.version = run.short_version if run else ""
            data.pillars = run.pillars if run and run.pillars else pillars_described()
            cache.set(key, data, timeout=24 * 3600)
    return data


def _dashboard_data(division: Division, as_of: date) -> DashboardData:
    """Targets at their deadline and as of the date, the children's table and the county map for a division."""
    targets = [t for t in Target.objects.filter(active=True) if t.metric in METRICS]
    dates = sorted({as_of, *(t.deadline for t in targets)})
    levels = ("region", "league", "county")
    found, computed_at = _figures_from_snapshots(division, as_of, targets)
    names, level_of = {}, {}
    for code, name, level in Division.objects.filter(code__startswith=division.code, level__in=levels,
                                                     is_statutory=True).values_list("code", "name", "level"):
        names[code], level_of[code] = name, level
    live = False
    for day in dates:
        if division.code not in found.get(day, {}):
            found[day] = _figures_live(day, division.code, levels, level_of)
            live = live or day == as_of
    current = found[as_of]
    totals = current.get(division.code, {})
    target_cards = []
    for target in targets:
        metric = METRICS[target.metric]
        at_deadline = found.get(target.deadline, {}).get(division.code, {}).get(target.metric)
        now = totals.get(target.metric)
        target_cards.append({
            "code": target.code, "title": target.title, "clause": target.clause, "metric": metric.label,
            "threshold": target.threshold, "deadline": target.deadline,
            "at_deadline": at_deadline, "met_at_deadline": target.met(at_deadline),
            "now": now, "met_now": target.met(now),
            "due": target.deadline <= as_of,
        })
    child_level = CHILD_LEVEL.get(division.level)
    rows = [
        {"code": code, "name": names[code], "figures": current.get(code, {}),
         "cells": [current.get(code, {}).get(key) for key in TABLE_METRICS]}
        for code in sorted(c for c, level in level_of.items() if level == child_level)
    ] if child_level else []
    counties = []
    for code in sorted(c for c, level in level_of.items() if level == "county"):
        status = current.get(code, {}).get("county_status")
        key = (status.details or {}).get("status", "unknown") if status else "unknown"
        details = status.details or {} if status else {}
        clauses, last_year = details.get("clauses", {}), details.get("last_year", {})
        count = clause_count(clauses, last_year)
        grade = count.grade(key)
        share = count.share
        counties.append({"code": code, "name": names[code], "league": code[:4],
                         "league_name": names.get(code[:4], ""), "status": key,
                         "label": COUNTY_STATUS_LABELS[key], "clauses": clauses, "last_year": last_year,
                         "grade": grade, "grade_label": GRADE_LABELS[grade], "met": count.met,
                         "judged": count.judged, "share": None if share is None else float(share),
                         "failing": clause_names(count.failing), "unknown": clause_names(count.unknown),
                         "failing_codes": list(count.failing), "soft_unknown": count.soft_unknown,
                         "hatched": bool(count.unknown) or grade == "unjudged"})
    return DashboardData(division, as_of, target_cards, rows, totals, counties, live,
                         computed_at=None if live else computed_at, legend=_legend(counties),
                         hatched=sum(c["hatched"] for c in counties), leagues=_leagues_behind(counties, names))


def _legend(counties: list[dict]) -> list[dict]:
    """The map's grades in order, each with its number of counties (a grade no county has is still listed, except
    "nothing to judge yet")."""
    counted = {}
    for county in counties:
        counted[county["grade"]] = counted.get(county["grade"], 0) + 1
    keys = [key for key, _, _ in GRADES] + ["none"] + (["unjudged"] if counted.get("unjudged") else [])
    return [{"key": key, "label": GRADE_LABELS[key], "count": counted.get(key, 0)} for key in keys]


def _leagues_behind(counties: list[dict], names: dict[str, str], top: int = 3) -> list[dict]:
    """Per league, the counties behind — an association with a hard clause 不符合, or none at all — most failed
    clauses first, and the clauses most of its counties fail."""
    leagues: dict[str, dict] = {}
    for county in counties:
        league = leagues.setdefault(county["league"], {
            "code": county["league"], "name": names.get(county["league"], ""), "total": 0, "behind": [],
            "unknown": 0, "clauses": {}})
        league["total"] += 1
        league["unknown"] += county["hatched"]
        if county["failing"] or county["grade"] == "none":
            league["behind"].append(county)
        for clause in county["failing"]:
            league["clauses"][clause] = league["clauses"].get(clause, 0) + 1
    result = []
    for league in leagues.values():
        league["behind"].sort(key=lambda c: (c["grade"] != "none", -len(c["failing"]), c["share"] or 0, c["code"]))
        ranked = sorted(league.pop("clauses").items(), key=lambda item: (-item[1], CLAUSE_ORDER.get(
            item[0].split()[0], len(CLAUSE_ORDER))))  # most counties first, then in the notice's order
        league["top_clauses"] = [{"name": name, "counties": n} for name, n in ranked[:top]]
        result.append(league)
    return result


def trend(division: Division, version: str) -> list[dict]:
    """County coverage on every snapshot date of the division: one query, cached until the next snapshot run."""
    from django.core.cache import cache

    key = f"reports:trend:{division.code}:{version}"
    points = cache.get(key)
    if points is None:
        points = _trend(division)
        cache.set(key, points, timeout=24 * 3600)
    return points


def _trend(division: Division) -> list[dict]:
    return [
        {"as_of": as_of.isoformat(), "value": float(value) if value is not None else None, "numerator": numerator,
         "denominator": denominator}
        for as_of, value, numerator, denominator in MetricSnapshot.objects.filter(
            division=division, metric="county_coverage").order_by("as_of").values_list(
            "as_of", "value", "numerator", "denominator")
    ]
