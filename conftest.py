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


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def browser_context(live_server):
    """A headless Chromium (the system's, not a downloaded one) on the live test server; skipped without it."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"CI 要求运行浏览器测试，但找不到 Chromium（{CHROMIUM}）")
        pytest.skip(f"需要 Chromium（{CHROMIUM}）才能运行浏览器测试")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test itself are synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        context.base_url = live_server.url
        try:
            yield context
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_login(browser_context):
    """Log in through the admin's own login form, as a person would; returns the page."""
    from django.urls import reverse

    def login(username: str, password: str = "pw-Secret-123"):
        page = browser_context.new_page()
        page.goto(browser_context.base_url + reverse("admin:login"))
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url(browser_context.base_url + reverse("admin:index"))
        return page

    return login


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (the dashboard keeps readings there between snapshot runs)."""
    from django.core.cache import cache

    cache.clear()
    yield


def pytest_sessionfinish(session):
    """Under pytest-xdist each worker hands its role-matrix counts to the controller, which prints them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        from tests.matrix import CASES

        workeroutput["role_matrix_cases"] = [[list(key), count] for key, count in CASES.items()]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    from tests.matrix import CASES

    for key, count in getattr(node, "workeroutput", {}).get("role_matrix_cases", []):
        CASES[tuple(key)] += count


def pytest_terminal_summary(terminalreporter):
    from tests.matrix import CASES

    if CASES:
        from tests.test_role_matrix import counts_table

        terminalreporter.section(f"角色矩阵：{sum(CASES.values())} 个请求（角色 × URL 类型 × 方法）")
        for line in counts_table():
            terminalreporter.write_line(line)


def pytest_addoption(parser):
    parser.addoption("--fuzz", action="store_true", default=os.environ.get("RUN_FUZZ") == "1",
                     help="also run the API fuzzing (schemathesis against the OpenAPI schema); .ci/run does")


FUZZ_MODULES = {"test_api_fuzz.py"}


def pytest_ignore_collect(collection_path, config):
    """The API fuzzing runs only when asked (``--fuzz``): it is most of the suite's time, and importing it builds
    the whole schema at collection."""
    if collection_path.name in FUZZ_MODULES and not config.getoption("--fuzz"):
        return True
    return None
