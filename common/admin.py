"""导入任务: every Excel import a user started (previews and imports, in the background or at once), newest
first, each linked to its page (report, problem list, 重新执行). A user sees the jobs they started; a superuser sees
everyone's. Jobs are a record of what happened: nobody adds, edits or deletes them here."""
from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "file_link", "kind", "phase", "status", "total", "outcome", "problems",
                    "duration_display")
    list_filter = ("phase", "status")
    list_select_related = ("user",)
    search_fields = ("filename",)
    search_help_text = "按文件名查找"
    list_per_page = 50
    fields = ("filename", "kind", "phase", "status", "total", "new", "updated", "unchanged", "skipped", "problems",
              "message", "created_at", "finished_at", "duration_display", "user")
    readonly_fields = fields

    def changelist_view(self, request, extra_context=None):
        title = "全部导入任务" if request.user.is_superuser else "我的导入任务"
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        return [*shown, "user"] if request.user.is_superuser else shown

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("errors", "changes")
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if not (request.user.is_active and request.user.is_staff):
            return False
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="数据类别", ordering="model_label")
    def kind(self, job):
        try:
            return apps.get_model(job.model_label)._meta.verbose_name_plural
        except (LookupError, ValueError):
            return job.model_label

    @admin.display(description="文件名", ordering="filename")
    def file_link(self, job):
        app_label, _, model = job.model_label.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model.lower()}_excel_job", args=[job.pk])
        except NoReverseMatch:
            return job.filename
        return format_html('<a href="{}">{}</a>', url, job.filename)

    @admin.display(description="结果")
    def outcome(self, job):
        if job.status != ImportJob.Status.DONE:
            return job.message[:60] or "—"
        parts = [f"新增 {job.new}", f"更新 {job.updated}"]
        if job.unchanged:
            parts.append(f"无变化 {job.unchanged}")
        if job.skipped:
            parts.append(f"跳过 {job.skipped}")
        return "，".join(parts)

    @admin.display(description="问题数", ordering="error_count")
    def problems(self, job):
        return job.error_count

    @admin.display(description="用时")
    def duration_display(self, job):
        duration = job.duration
        if duration is None:
            return "—"
        seconds = int(duration.total_seconds())
        return f"{seconds // 60} 分 {seconds % 60} 秒" if seconds >= 60 else f"{seconds} 秒"
