"""Tasks through a real Celery worker on the configured broker (Redis in CI), reading the real database."""
import pytest
from django.conf import settings

from divisions.tasks import division_level_counts

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="需要 CELERY_BROKER_URL（Redis）")
def test_worker_runs_a_task_against_the_database(celery_worker_session):
    result = division_level_counts.delay()

    counts = result.get(timeout=60)

    assert counts == {"region": 1, "league": 12, "county": 103, "township": 1057}
    assert result.successful()


@pytest.mark.skipif(bool(settings.CELERY_BROKER_URL), reason="只在未配置消息队列时检查进程内执行")
def test_without_a_broker_tasks_run_in_process():
    result = division_level_counts.delay()
    assert result.get() == {"region": 1, "league": 12, "county": 103, "township": 1057}
