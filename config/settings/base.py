"""Settings shared by every environment, read from environment variables.

No secret and no production default lives here: ``local`` adds the first-run defaults, ``production`` demands
every secret from the environment, ``test`` tunes for speed.
"""
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "simple_history",
    "axes",
    "common",
    "divisions",
    "accounts",
    "associations",
    "members",
    "teams",
    "projects",
    "training",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware last: it turns a lockout signalled by the backend into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username + address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Front-end libraries come from the npm registry (package-lock.json), installed by bin/run and bin/test with
# ``npm ci --omit=dev``; only their distribution folders are served.
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")

# The admin lives at a configurable path so that a deployment need not expose /admin/.
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")

SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Login protection (django-axes): lock a username on one address, not a whole office behind one NAT.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env.int("AXES_PROXY_COUNT", default=0) else ["REMOTE_ADDR"]
)

# --- Celery: a broker URL means real workers; none means tasks run in-process.
# The dashboard keeps what it read from the snapshots until the next snapshot run; with several processes use a
# shared cache (DJANGO_CACHE_URL=redis://127.0.0.1:6379/2).
CACHES = {"default": env.cache_url("DJANGO_CACHE_URL", default="locmemcache://")}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Hard limit below the Redis visibility timeout, so a long task is never delivered twice.
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BEAT_SCHEDULE = {
    "star-levels-nightly": {"task": "members.star_levels_recompute", "schedule": crontab(hour=2, minute=30)},
    "snapshots-nightly": {"task": "reports.snapshots_compute", "schedule": crontab(hour=3, minute=0)},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissions"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Personal data (PIPL): ID numbers and phones are encrypted with PERSONAL_DATA_KEYS (Fernet keys, newest
# first, so an old key can still decrypt during rotation) and found by an HMAC with PERSONAL_DATA_HASH_KEY.
# Base settings hold no key: ``local`` and ``test`` set development keys, ``production`` requires them.
PERSONAL_DATA_KEYS: list[str] = []
PERSONAL_DATA_HASH_KEY = ""

# G13 (县有协会，基层建队): the share of a county's townships that must have a team; the notice leaves it open.
G13_TOWNSHIP_SHARE = env.float("G13_TOWNSHIP_SHARE", default=0.5)

# --- Service work --------------------------------------------------------------------------------------------
# G17: key dates an activity is tagged with (month-day → name); a deployment may add local ones.
KEY_DATES = {"03-05": "学雷锋纪念日", "05-04": "五四青年节", "12-05": "国际志愿者日"}
# Service hours are rounded half up to this unit (hours); 0.5 → 1.2 h is 1.0, 1.25 h is 1.5.
SERVICE_HOURS_UNIT = env.float("SERVICE_HOURS_UNIT", default=0.5)
# Star volunteers (《中国注册志愿者管理办法》): cumulative confirmed hours for 1–5 stars, who approves each level,
# and how long the public notice runs before a star may be confirmed.
STAR_THRESHOLDS = env.list("STAR_THRESHOLDS", cast=int, default=[100, 300, 600, 1000, 1500])
STAR_APPROVERS = {1: "county", 2: "county", 3: "league", 4: "league", 5: "region"}
STAR_NOTICE_DAYS = env.int("STAR_NOTICE_DAYS", default=7)
