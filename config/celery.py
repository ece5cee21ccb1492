"""The Celery application.

With ``CELERY_BROKER_URL`` set, tasks go to the broker (Redis) and run in a worker; without it, the settings
switch Celery to run tasks in-process so a first run needs no services.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("volunteer_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
