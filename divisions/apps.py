from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_divisions(sender, using="default", **kwargs):
    from .services import divisions_ensure_loaded

    divisions_ensure_loaded(using=using)


class DivisionsConfig(AppConfig):
    name = "divisions"
    verbose_name = "行政区划"

    def ready(self):
        # The division tree is reference data every other table hangs off, like permissions: a migrated
        # database (and a test database after a flush) always has it.
        post_migrate.connect(_ensure_divisions, sender=self, dispatch_uid="divisions.ensure_loaded")
