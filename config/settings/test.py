"""Test settings: the same code as production, tuned for speed.

``DATABASE_URL`` and ``CELERY_BROKER_URL`` may point at PostgreSQL and Redis (CI does); without them the suite
runs on SQLite with tasks in-process.
"""
from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-not-a-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
PERSONAL_DATA_KEYS = env.list("PERSONAL_DATA_KEYS", default=["dGVzdC1vbmx5LWtleS1ub3Qtc2VjcmV0LTAwMDAwMDA="])
PERSONAL_DATA_HASH_KEY = env.str("PERSONAL_DATA_HASH_KEY", default="test-only-hash-key")
if env.str("TEST_FILE_STORAGE", default=""):  # a worker process started by a test reads the files the test wrote
    STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                           "OPTIONS": {"location": env.str("TEST_FILE_STORAGE")}}
