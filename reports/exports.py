"""The dashboard as an Excel workbook for the viewer's division: targets, leagues, counties with every check."""
import io
from datetime import date

from openpyxl import Workbook

from associations.rules import CLAUSE_TITLES, CLAUSES
from associations.rules import STATUS_LABELS as STATUS_TEXT
from common.excel import append_row

from .metrics import METRICS
from .selectors import TABLE_METRICS, dashboard_data

MET_TEXT = {True: "达标", False: "未达标", None: "待补充"}


def _percent(figure):
    return None if figure is None or figure.value is None else float(figure.value)


def _clause_text(county: dict, clause: str, as_of: date) -> str:
    """The finding as the county page shows it; a yearly duty not yet due adds last full year's result."""
    status = county["clauses"].get(clause)
    if status is None:
        return ""
    text = STATUS_TEXT[status]
    last = county["last_year"].get(clause)
    if last is not None:
        text += f"（{as_of.year - 1}年全年：{STATUS_TEXT[last]}）"
    return text


def dashboard_workbook(division, as_of: date) -> bytes:
    data = dashboard_data(division, as_of)
    book = Workbook(write_only=True)

    sheet = book.create_sheet("目标")
    append_row(sheet, [f"{division.name} 截至 {as_of:%Y-%m-%d}"])
    append_row(sheet, ["编号", "目标", "依据", "达标值（%）", "期限", "期限时（%）", "期限时是否达标", "截至所选日期（%）",
                  "达标数", "总数", "待补充数", "数据完整率（%）", "截至所选日期是否达标"])
    for t in data.targets:
        now = t["now"]
        append_row(sheet, [t["code"], t["title"], t["clause"], float(t["threshold"]), t["deadline"],
                      _percent(t["at_deadline"]), MET_TEXT[t["met_at_deadline"]], _percent(now),
                      now.numerator if now else None, now.denominator if now else None, now.unknown if now else None,
                      float(now.completeness) if now and now.completeness is not None else None,
                      MET_TEXT[t["met_now"]]])

    headers = ["区划代码", "名称"]
    for key in TABLE_METRICS:
        metric = METRICS[key]
        headers.append(f"{metric.label}（{metric.unit}）")
        if metric.kind == "rate":
            headers += [f"{metric.label}·待补充数"]
    label = "盟市" if division.level == "region" else "旗县（市、区）"
    sheet = book.create_sheet(label)
    append_row(sheet, headers)
    for row in data.rows:
        cells = [row["code"], row["name"]]
        for key in TABLE_METRICS:
            figure = row["figures"].get(key)
            cells.append(_percent(figure))
            if METRICS[key].kind == "rate":
                cells.append(figure.unknown if figure else None)
        append_row(sheet, cells)

    # the 体检 as stored with the snapshot (or measured live with the page): one column per clause, in clause order
    sheet = book.create_sheet("旗县体检")
    append_row(sheet, ["区划代码", "旗县（市、区）", "所属盟市", "状态", "硬性条款符合数", "已到期硬性条款数",
                       "硬性条款符合比例（%）", "不符合条款", "待补充条款",
                       *(f"{c} {CLAUSE_TITLES.get(c, '')}".strip() for c in CLAUSES)])
    for county in data.counties:
        append_row(sheet, [county["code"], county["name"], county["league_name"], county["label"],
                           county["met"] if county["judged"] else None, county["judged"] or None, county["share"],
                           "、".join(county["failing"]), "、".join(county["unknown"]),
                           *[_clause_text(county, clause, as_of) for clause in CLAUSES]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
