from django.contrib import admin

from accounts.admin_scoping import CountyListFilter, LeagueListFilter, ScopedInline, ScopedModelAdmin
from common.admin_excel import TableExcelAdminMixin
from common.paginator import FastCountPaginator
from members.admin import VolunteerColumnsMixin

from .importers import AttendanceImporter, TrainingSessionImporter
from .models import Attendance, TrainingSession


class AttendanceInline(ScopedInline):
    model = Attendance
    fields = ("volunteer", "attended")
    autocomplete_fields = ("volunteer",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("volunteer")


@admin.register(TrainingSession)
class TrainingSessionAdmin(TableExcelAdminMixin, ScopedModelAdmin):
    excel_title = "培训"
    excel_noun = "次培训"
    excel_importer_class = TrainingSessionImporter
    excel_text_columns = ("主办协会统一编制序列号",)
    excel_export_related = ("organiser",)
    excel_example = {"主办协会统一编制序列号": "150102-01", "培训名称": "2024年青年志愿者骨干培训班",
                     "培训类别": "青年志愿者骨干培训", "培训方式": "线下", "开始日期": "2024-04-12", "学时": 8}
    excel_notes = ("旗县协会每年至少举办一次青年志愿者骨干培训（指引第 12 条）；自治区、盟市、旗县每年至少组织一次培训"
                   "（通知五、1）。",)
    list_display = ("title", "organiser", "kind", "mode", "started_on", "ended_on", "hours", "attendance_count")
    list_filter = (LeagueListFilter, CountyListFilter, "kind", "mode")
    list_select_related = ("organiser",)
    search_fields = ("title", "organiser__name")
    date_hierarchy = "started_on"
    ordering = ("-started_on", "pk")
    autocomplete_fields = ("organiser",)
    inlines = (AttendanceInline,)

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return super().get_queryset(request).annotate(
            attended_count=Count("attendance", filter=Q(attendance__attended=True)))

    @admin.display(description="出勤人数", ordering="attended_count")
    def attendance_count(self, obj):
        return obj.attended_count


@admin.register(Attendance)
class AttendanceAdmin(VolunteerColumnsMixin, TableExcelAdminMixin, ScopedModelAdmin):
    excel_title = "参训人员"
    excel_noun = "名参训人员"
    excel_importer_class = AttendanceImporter
    excel_text_columns = ("主办协会统一编制序列号", "身份证号码")
    excel_export_related = ("session__organiser", "volunteer")
    excel_example = {"主办协会统一编制序列号": "150102-01", "培训名称": "2024年青年志愿者骨干培训班", "开始日期": "2024-04-12",
                     "身份证号码": "（18 位，须已登记为注册志愿者）", "姓名": "王志强", "出勤": "是"}
    list_display = ("session", "volunteer_name", "volunteer_id_masked", "attended")
    list_filter = (LeagueListFilter, CountyListFilter, "attended")
    list_select_related = ("session", "volunteer")
    search_fields = ("session__title", "volunteer__name")
    autocomplete_fields = ("session", "volunteer")
    paginator = FastCountPaginator
    show_full_result_count = False
