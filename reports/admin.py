import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from accounts.admin_scoping import CountyListFilter, LeagueListFilter, ReadOnlyAdminMixin, ScopedModelAdmin

from .metrics import METRICS
from .models import MetricSnapshot, Pillar, SnapshotJob, Target, metric_choices, pillar_parts
from .tasks import snapshots_compute_task

logger = logging.getLogger(__name__)


@admin.register(Target)
class TargetAdmin(ScopedModelAdmin):
    """Targets are data: a later plan (a new deadline, a new threshold) is added here, not in a release."""

    list_display = ("code", "title", "metric_text", "threshold", "deadline", "clause", "active")
    list_editable = ("active",)
    list_select_related = ("division",)
    autocomplete_fields = ("division",)

    @admin.display(description="指标", ordering="metric")
    def metric_text(self, obj):
        return obj.metric_label

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):  # shown, not edited: the label
            fields = ["metric_text" if name == "metric" else name for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            readonly.append("metric_text")
        return readonly

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "metric":
            from django import forms

            return forms.ChoiceField(label=db_field.verbose_name, choices=metric_choices())
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class MetricListFilter(admin.SimpleListFilter):
    title = "指标"
    parameter_name = "metric"

    def lookups(self, request, model_admin):
        return [(key, metric.label) for key, metric in METRICS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(metric=self.value()) if self.value() else queryset


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    change_list_template = "reports/snapshot_change_list.html"
    list_display = ("as_of", "division", "metric_text", "value", "numerator", "denominator", "unknown",
                    "computed_at")
    list_filter = (LeagueListFilter, CountyListFilter, MetricListFilter, "as_of")
    list_select_related = ("division",)

    @admin.display(description="指标", ordering="metric")
    def metric_text(self, obj):
        return obj.metric_label

    def get_fields(self, request, obj=None):
        return ["metric_text" if name == "metric" else name for name in super().get_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "metric_text"]

    def changelist_view(self, request, extra_context=None):
        from .services import latest_run

        last_job = SnapshotJob.objects.first() if request.user.has_perm("reports.add_metricsnapshot") else None
        return super().changelist_view(request, {**(extra_context or {}), "latest_run": latest_run(),
                                                 "last_job": last_job})

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("recompute/", view(self.recompute_view), name="reports_metricsnapshot_recompute"),
                path("recompute/<int:job_id>/", view(self.job_view), name="reports_metricsnapshot_job"),
                path("recompute/<int:job_id>/status/", view(self.job_status_view), name="reports_metricsnapshot_job_status"),
                *super().get_urls()]

    def recompute_view(self, request):
        """重新计算: queue the snapshot job and show its progress (run in-process when no broker is configured)."""
        from common.tasks import send

        from .services import snapshot_dates

        if request.method != "POST" or not request.user.has_perm("reports.add_metricsnapshot"):
            return redirect(reverse("admin:reports_metricsnapshot_changelist"))
        running = SnapshotJob.objects.filter(status__in=(SnapshotJob.Status.QUEUED, SnapshotJob.Status.RUNNING)).first()
        if running is not None and not running.give_up_if_stale():
            self.message_user(request, "已有一次重新计算正在进行，完成后再提交。", messages.WARNING)
            return redirect(reverse("admin:reports_metricsnapshot_job", args=[running.pk]))
        job = SnapshotJob.objects.create(requested_by=request.user, dates_total=len(snapshot_dates()))
        try:
            sent = send(snapshots_compute_task, None, job.pk)
        except Exception:  # run in-process (no broker) and failed: the job says why, the page stays up
            logger.exception("snapshot job %s failed in-process", job.pk)
            sent = True
        if not sent:
            job.status, job.finished_at = SnapshotJob.Status.FAILED, timezone.now()
            job.message = "后台任务服务暂时无法连接，未能提交重新计算，看板仍显示上一次的计算结果。请稍后再试；多次失败请联系管理员。"
            job.save(update_fields=["status", "finished_at", "message"])
            self.message_user(request, job.message, messages.ERROR)
            return redirect(reverse("admin:reports_metricsnapshot_changelist"))
        return redirect(reverse("admin:reports_metricsnapshot_job", args=[job.pk]))

    def _job(self, request, job_id):
        if not request.user.has_perm("reports.add_metricsnapshot"):
            raise PermissionDenied
        job = get_object_or_404(SnapshotJob.objects.select_related("requested_by", "run"), pk=job_id)
        job.give_up_if_stale()
        return job

    def job_view(self, request, job_id):
        job = self._job(request, job_id)
        context = {**self.admin_site.each_context(request), "title": "重新计算", "opts": self.model._meta,
                   "job": job, "status_url": reverse("admin:reports_metricsnapshot_job_status", args=[job.pk]),
                   "changelist_url": reverse("admin:reports_metricsnapshot_changelist")}
        return TemplateResponse(request, "reports/snapshot_job.html", context)

    def job_status_view(self, request, job_id):
        return JsonResponse(self._job(request, job_id).as_dict())


class PillarForm(forms.ModelForm):
    parts = forms.MultipleChoiceField(label="构成条款和事实", widget=forms.CheckboxSelectMultiple,
                                      help_text="倡导性条款（原则上、注重、争取、具备条件的、依据实际情况）只作提示，"
                                                "不会使该项不达标；修改在下一次统计快照计算后生效。")

    class Meta:
        model = Pillar
        fields = ("name", "parts", "position", "division")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parts"].choices = list(pillar_parts().items())

    def clean_parts(self):
        order = list(pillar_parts())
        return sorted(self.cleaned_data["parts"], key=order.index)


@admin.register(Pillar)
class PillarAdmin(ScopedModelAdmin):
    """T3's four pillars as data: the region decides which clauses make each (shown on the dashboard)."""

    form = PillarForm
    list_display = ("name", "parts_text", "position")
    list_select_related = ("division",)
    autocomplete_fields = ("division",)

    @admin.display(description="构成条款和事实")
    def parts_text(self, obj):
        labels = pillar_parts()
        return "、".join(labels.get(p, p) for p in obj.parts)

    def has_add_permission(self, request):
        return False  # four pillars: T3's four words

    def has_delete_permission(self, request, obj=None):
        return False
