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
    "config.admin.PlatformAdminConfig",  # django.contrib.admin with the modules in the order of the work
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "health_check",
    "common",
    "divisions",
    "accounts",
    "associations",
    "members",
    "teams",
    "projects",
    "training",
    "checkup",
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
    "csp.middleware.CSPMiddleware",
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
LOCALE_PATHS = [BASE_DIR / "locale"]  # what Django's and django-simple-history's catalogues lack
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Front-end libraries come from the npm registry (package-lock.json), installed by bin/run and bin/test with
# ``npm ci --omit=dev``; only their distribution folders are served.
FONTS_DIR = BASE_DIR / "node_modules" / "@expo-google-fonts"
# The fonts certificates embed (projects/certificates.py) and pages fall back to (static/platform/fonts.css):
# Noto Serif SC holds CJK, Latin and "·"; Noto Sans Mongolian the Mongolian script, shaped by HarfBuzz.
PDF_FONTS = {
    "serif": FONTS_DIR / "noto-serif-sc" / "400Regular" / "NotoSerifSC_400Regular.ttf",
    "mongolian": FONTS_DIR / "noto-sans-mongolian" / "400Regular" / "NotoSansMongolian_400Regular.ttf",
}
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/fonts", FONTS_DIR / "noto-serif-sc" / "400Regular"),
    ("vendor/fonts", FONTS_DIR / "noto-sans-mongolian" / "400Regular"),
]
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

# --- Login protection (django-axes, accounts/lockout.py): a username is locked on one address (not a whole office
# behind one NAT), and an address across usernames at a higher limit (password spraying).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=30)  # across usernames
AXES_HANDLER = "accounts.lockout.AddressAwareHandler"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
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
# A message not acknowledged this long goes back to the queue: longer than the longest task (the time limit);
# connections give up within a second and are not retried, so a page that queues a task answers at once when
# Redis is down (and says so) instead of hanging.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 45 * 60, "socket_connect_timeout": 1, "max_retries": 0}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BEAT_SCHEDULE = {
    # /health/ fails when this has not run for HEALTH_BEAT_MAX_AGE seconds
    "beat-heartbeat": {"task": "common.beat_heartbeat", "schedule": 60.0},
    "star-levels-nightly": {"task": "members.star_levels_recompute", "schedule": crontab(hour=2, minute=30)},
    "snapshots-nightly": {"task": "reports.snapshots_compute", "schedule": crontab(hour=3, minute=0)},
    "access-log-retention": {"task": "members.access_log_prune", "schedule": crontab(hour=4, minute=0, day_of_week=1)},
    "import-jobs-reap": {"task": "common.import_jobs_reap", "schedule": crontab(minute="*/5")},
    # previews left unconfirmed for a day: the workbooks may hold plain ID numbers
    "excel-uploads-prune": {"task": "common.excel_uploads_prune", "schedule": crontab(minute=17)},
}

REST_FRAMEWORK = {
    # Token first: a request without credentials is told 401 with "WWW-Authenticate: Token" (the session
    # class has no challenge to offer, and DRF answers from the first class).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",  # integrations: Authorization: Token <key>
        "rest_framework.authentication.SessionAuthentication",  # the browser
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "common.api_policy.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "common.api_policy.Pages",
    "DEFAULT_SCHEMA_CLASS": "common.api.Schema",
    "DEFAULT_THROTTLE_CLASSES": ["common.api_policy.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_TOKEN_RATE", default="3000/hour")},
    "DATE_FORMAT": "%Y-%m-%d",
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "青年志愿者协会管理平台 API",
    "DESCRIPTION": "各台账的查询和维护接口。所有数据按账号的管辖区划过滤；身份证号码、手机号码只返回脱敏形式。"
                   "浏览器中使用登录会话；系统对接使用令牌：请求头 Authorization: Token <令牌>。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The docs UI from the drf-spectacular-sidecar package: served locally, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DivisionLevelEnum": "divisions.models.Division.Level",
        "AssociationLevelEnum": "associations.models.Association.Level",
        "CommendationLevelEnum": "associations.models.Commendation.Level",
        "ContestLevelEnum": "projects.models.ContestEntry.Level",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # Django's own "django" logger prints to the console under DEBUG too; here every record goes through the
    # root's handler once.
    # django-health-check warns on every failed probe; common.health logs when a failure starts and ends.
    "loggers": {"axes": {"level": "WARNING"}, "django": {"handlers": [], "propagate": True},
                "health_check": {"level": "ERROR"}},
}

# --- /health/: the beat heartbeat may be this old (seconds; beat sends one a minute), the uploads' disk this full.
HEALTH_BEAT_MAX_AGE = env.int("HEALTH_BEAT_MAX_AGE", default=300)
HEALTH_DISK_MAX_PERCENT = env.float("HEALTH_DISK_MAX_PERCENT", default=90.0)

# --- Personal data (PIPL): ID numbers and phones are encrypted (AES-256-GCM) under PERSONAL_DATA_KEYS (newest
# first, so an old key can still decrypt during rotation) and found by an HMAC with PERSONAL_DATA_HASH_KEY.
# Base settings hold no key: ``local`` and ``test`` set development keys, ``production`` requires them.
PERSONAL_DATA_KEYS: list[str] = []
PERSONAL_DATA_HASH_KEY = ""
# How long the log of who saw full ID numbers is kept (manage.py prune_access_log removes what is older).
PERSONAL_DATA_ACCESS_RETENTION_DAYS = env.int("PERSONAL_DATA_ACCESS_RETENTION_DAYS", default=3 * 365)

# G13 (县有协会，基层建队): the share of a county's townships that must have a team; the notice leaves it open.

# Content-Security-Policy: scripts only from the platform's own static files (ECharts included: npm, not a CDN);
# inline styles are allowed because ECharts and the admin set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Service work --------------------------------------------------------------------------------------------
# G17's key dates and their windows are data (admin: 重要时间节点); service hours are kept as entered, to 0.1 h.
# Star volunteers (《中国注册志愿者管理办法》): cumulative confirmed hours for 1–5 stars, who approves each level,
# and how long the public notice runs before a star may be confirmed.
STAR_THRESHOLDS = env.list("STAR_THRESHOLDS", cast=int, default=[100, 300, 600, 1000, 1500])
STAR_APPROVERS = {1: "county", 2: "county", 3: "league", 4: "league", 5: "region"}
STAR_NOTICE_DAYS = env.int("STAR_NOTICE_DAYS", default=7)
