import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.production"} | env_overrides
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "v3Ry-l0ng_S3cret!key#for$deploy%check^only&2026*abcdefghijklmnopQRSTUV",
    "DJANGO_ALLOWED_HOSTS": "volunteer.example.org",
    "DATABASE_URL": "postgres://app@db.internal:5432/volunteer",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
    "PERSONAL_DATA_KEYS": "cHJvZHVjdGlvbi1saWtlLWtleS1mb3ItY2hlY2tzISE=",
    "PERSONAL_DATA_HASH_KEY": "production-like-hash-key",
}


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    del env["DJANGO_SECRET_KEY"]
    result = _manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
