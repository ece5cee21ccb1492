from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_key_dates(sender, using="default", **kwargs):
    from .services import key_dates_ensure

    key_dates_ensure(using=using)


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "项目与服务记录"

    def ready(self):
        # After the divisions are loaded: the default key dates hang off the region, as the targets do.
        post_migrate.connect(_ensure_key_dates, sender=self, dispatch_uid="projects.ensure_key_dates")
