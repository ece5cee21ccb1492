"""/health/: every dependency checked, 500 with the reason when one fails, one log line per failure and recovery."""
import asyncio
import logging
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from health_check.contrib.redis import Redis
from redis.asyncio import Redis as RedisClient

from common.health import BeatHeartbeat
from common.models import Heartbeat
from common.tasks import beat_heartbeat

BROKER = bool(settings.CELERY_BROKER_URL)
BASE = {"database", "cache", "storage", "disk"}


@pytest.fixture(autouse=True)
def no_remembered_failures():
    cache.delete_many([f"health:down:{name}" for name in (*BASE, "broker", "worker", "beat")])
    yield


@pytest.mark.django_db
@pytest.mark.skipif(BROKER, reason="without a broker only")
def test_without_a_broker_the_four_local_checks_pass_for_a_monitor_without_login(client):
    response = client.get("/health/?format=json")

    assert response.status_code == 200
    assert response.json() == {name: "OK" for name in BASE}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_the_page_is_in_chinese_and_names_each_check(client):
    response = client.get("/health/", HTTP_ACCEPT="text/html")

    page = response.content.decode()
    for name in ("数据库", "缓存", "上传文件存储", "上传文件所在磁盘"):
        assert f"<td>{name}</td>" in page
    if not BROKER:
        assert "运行状态：<span class=\"ok\">正常</span>" in page


@pytest.mark.django_db
def test_a_full_disk_fails_the_check_with_the_figure(client, settings):
    settings.HEALTH_DISK_MAX_PERCENT = 0.001

    response = client.get("/health/?format=json")

    assert response.status_code == 500
    assert response.json()["disk"].startswith("Warning: ")
    assert response.json()["disk"].endswith("% disk usage")
    assert response.json()["database"] == "OK"
    text = client.get("/health/", HTTP_ACCEPT="text/plain").content.decode()
    assert "disk: Warning: " in text
    page = client.get("/health/", HTTP_ACCEPT="text/html").content.decode()
    assert "运行状态：<span class=\"bad\">有检查未通过</span>" in page
    assert '<tr class="error">' in page


@pytest.mark.django_db
def test_a_failure_is_logged_once_when_it_starts_and_once_when_it_ends(client, settings, caplog):
    caplog.set_level(logging.INFO, logger="volunteer.health")
    settings.HEALTH_DISK_MAX_PERCENT = 0.001
    for _ in range(3):
        assert client.get("/health/?format=json").status_code == 500
    settings.HEALTH_DISK_MAX_PERCENT = 100.0
    for _ in range(2):
        client.get("/health/?format=json")

    records = [(record.levelname, record.getMessage()) for record in caplog.records
               if record.name == "volunteer.health" and "磁盘" in record.getMessage()]
    assert len(records) == 2
    assert records[0][0] == "ERROR"
    assert records[0][1].startswith("健康检查失败：上传文件所在磁盘：")
    assert records[1] == ("WARNING", "健康检查已恢复：上传文件所在磁盘")
    # the library's own warning on every failed probe is not printed
    assert not [record for record in caplog.records if record.name in ("health_check", "django.request")]


def test_an_unreachable_broker_is_reported_within_seconds():
    check = Redis(client_factory=lambda: RedisClient.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1))
    started = time.monotonic()

    result = asyncio.run(check.get_result())

    assert str(result.error) == "Unavailable: Unable to connect to Redis: Connection Error"
    assert time.monotonic() - started < 3


@pytest.mark.django_db
def test_beat_heartbeat_missing_old_and_fresh():
    check = BeatHeartbeat(max_age=timedelta(minutes=5))
    with pytest.raises(Exception) as missing:
        check.run()
    assert missing.value.message == "还没有收到定时任务的心跳：beat 和 worker 是否在运行？"

    Heartbeat.objects.create(name="beat", at=timezone.now() - timedelta(minutes=10))
    with pytest.raises(Exception) as old:
        check.run()
    assert old.value.message.startswith("定时任务的心跳已经 60")
    assert "秒没有更新（最后一次 " in old.value.message

    beat_heartbeat.apply()
    assert check.run() is None
    assert Heartbeat.objects.get(name="beat").at > timezone.now() - timedelta(seconds=30)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not BROKER, reason="需要 CELERY_BROKER_URL（Redis）")
def test_with_the_real_worker_the_broker_the_worker_and_beat_are_checked(client, celery_worker_session):
    Heartbeat.objects.filter(name="beat").delete()
    response = client.get("/health/?format=json")
    assert response.status_code == 500
    assert response.json()["beat"] == "Unavailable: 还没有收到定时任务的心跳：beat 和 worker 是否在运行？"

    beat_heartbeat.delay()  # what beat sends every minute, run by the real worker
    deadline = time.monotonic() + 30
    while not Heartbeat.objects.filter(name="beat").exists() and time.monotonic() < deadline:
        time.sleep(0.2)

    response = client.get("/health/?format=json")
    assert response.json() == {name: "OK" for name in (*BASE, "broker", "worker", "beat")}
    assert response.status_code == 200
    assert Heartbeat.objects.get(name="beat").hostname  # the worker that ran it
