"""The officials' dashboard: region → league → county, as of any date, scoped to the viewer's division."""
import functools
from datetime import date

from django.contrib.auth.decorators import login_required, permission_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from accounts.scoping import code_in_scope, user_scope_code
from common.params import as_of_param
from divisions.models import Division

from .exports import dashboard_workbook
from .metrics import COUNTY_STATUS_LABELS, METRICS
from .selectors import TABLE_METRICS, dashboard_data, trend

VIEW_PERMISSION = "reports.view_metricsnapshot"


def _as_of(request) -> date:
    return as_of_param(request)


def _division(request, code: str, levels=("region", "league")) -> Division:
    """The division if the viewer may see it; a 404 otherwise (another league is indistinguishable from none).

    Divisions are reference data: each one is read once an hour, not on every page."""
    from django.core.cache import cache

    if not (code.isascii() and code.isdigit() and len(code) <= 12) or not code_in_scope(request.user, code):
        raise Http404("该区划不存在，或不在您的管辖范围内。")  # division codes are up to 12 digits
    key = f"reports:division:{code}"
    division = cache.get(key)
    if division is None:
        division = Division.objects.filter(code=code, is_statutory=True).select_related("parent__parent").first()
        cache.set(key, division or False, timeout=3600)
    if not division or division.level not in levels:
        raise Http404("该区划不存在，或不在您的管辖范围内。")
    return division


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def dashboard_home(request):
    scope = user_scope_code(request.user)
    if scope is None:
        raise Http404("您的账号尚未设置管辖区划。")
    division = Division.objects.filter(code=scope or "15").first()
    query = f"?as_of={_as_of(request).isoformat()}" if request.GET.get("as_of") else ""
    if division.level == "county":
        return redirect(reverse("reports:county", args=[division.code]) + query)
    if division.level == "township":
        # The dashboard starts at a whole county; a township account holds only part of one.
        return render(request, "reports/township.html", {"division": division})
    return redirect(reverse("reports:division", args=[division.code]) + query)


def _payload(data, division) -> dict:
    """The data endpoint's body: the same numbers as the page and the workbook."""
    return {
        "division": {"code": division.code, "name": division.name, "level": division.level},
        "as_of": data.as_of.isoformat(),
        "live": data.live,
        "computed_at": data.computed_at.isoformat() if data.computed_at else None,
        "version": data.version,
        "targets": [
            {"code": t["code"], "title": t["title"], "threshold": float(t["threshold"]),
             "deadline": t["deadline"].isoformat(), "due": t["due"],
             "at_deadline": t["at_deadline"].as_dict() if t["at_deadline"] else None,
             "met_at_deadline": t["met_at_deadline"],
             "now": t["now"].as_dict() if t["now"] else None, "met_now": t["met_now"]}
            for t in data.targets
        ],
        "rows": [
            {"code": row["code"], "name": row["name"],
             "figures": {key: row["figures"][key].as_dict() for key in TABLE_METRICS if key in row["figures"]}}
            for row in data.rows
        ],
        "counties": data.counties,
        "status_labels": COUNTY_STATUS_LABELS,
        "metric_labels": {key: METRICS[key].label for key in TABLE_METRICS},
    }


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def division_page(request, code):
    from .services import latest_run, snapshot_version

    division = _division(request, code)
    as_of = _as_of(request)
    run = latest_run()
    data = dashboard_data(division, as_of, run)

    @functools.cache
    def payload():  # a callable: the template builds it only when the page body is not in the cache
        body = _payload(data, division)
        body["trend"] = [p for p in trend(division, snapshot_version(run)) if p["as_of"] <= as_of.isoformat()]  # the picture as it was
        body["links"] = {
            "county": reverse("reports:county", args=["000000"]).replace("000000", "{code}"),
            "league": reverse("reports:division", args=["0000"]).replace("0000", "{code}"),
            "map": static("reports/inner_mongolia_counties.json"),
        }
        return body

    crumbs = []
    if division.level == "league" and code_in_scope(request.user, division.parent.code):
        crumbs.append(division.parent)
    context = {"data": data, "division": division, "payload": payload, "crumbs": crumbs,
               "table_metrics": [(key, METRICS[key]) for key in TABLE_METRICS],
               "as_of": as_of, "today": timezone.localdate(),
               # the page body is kept with the readings until the next snapshot run; a live one never is
               "as_of_key": as_of.isoformat(), "snapshot_version": snapshot_version(run),
               "body_cache_seconds": 0 if data.live else 24 * 3600}
    return render(request, "reports/dashboard.html", context)


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def division_data(request, code):
    """The page's numbers as JSON; the body is kept until the next snapshot run (never for a live reading)."""
    import json

    from django.core.cache import cache

    from .services import latest_run, snapshot_version

    division = _division(request, code)
    as_of = _as_of(request)
    run = latest_run()
    key = f"reports:data:{division.code}:{as_of.isoformat()}:{snapshot_version(run)}"
    body = cache.get(key)
    if body is None:
        data = dashboard_data(division, as_of, run)
        body = json.dumps(_payload(data, division), ensure_ascii=False, cls=DjangoJSONEncoder)
        if not data.live:
            cache.set(key, body, timeout=24 * 3600)
    return HttpResponse(body, content_type="application/json")


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def division_export(request, code):
    division = _division(request, code)
    as_of = _as_of(request)
    content = dashboard_workbook(division, as_of)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"{division.name}建设情况-{as_of:%Y%m%d}.xlsx")
    return response


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def county_page(request, code):
    from checkup.facts import county_findings

    division = _division(request, code, levels=("county",))
    as_of = _as_of(request)
    rows = county_findings(division.code, as_of)
    crumbs = [d for d in (division.parent.parent, division.parent) if code_in_scope(request.user, d.code)]
    return render(request, "reports/county.html", {"division": division, "as_of": as_of, "rows": rows,
                                                   "crumbs": crumbs, "today": timezone.localdate()})


@login_required
@permission_required(VIEW_PERMISSION, raise_exception=True)
def evaluation_page(request, code):
    """N5.5: the annual evaluation of a league's county associations, printable."""
    division = _division(request, code, levels=("league",))
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year - 1)
    except ValueError:
        year = today.year - 1
    year = min(max(year, 2020), today.year)
    as_of = min(date(year, 12, 31), today)
    data = dashboard_data(division, as_of)
    return render(request, "reports/evaluation.html", {
        "division": division, "year": year, "as_of": as_of, "data": data,
        "table_metrics": [(key, METRICS[key]) for key in TABLE_METRICS], "years": range(2020, today.year + 1),
    })
