"""The first run: ``bin/run`` stops before changing anything on production settings, a database on another
machine or a taken port; the API tells a caller without credentials how to authenticate; the API docs send a
visitor to the login page."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from .test_deploy import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parent.parent


def first_run_check(host_port, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    env |= env_overrides
    return subprocess.run([sys.executable, "manage.py", "first_run_check", "--host-port", host_port], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_local_trial_on_a_free_port_goes_ahead():
    result = first_run_check(f"127.0.0.1:{free_port()}")
    assert result.returncode == 0, result.stderr
    assert "启动前检查通过" in result.stdout


def test_a_taken_port_is_refused_before_anything_changes():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = first_run_check(f"127.0.0.1:{port}")
    assert result.returncode != 0
    assert f"端口 127.0.0.1:{port} 已被占用" in result.stderr
    assert f"HOST_PORT=127.0.0.1:{port + 1} bin/run" in result.stderr


def test_production_settings_are_refused():
    result = first_run_check(f"127.0.0.1:{free_port()}", DJANGO_SETTINGS_MODULE="config.settings.production",
                             **PRODUCTION_ENV)
    assert result.returncode != 0
    assert "config.settings.production" in result.stderr and "没有做任何改动" in result.stderr


def test_a_database_on_another_machine_is_refused():
    result = first_run_check(f"127.0.0.1:{free_port()}", DATABASE_URL="postgres://app@db.internal:5432/volunteer")
    assert result.returncode != 0
    assert "db.internal" in result.stderr and "没有做任何改动" in result.stderr


def test_a_malformed_host_port_is_told():
    result = first_run_check("8000x")
    assert result.returncode != 0
    assert "HOST_PORT='8000x' 的写法不对" in result.stderr


def test_bin_run_checks_before_it_migrates():
    script = (ROOT / "bin" / "run").read_text()
    assert script.index("first_run_check") < script.index("migrate") < script.index("seed_demo")


@pytest.mark.django_db
def test_an_api_call_without_credentials_is_401_with_the_scheme(client):
    response = client.get("/api/v1/associations/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "身份认证信息未提供。"


@pytest.mark.django_db
def test_the_api_docs_send_a_visitor_to_the_login_page(client, make_staff):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/?next=/api/docs/")
    client.force_login(make_staff(superuser=True))
    assert client.get("/api/docs/").status_code == 200
