import os

import pytest
from django.conf import settings


@pytest.fixture
def make_staff(db):
    from accounts.tests.factories import staff_user

    return staff_user


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker):
    """A real Celery worker (in a thread) consuming from the configured broker."""
    if not settings.CELERY_BROKER_URL:
        pytest.skip("需要 CELERY_BROKER_URL（Redis）才能运行真实 worker 测试")
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield app
    app.conf.task_always_eager = not settings.CELERY_BROKER_URL


def pytest_report_header(config):
    from django.db import connection

    broker = settings.CELERY_BROKER_URL or "无（任务在进程内执行）"
    return [f"database: {connection.vendor} {settings.DATABASES['default'].get('HOST') or ''}".strip(),
            f"celery broker: {broker.split('@')[-1]}", f"settings: {os.environ.get('DJANGO_SETTINGS_MODULE')}"]


@pytest.fixture
def eager_celery():
    """Run tasks in-process for this test even when a broker is configured (CI runs the suite with Redis)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous
