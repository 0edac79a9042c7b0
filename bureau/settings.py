"""
Settings of the veterans bureau portal, all read from environment variables.

With nothing set the portal runs on the embedded default: a SQLite file,
Celery tasks executed eagerly in the web process, media files on local disk.
Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and the
rest (see docker-compose.yml). `bureau.checks` refuses a production start
with the development secret key and warns about the embedded parts.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# The development key is public; bureau.checks refuses to start with it when DEBUG is off.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Django's CSRF page is English and mentions DEBUG: a Chinese one, for the portal and the memorial.
CSRF_FAILURE_VIEW = "bureau.views.csrf_failure"

INSTALLED_APPS = [
    "bureau.apps.PortalAdminConfig",  # django.contrib.admin with the portal's site (bureau.sites)
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
    "import_export",
    "simple_history",
    "axes",
    "bureau",
    "employment",
    "resettlement",
    "pensions",
    "support_army",
    "commemoration",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, except that a page's background polling does not renew an idle session.
    "bureau.rules.accounts.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bureau.rules.audit.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bureau.rules.accounts.SessionLifetimeMiddleware",
    # The second factor (when REQUIRE_TOTP), then the initial password, before any other page.
    "bureau.rules.otp.SecondFactorMiddleware",
    "bureau.rules.accounts.PasswordChangeRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "bureau.base.sqlite.DeferredReadsMiddleware",
    # Last, so it sees the login view's response and replaces it when axes locked the attempt out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bureau.urls"

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
                "bureau.context_processors.site_profile",
                "bureau.context_processors.station_menu",
                "bureau.context_processors.station_todo",
            ],
        },
    },
]

WSGI_APPLICATION = "bureau.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
on_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
# PostgreSQL: a worker keeps its connection between requests (a new one per request cost ~10x on
# /healthz), checked before reuse. Opening a SQLite file costs nothing.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if on_sqlite else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's statement_timeout in milliseconds (0: none). Compose sets it on web only, not on the worker or
# beat, whose jobs run long: a query longer than any page needs is cancelled (the request answers 500 and
# the worker is free) before gunicorn's --timeout (60 s) kills the whole process.
STATEMENT_TIMEOUT_MS = env.int("STATEMENT_TIMEOUT_MS", default=0)
if not on_sqlite:
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # An unreachable server fails in seconds (/healthz answers 503 in time) instead of the OS's TCP timeout.
    options.setdefault("connect_timeout", 10)
    if STATEMENT_TIMEOUT_MS:
        options["options"] = f"{options.get('options', '')} -c statement_timeout={STATEMENT_TIMEOUT_MS}".strip()
if on_sqlite:
    # Wait for a concurrent writer (runserver plus a management command) instead of failing, and
    # take the write lock when a transaction begins: two requests upgrading read locks deadlock.
    # GET requests begin DEFERRED instead, so reads do not queue (bureau.base.sqlite.DeferredReadsMiddleware).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": env.float("SQLITE_TIMEOUT", default=20), "transaction_mode": "IMMEDIATE"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "bureau.User"

# Axes' backend comes first: it refuses a locked-out username and address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, its permissions read in one query (every request checks them).
    "bureau.rules.accounts.PermissionBackend",
]

# MLPS level 3: at least 12 characters of three kinds, not common, not like the username.
# Django's own messages are partly untranslated in zh_Hans; bureau.rules.passwords words them in Chinese.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "bureau.rules.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "bureau.rules.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "bureau.rules.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "bureau.rules.passwords.CommonPasswordValidator"},
]

# Lockout (django-axes, bureau.rules.accounts.LockoutHandler), on every login that calls
# authenticate(request=...) (the station, the admin and the API token) and on every wrong TOTP code:
# five failures of one username, from any addresses, lock the account for every address; an address
# that failed against LOGIN_ADDRESS_ACCOUNT_LIMIT usernames is locked for every username. 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
# Two separate criteria, counted by the handler: the username alone, the address alone.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "bureau.rules.accounts.LockoutHandler"
LOGIN_ADDRESS_ACCOUNT_LIMIT = env.int("LOGIN_ADDRESS_ACCOUNT_LIMIT", default=5)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bureau.rules.accounts.lockout_response"
# The client address is REMOTE_ADDR unless the proxy in front is trusted to set a header:
# AXES_CLIENT_IP_HEADER=HTTP_X_REAL_IP names the header (bureau.base.client_address.client_ip_address).
AXES_CLIENT_IP_HEADER = env("AXES_CLIENT_IP_HEADER", default="")
AXES_CLIENT_IP_CALLABLE = "bureau.base.client_address.client_ip_address"
# Its log lines name the client; a username typed as an ID number or phone is masked there (bureau.base.logs).
AXES_CLIENT_STR_CALLABLE = "bureau.base.logs.axes_client_str"

LOGIN_URL = "station:login"
# `/` sends each user on to where their work is (bureau.roles.home_url_name).
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "station:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# The portal's own Chinese where Django's and the libraries' catalogues lack it (locale/zh_Hans: compiled .mo committed).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and generated files are never served as static files, in development neither: every
# /files/ URL goes through bureau.views.protected_file, which checks the user may see the record.
MEDIA_URL = "/files/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed file names need `collectstatic` first: the Docker image runs it and sets STATIC_MANIFEST=1.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Tests and `make run` serve static files from the app directories without collectstatic.
# Uploaded imports and finished exports: never under MEDIA_ROOT (served by /files/), only through
# the job views to their owner (bureau.models.jobs.PrivateStorage). Web and worker share it.
PRIVATE_ROOT = env.path("PRIVATE_ROOT", default=BASE_DIR / "private")
# An admin export of more rows than this runs in the worker and is offered in 我的导出.
EXPORT_JOB_THRESHOLD = env.int("EXPORT_JOB_THRESHOLD", default=5000)
# Hours a finished export stays downloadable; the beat task then deletes its file.
EXPORT_FILE_HOURS = env.int("EXPORT_FILE_HOURS", default=24)
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_MANIFEST_STRICT = False
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Celery: a real broker when REDIS_URL is set, otherwise tasks run eagerly in-process.
REDIS_URL = env("REDIS_URL", default="")
# kombu's in-memory broker, with its host named: without one kombu warns "No hostname was supplied" (seed_demo printed it).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A task's message is acknowledged when the task ends, and put back when its worker process dies
# (killed, out of memory): the job's own claim (bureau.rules.background.job_claim) makes a second
# delivery harmless and caps the attempts at JOB_MAX_ATTEMPTS.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged message to another worker after this long: longer than the longest
# task (a city payroll ~90 s, a 100,000-row import a few minutes), so a running task is not doubled;
# a worker that died is covered sooner by the job watchdog (JOB_STALE_SECONDS).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=30 * 60)}
# Tests give each process its own queue; production uses Celery's default.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker that lost Redis retries for as long as Redis is away (celery gives up after 100 tries
# by default, about 50 minutes, and exits), through the transport of bureau/base/broker.py, which keeps
# kombu's lost-connection crash from killing the worker.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT = "bureau.base.broker:Transport" if REDIS_URL else None
# A task keeps running through a broker outage (Celery 6 would cancel it): its job's claim makes
# the message's later redelivery harmless, and cancelling would only redo the work.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Beat writes its heartbeat (bureau.rules.service_health) from its loop.
CELERY_BEAT_SCHEDULER = "bureau.rules.service_health:BeatScheduler"
# The worker's and beat's heartbeat rows (bureau.rules.service_health): written every SERVICE_HEARTBEAT_SECONDS,
# and a service whose row is older than SERVICE_STALE_SECONDS is down (/healthz, manage.py service_alive).
SERVICE_HEARTBEAT_SECONDS = env.int("SERVICE_HEARTBEAT_SECONDS", default=15)
SERVICE_STALE_SECONDS = env.int("SERVICE_STALE_SECONDS", default=90)
CELERY_TIMEZONE = TIME_ZONE
# Background jobs (bureau.rules.background): a running job writes its heartbeat every JOB_HEARTBEAT_SECONDS;
# one silent for JOB_STALE_SECONDS (JOB_QUEUED_STALE_SECONDS while queued) is sent again by the
# watchdog every JOBS_WATCH_SECONDS, up to JOB_MAX_ATTEMPTS runs, then failed with 重试 offered. The
# outbox is flushed every OUTBOX_FLUSH_SECONDS. A stalled job resumes within
# JOB_STALE_SECONDS + JOBS_WATCH_SECONDS (90 s) of a worker being there.
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=10)
JOB_STALE_SECONDS = env.float("JOB_STALE_SECONDS", default=60)
JOB_QUEUED_STALE_SECONDS = env.float("JOB_QUEUED_STALE_SECONDS", default=600)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
OUTBOX_FLUSH_SECONDS = env.float("OUTBOX_FLUSH_SECONDS", default=30)
JOBS_WATCH_SECONDS = env.float("JOBS_WATCH_SECONDS", default=30)
# Lines per transaction of the monthly payroll's payment; its progress advances by parts of this
# size (read at call time: a test's worker process pays in parts of 2).
PAYROLL_PAY_CHUNK = env.int("PAYROLL_PAY_CHUNK", default=5000)

# Run by the `beat` service (bureau.tasks): the audit trail's retention daily at 02:30, expired exports
# hourly, the outbox and the job watchdog every half minute.
CELERY_BEAT_SCHEDULE = {
    "outbox-flush": {"task": "bureau.tasks.outbox_flush", "schedule": OUTBOX_FLUSH_SECONDS},
    "jobs-watch": {"task": "bureau.tasks.jobs_watch", "schedule": JOBS_WATCH_SECONDS},
    "purge-audit-events": {
        "task": "bureau.tasks.purge_audit_events",
        "schedule": crontab(hour=2, minute=30),
    },
    # Finished exports past EXPORT_FILE_HOURS: file deleted, job marked expired (bureau.tasks).
    "delete-expired-exports": {
        "task": "bureau.tasks.delete_expired_exports",
        "schedule": crontab(minute=15),
    },
}
# Scheduled backups (bureau.tasks.scheduled_backup, docs/operations.md): off unless BACKUP_DIR is set;
# then nightly at BACKUP_HOUR:30 an archive portal-YYYYmmdd-HHMMSS.tar.gz into BACKUP_DIR (a directory
# of the worker), of which the BACKUP_KEEP newest are kept.
BACKUP_DIR = env("BACKUP_DIR", default="")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
if BACKUP_DIR:
    CELERY_BEAT_SCHEDULE["scheduled-backup"] = {
        "task": "bureau.tasks.scheduled_backup",
        "schedule": crontab(hour=env.int("BACKUP_HOUR", default=1), minute=30),
    }

# One cache for every process (rate limits, one-time codes): Redis when configured,
# otherwise a table of the database (created by migration bureau/0015_shared_cache_table), never
# a per-process memory that each gunicorn worker would count on its own.
# The most data rows and cells one import file may have (bureau.importexport.sheet.Limits): checked
# from the sheet's dimension before any row is read, and while reading a file without one.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=3_000_000)


def next_redis_database(url: str) -> str:
    """redis://host:6379/0 -> redis://host:6379/1: the cache's default, beside the broker's database."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{database + 1}"))


# The cache apart from the broker: compose runs it on its own Redis (evicting least-recently-used keys
# under its maxmemory) while the broker's Redis never evicts (a task message must not vanish). On one
# server the cache takes the broker's database number + 1.
CACHE_REDIS_URL = env("CACHE_REDIS_URL", default=next_redis_database(REDIS_URL) if REDIS_URL else "")
# A cache that does not answer fails fast: the rate limit and progress notes then fail open (they log).
cache_redis_options = {"socket_connect_timeout": 2, "socket_timeout": 5}
CACHE_TABLE = "portal_cache"
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "OPTIONS": cache_redis_options,
        }
        if CACHE_REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            # Django culls a third of the table past MAX_ENTRIES (300 by default), live rate-limit slots too.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    ),
    # A job's progress note (display only) is written inside the job's transaction, where a database
    # cache would not be seen (or be rolled back by a dry run): Redis, else this process's memory,
    # where the embedded default's eager tasks run.
    "progress": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "OPTIONS": cache_redis_options,
        }
        if CACHE_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}

REST_FRAMEWORK = {
    # The token class first: its WWW-Authenticate header makes a refused token a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bureau.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["bureau.api.permissions.ModelPermissions"],
    # The first refuses every query parameter a list does not declare (bureau.base.query_params).
    "DEFAULT_FILTER_BACKENDS": [
        "bureau.api.filters.DeclaredQueryFilter",
        "bureau.api.filters.FilterSetBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "bureau.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "bureau.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "退役军人事务局门户 API",
    "DESCRIPTION": "人员登记及各业务记录的接口；权限与乡镇范围同门户一致。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Offline intranet: Swagger UI and Redoc come from drf-spectacular-sidecar, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and docs describe the API to signed-in users and token holders only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Tags come from the path after this prefix: persons, payments, employment …
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

SIMPLE_HISTORY_REVERT_DISABLED = False

# HTTPS hardening. Off by default because tests and `make run` speak plain HTTP;
# docker-compose.yml turns them on behind the TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions end after 30 idle minutes (the cookie is renewed on every request) and, however
# active, 12 hours after the login (bureau.rules.accounts.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
# Django's database sessions, a row renewed at most once a minute (bureau.base.sessions).
SESSION_ENGINE = "bureau.base.sessions"
SESSION_ABSOLUTE_AGE = 12 * 60 * 60
# A second factor (TOTP, bureau.rules.otp) after the password for every account, on the web and the API.
REQUIRE_TOTP = env.bool("REQUIRE_TOTP", default=False)
# API tokens expire this many hours after they were issued (bureau.api.authentication).
API_TOKEN_LIFETIME_HOURS = env.int("API_TOKEN_LIFETIME_HOURS", default=8)
# Audit events are kept this many days; never fewer than 183 (six months, MLPS level 3), see bureau.rules.audit.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=190)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_numbers": {"()": "bureau.base.logs.PersonalNumberLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
    # "Not Found: /api/v1/persons/<an ID number typed into the URL>/": the path is logged masked.
    "loggers": {
        "django.request": {"filters": ["personal_numbers"]},
        # Its DEBUG lines quote the whole template context of a failed lookup: people's records.
        "django.template": {"level": "INFO"},
    },
}

# The annual report's sections come from the area apps' declarations (bureau.areas); a
# REPORT_SECTIONS list of dotted paths, when set, replaces them (reports.registry.section_paths).
