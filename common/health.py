"""``/health/``: is the platform able to work right now — database, cache, upload storage and its disk, and with a
broker the broker, a worker and beat. Built on django-health-check: 200 when every check passes, 500 otherwise;
``?format=json`` or ``Accept: application/json`` for monitoring, ``manage.py health_check health --no-http`` from a
shell. A failure is logged once when it starts and once when it ends, not on every probe."""
import dataclasses
import datetime
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.contrib.celery import Ping
from health_check.contrib.psutil import Disk
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient

from .models import Heartbeat

logger = logging.getLogger("volunteer.health")

# Each check's stable key (JSON, text, the log's state) and its name on the page.
NAMES = {
    "Database": ("database", "数据库"),
    "Cache": ("cache", "缓存"),
    "Storage": ("storage", "上传文件存储"),
    "Disk": ("disk", "上传文件所在磁盘"),
    "Redis": ("broker", "任务队列（Redis）"),
    "Ping": ("worker", "后台任务进程（worker）"),
    "BeatHeartbeat": ("beat", "定时任务（beat）"),
}


def key(check: HealthCheck) -> str:
    return NAMES.get(type(check).__name__, (type(check).__name__.lower(),))[0]


def label(check: HealthCheck) -> str:
    return NAMES.get(type(check).__name__, (None, type(check).__name__))[1]


def outcome(result) -> str:
    return "OK" if not result.error else str(result.error)


@dataclasses.dataclass
class BeatHeartbeat(HealthCheck):
    """beat queues ``common.beat_heartbeat`` every minute and a worker records when it ran: a stale time means
    beat, the broker or every worker has stopped, and with them the nightly snapshots."""

    max_age: datetime.timedelta = dataclasses.field(
        default_factory=lambda: datetime.timedelta(seconds=settings.HEALTH_BEAT_MAX_AGE), repr=False)

    def run(self):
        # This runs in a worker thread of the check: its own connection, closed again afterwards.
        with connections["default"].temporary_connection():
            beat = Heartbeat.objects.filter(name="beat").first()
        if beat is None:
            raise ServiceUnavailable("还没有收到定时任务的心跳：beat 和 worker 是否在运行？")
        age = timezone.now() - beat.at
        if age > self.max_age:
            raise ServiceUnavailable(f"定时任务的心跳已经 {int(age.total_seconds())} 秒没有更新"
                                     f"（最后一次 {timezone.localtime(beat.at):%Y-%m-%d %H:%M:%S}）")


def checks() -> list:
    """What this installation depends on: without a broker, tasks run inside the web process and there is no
    broker, worker or beat to check."""
    media = Path(settings.MEDIA_ROOT)
    # the folder appears with the first upload; until then its disk is the nearest existing parent's
    disk = next((folder for folder in (media, *media.parents) if folder.exists()), media)
    found = [
        Database(),
        Cache(),
        Storage(),
        Disk(path=str(disk), max_disk_usage_percent=settings.HEALTH_DISK_MAX_PERCENT),
    ]
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        url = settings.CELERY_BROKER_URL
        found += [
            Redis(client_factory=lambda: RedisClient.from_url(url, socket_connect_timeout=1, socket_timeout=2)),
            # limit=1: answer as soon as one worker replies instead of waiting out the timeout for others
            Ping(timeout=datetime.timedelta(seconds=2), limit=1),
            BeatHeartbeat(),
        ]
    return found


# Fallback for when the shared cache is itself down: each process then remembers on its own.
_down_here: dict[str, str] = {}


async def _started(key: str, message: str) -> bool:
    try:
        return await cache.aadd(key, message, timeout=None)
    except Exception:  # the cache is unreachable: Cache() reports that
        if key in _down_here:
            return False
        _down_here[key] = message
        return True


async def _ended(key: str) -> bool:
    try:
        shared = await cache.adelete(key)
    except Exception:
        shared = False
    return bool(_down_here.pop(key, None)) or shared


async def log_events(results) -> None:
    """One line when a check starts failing and one when it passes again, shared by every process through the
    cache (``add`` and ``delete`` are atomic there), whatever the monitor's polling rate."""
    for result in results:
        state = f"health:down:{key(result.check)}"
        if result.error:
            if await _started(state, str(result.error)):
                logger.error("健康检查失败：%s：%s", label(result.check), result.error.message)
        elif await _ended(state):
            logger.warning("健康检查已恢复：%s", label(result.check))


class HealthView(HealthCheckView):
    template_name = "health_check/index.html"

    def get_checks(self):
        return checks()

    def get_executor(self):
        # A pool per request, shut down with it: the database connections its threads open are closed by the
        # checks themselves (temporary_connection), and no thread outlives the request.
        return ThreadPoolExecutor(max_workers=4, thread_name_prefix="health")

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        await log_events(self.results)
        # A failing check is logged above when it starts; Django would add an "Internal Server Error" line for
        # every probe that answers 500.
        response._has_been_logged = True
        return response

    def render_to_response_json(self, status):
        return JsonResponse({key(result.check): outcome(result) for result in self.results}, status=status,
                            json_dumps_params={"ensure_ascii": False})

    def render_to_response_text(self, status):
        lines = "".join(f"{key(result.check)}: {outcome(result)}\n" for result in self.results)
        return HttpResponse(lines, content_type="text/plain; charset=utf-8", status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = [
            {"label": label(result.check), "error": result.error and result.error.message,
             "ms": round(result.time_taken * 1000)}
            for result in self.results
        ]
        context["checked_at"] = timezone.localtime()
        return context
