from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_targets(sender, using="default", **kwargs):
    from .services import pillars_ensure, targets_ensure

    targets_ensure(using=using)
    pillars_ensure(using=using)


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "目标与统计"

    def ready(self):
        # After the divisions are loaded (their app comes first): the default targets hang off the region.
        post_migrate.connect(_ensure_targets, sender=self, dispatch_uid="reports.ensure_targets")
