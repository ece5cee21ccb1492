"""Build real .xlsx files for import tests."""
from associations.importers import LedgerImporter
from common.tests.sheets import xlsx
from divisions.models import Division


def ledger_headers():
    return LedgerImporter(None).headers


def workbook(rows: list[dict], headers: list[str] | None = None, sheet_title: str = "协会台账") -> bytes:
    return xlsx(sheet_title, headers or ledger_headers(), rows)


def county_row(division: Division, **overrides) -> dict:
    place = division.full_name if division.kind == "市辖区" else division.name
    row = {
        "协会名称": f"{place}青年志愿者协会",
        "层级": "旗县级",
        "区划代码": division.gb_code,
        "所属区划": division.name,
        "成立日期": "2021-03-05",
        "业务主管单位类别": "共青团委员会",
        "业务主管单位名称": f"共青团{division.name}委员会",
        "业务主管单位起始日期": "2021/3/5",
        "已在民政部门登记": "是",
        "登记管理机关": f"{division.name}民政局",
        "登记日期": "2021年4月1日",
        "秘书处设立情况": "设在团委",
        "专职工作人员（人）": 1,
    }
    row.update(overrides)
    return row
