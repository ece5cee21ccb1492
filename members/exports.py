from accounts.scoping import scope_queryset
from common.excel import build_template
from common.tabular import importer_workbook
from divisions.models import Division

from .importers import SHEET_NAME, VolunteerImporter
from .models import UNMASK_PERMISSION, PersonalDataAccess, Volunteer
from .reference import ETHNIC_GROUPS, POLITICAL_STATUS


def volunteer_template(*, user) -> bytes:
    importer = VolunteerImporter(user)
    divisions = list(
        scope_queryset(Division.objects.filter(is_statutory=True, level__in=["county", "township"]), user)
        .order_by("code").values_list("name", "code")
    )
    township = next(((name, code) for name, code in divisions if len(code) == 9), ("XX镇", ""))
    example = {
        "姓名": "王志强",
        "身份证号码": "（18 位，本列为文本格式）",
        "区划代码": township[1],
        "所属区划": township[0],
        "民族": "蒙古族",
        "政治面貌": "中国共产主义青年团团员",
        "手机号码": "13800000000",
        "技能特长/专业领域": "应急救护",
        "注册日期": "2024-03-05",
    }
    return build_template(
        sheet_name=SHEET_NAME,
        headers=importer.headers,
        example=example,
        dropdowns={
            "民族": [name for _, name in ETHNIC_GROUPS],
            "政治面貌": [name for _, name in POLITICAL_STATUS],
            "同意方式": [label for _, label in Volunteer.ConsentMethod.choices],
            "所属区划": list(dict.fromkeys(name for name, _ in divisions)),
        },
        text_columns=("身份证号码", "手机号码", "区划代码", "全国志愿服务信息系统编号"),
        notes=[
            "注册志愿者导入模板填写说明",
            "1. 第 1 行为列标题，请勿修改；从第 2 行起每行一人，示例行导入前请删除。",
            "2. 身份证号码填写 18 位，本列已设为文本格式；若 Excel 把号码显示为科学计数法，说明后几位已丢失，须重新录入。",
            "3. 所属区划填写注册所在的乡镇（街道）或旗县（市、区）；乡镇重名时请填写 9 位区划代码。",
            "4. 未满 14 周岁不能注册；14–17 周岁须填写监护人姓名、关系、同意日期和同意方式。",
            "5. 日期可写成 2024-03-05、2024/3/5 或 2024年3月5日。",
            "6. 已在平台登记的人（身份证号码相同）不能重复导入；文件中任何一行有错误时整个文件都不会导入。",
            "7. 身份证号码和手机号码导入后加密保存，页面和导出只显示部分号码。",
        ],
    )


def volunteer_workbook(queryset, *, user) -> bytes:
    """Volunteers in the user's scope; ID numbers and phones masked unless the user may see them, in which
    case the export itself is logged as an access to personal data."""
    reveal = user.has_perm(UNMASK_PERMISSION)
    exported = 0

    def people():
        nonlocal exported
        for volunteer in queryset.select_related("division").order_by("pk").iterator(chunk_size=2000):
            exported += 1
            yield volunteer

    content = importer_workbook(VolunteerImporter(user, reveal=reveal), people())
    if reveal:
        PersonalDataAccess.objects.create(user=user, volunteer=None, subject=f"导出 {exported} 名志愿者",
                                          fields="身份证号码、手机号码（Excel 导出）", purpose="导出",
                                          division_id=user.scope_division_id)
    return content


__all__ = ["scope_queryset", "volunteer_template", "volunteer_workbook"]
