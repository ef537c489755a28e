"""The settings, driven by environment variables (see .env.example for the full list); the security ones are
in config/hardening.py.

Defaults give a self-contained local install: SQLite and mail files under var/, no services needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from config.env import database_from_url, env_bool, env_int, env_list, env_str, env_url

# The security settings (HTTPS, proxies, cookies, HSTS, CSP, login lockout) are in config/hardening.py;
# Django reads settings from this module, hence the import of every one of them.
from config.hardening import (  # noqa: F401
    AUTHENTICATION_BACKENDS,
    AXES_CLIENT_IP_CALLABLE,
    AXES_COOLOFF_TIME,
    AXES_ENABLED,
    AXES_FAILURE_LIMIT,
    AXES_HANDLER,
    AXES_LOCKOUT_PARAMETERS,
    AXES_LOCKOUT_TEMPLATE,
    AXES_RESET_ON_SUCCESS,
    AXES_USERNAME_CALLABLE,
    AXES_USERNAME_FAILURE_LIMIT,
    CSRF_COOKIE_HTTPONLY,
    CSRF_COOKIE_SECURE,
    CSRF_FAILURE_VIEW,
    HTTPS,
    SECURE_CONTENT_TYPE_NOSNIFF,
    SECURE_CROSS_ORIGIN_OPENER_POLICY,
    SECURE_CSP,
    SECURE_HSTS_INCLUDE_SUBDOMAINS,
    SECURE_HSTS_PRELOAD,
    SECURE_HSTS_SECONDS,
    SECURE_PROXY_SSL_HEADER,
    SECURE_REDIRECT_EXEMPT,
    SECURE_REFERRER_POLICY,
    SECURE_SSL_REDIRECT,
    SESSION_COOKIE_HTTPONLY,
    SESSION_COOKIE_SECURE,
    TRUSTED_PROXIES,
    X_FRAME_OPTIONS,
)
from config.local_files import local_secret_key
from config.mailers import mailers_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DJANGO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Off unless asked for: a forgotten variable must not expose tracebacks in production.
# `manage.py runserver` turns it on for local development (see manage.py); the quickstart keeps it off.
DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or local_secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Absolute links in emails and the calendar feed are built from this, never from the request's Host header.
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "curriculum",
    "progress",
    "axes",
]

MIDDLEWARE = [
    # First: every later part (https redirect, request log, login lockout) must see the real client.
    "config.proxies.ForwardedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # One log line per request: after whitenoise (static files are not logged), before everything else, so
    # responses made by other middleware (400 for a bad Host, 403 for CSRF) are logged too.
    "config.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "progress.sessions.LearnerAuthenticationMiddleware",
    # Keeps "last seen" of the learner's signed-in sessions (progress/signed_in.py), at most once a minute.
    "progress.signed_in.SessionActivityMiddleware",
    # After authentication: switches logged-in learners to their profile's language.
    "progress.language.LearnerLanguageMiddleware",
    # Nothing a signed-in user is shown may be stored by shared caches.
    "config.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into its response.
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "progress.context_processors.learner_nav",
                # {{ csp_nonce }}: django-htmx's {% htmx_script %} puts it on its <script> tag.
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {"default": database_from_url("DATABASE_URL", VAR_DIR / "db.sqlite3")}
# Reuse connections between requests; health checks drop broken ones before use.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A database host that accepts connections but never answers must not hang every page until gunicorn kills
# the worker: connecting gives up after DJANGO_DB_CONNECT_TIMEOUT seconds, and PostgreSQL cancels a statement
# running longer than the process's budget. Web processes (gunicorn loads config.wsgi, which sets
# DJANGO_SERVES_WEB) get DJANGO_DB_STATEMENT_TIMEOUT, well below gunicorn's 30 s worker timeout; commands
# (migrate, imports) and Celery workers get the longer DJANGO_DB_TASK_STATEMENT_TIMEOUT. 0 means no limit.
DB_CONNECT_TIMEOUT = env_int("DJANGO_DB_CONNECT_TIMEOUT", 5, minimum=1)
SERVES_WEB = os.environ.get("DJANGO_SERVES_WEB") == "1"
DB_STATEMENT_TIMEOUT = (
    env_int("DJANGO_DB_STATEMENT_TIMEOUT", 20, minimum=0)
    if SERVES_WEB
    else env_int("DJANGO_DB_TASK_STATEMENT_TIMEOUT", 600, minimum=0)
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that costs no round trip on a sound connection (config/postgresql).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    _options = DATABASES["default"]["OPTIONS"]
    _options.setdefault("connect_timeout", str(DB_CONNECT_TIMEOUT))
    _options.setdefault("options", f"-c statement_timeout={DB_STATEMENT_TIMEOUT * 1000}")
# The few queries every page makes are prepared on the server (config/postgresql); off behind a pooler that
# cannot keep prepared statements.
DB_PREPARE = env_bool("DJANGO_DB_PREPARE", default=True)
# /healthz gives the database this many seconds to answer before reporting it down (config/health.py).
HEALTHZ_DB_TIMEOUT = env_int("DJANGO_HEALTHZ_DB_TIMEOUT", 3, minimum=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "progress:today"
LOGOUT_REDIRECT_URL = "login"

# The interface speaks Simplified Chinese by default (the reference plan's language) and English.
LANGUAGE_CODE = "zh-hans"
# Language names stay in their own language (not translated) so a learner can always find theirs.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("DJANGO_MANIFEST_STATIC", default=False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve straight from the app folders when collectstatic has not run (local installs and tests).
WHITENOISE_USE_FINDERS = not env_bool("DJANGO_MANIFEST_STATIC", default=False)

# --- How much one request may produce (very long plans) ---
# The calendar feed covers the last CALENDAR_FEED_DAYS_BEHIND and the next CALENDAR_FEED_DAYS_AHEAD days.
CALENDAR_FEED_DAYS_BEHIND = env_int("CALENDAR_FEED_DAYS_BEHIND", 14, minimum=0)
CALENDAR_FEED_DAYS_AHEAD = env_int("CALENDAR_FEED_DAYS_AHEAD", 90, minimum=1)
# A plan with more days than this shows one phase per plan page (?phase=N), with a phase navigation.
PLAN_PAGE_MAX_DAYS = env_int("PLAN_PAGE_MAX_DAYS", 400, minimum=1)

# Email: SMTP when EMAIL_HOST is set, otherwise one file per message under var/mail/ so a local
# user can read their reminders without a mail server. Configured as Django 6.1's MAILERS (the
# EMAIL_HOST/EMAIL_BACKEND/... *settings* are deprecated and may not be defined next to it); the
# environment variables keep their familiar EMAIL_* names. Tests get locmem mailers from Django.
MAILERS = mailers_from_env(VAR_DIR)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Study Plan <noreply@localhost>")

# Celery: Redis when REDIS_URL is set; otherwise kombu's filesystem transport under var/ so the
# quickstart runs a real worker and beat with no service installed.
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
else:
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    # kombu keeps its exchange tables in control_folder, "control" in the working directory by default.
    _control_dir = VAR_DIR / "celery" / "control"
    _control_dir.mkdir(exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
# Workers and beat log through LOGGING below (key=value lines on stdout), like the web processes.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"

# Logs go to standard output as key=value lines (config/logging_utils.py), one per request
# (config/middleware.py) and one per reminder sent, so `docker compose logs` can be grepped and parsed.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"kv": {"()": "config.logging_utils.KeyValueFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "kv"}},
    "root": {"handlers": ["stdout"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # The request middleware logs every request already; Django's own copy of 4xx/5xx lines would double them.
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        # Its start-up banner would otherwise open every manage.py command's output.
        "axes.apps": {"level": "WARNING"},
    },
}

# Django's cache: a Redis of its own when CACHE_URL is set (compose runs one with an LRU policy, apart from
# Celery's broker, which must never evict), otherwise this process's memory. It holds the plan structures
# learner pages read (progress.structure) and, with a shared cache, copies of sessions.
CACHE_URL = env_url("CACHE_URL", schemes=("redis", "rediss", "unix"))
CACHES = {
    "default": (
        {"BACKEND": "config.redis_cache.ReusingRedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}
# Sessions live in the database, read in the same query as the signed-in learner (progress/sessions.py): a
# page costs one round trip for both. Never in a per-process cache: a session deleted at log-out in one
# gunicorn worker would stay valid in another worker's memory.
SESSION_ENGINE = "progress.sessions"

# Attempt counters for password reset and sign-up (progress/throttle.py), in a cache of their own so they never
# mix with page caches: Redis when configured, so every web process shares the counts (the keys expire, so
# noeviction is no risk), otherwise files under var/, which the quickstart's processes share.
CACHES["throttle"] = (
    {"BACKEND": "config.redis_cache.ReusingRedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "studyplan"}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "throttle")}
)
# Per window of ACCOUNT_THROTTLE_MINUTES: attempts from one client address, and attempts naming one email
# address, before password reset or sign-up answers 429 (the same whether or not the address has an account).
ACCOUNT_THROTTLE_MINUTES = env_int("ACCOUNT_THROTTLE_MINUTES", 60, minimum=1)
ACCOUNT_THROTTLE_PER_CLIENT = env_int("ACCOUNT_THROTTLE_PER_CLIENT", 20, minimum=1)
ACCOUNT_THROTTLE_PER_ADDRESS = env_int("ACCOUNT_THROTTLE_PER_ADDRESS", 5, minimum=1)

# --- Plan documents in the admin (curriculum.admin_documents) ---
# The largest document an instructor may upload or paste; a bigger file is dropped as it streams in. Keep it
# below DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), which bounds a pasted document and the preview's confirmation.
PLAN_DOCUMENT_MAX_BYTES = env_int("PLAN_DOCUMENT_MAX_BYTES", 2 * 1024 * 1024, minimum=1)
# Uploads, previews and confirmations per instructor per hour: each parses a whole document.
PLAN_DOCUMENT_POSTS_PER_HOUR = env_int("PLAN_DOCUMENT_POSTS_PER_HOUR", 60, minimum=1)

# --- Daily reminders (progress.reminders / progress.tasks) ---
# At-least-once delivery: a task is acknowledged only after it ran, and put back if the worker process
# dies under it. Duplicates are then harmless because every email is guarded by its ReminderDelivery row.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per process, so a killed worker strands at most one batch.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
(VAR_DIR / "celery").mkdir(exist_ok=True)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
REMINDER_FANOUT_SECONDS = env_int("REMINDER_FANOUT_SECONDS", 300, minimum=1)
# A static schedule (no django-celery-beat): one beat process runs the fan-out; it decides who is due.
CELERY_BEAT_SCHEDULE = {
    "reminders-fan-out": {
        "task": "progress.tasks.fan_out_reminders",
        "schedule": float(REMINDER_FANOUT_SECONDS),
        # A fan-out that waited longer than its own period is superseded by the next one.
        "options": {"expires": float(REMINDER_FANOUT_SECONDS)},
    }
}
# How far back a fan-out looks across local midnight for reminders set late the day before that no run
# caught in time: two periods, so one late or skipped beat does not lose anybody's reminder.
REMINDER_GRACE_SECONDS = env_int("REMINDER_GRACE_SECONDS", 2 * REMINDER_FANOUT_SECONDS, minimum=0)
REMINDER_BATCH_SIZE = env_int("REMINDER_BATCH_SIZE", 200, minimum=1)
# SMTP connections a batch sends over at once, from one thread: while the server reads one's command, the
# worker answers another's reply (progress.reminders.sending).
REMINDER_SMTP_CONNECTIONS = env_int("REMINDER_SMTP_CONNECTIONS", 2, minimum=1)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5, minimum=1)
# Transient SMTP failures wait base * 2**(attempt - 1), plus up to 50% jitter, before the next try.
REMINDER_RETRY_BASE_MS = env_int("REMINDER_RETRY_BASE_MS", 30_000, minimum=0)
# A delivery still marked "sending" after this long belonged to a worker that died mid-send; it is
# sent again (the one window where a learner may get two emails). Must exceed the SMTP timeout (EMAIL_TIMEOUT).
REMINDER_STALE_SECONDS = env_int("REMINDER_STALE_SECONDS", 600, minimum=1)
# Nudges (instructor emails from the cohort page): one per learner and plan in this many hours, and at most
# this many nudges per instructor per hour. They are sent by the reminders' rules and settings above.
NUDGE_QUIET_HOURS = env_int("NUDGE_QUIET_HOURS", 24, minimum=0)
NUDGE_MAX_PER_HOUR = env_int("NUDGE_MAX_PER_HOUR", 10, minimum=1)
REMINDER_MAX_RETRY_SECONDS = REMINDER_RETRY_BASE_MS * 2 ** (REMINDER_MAX_ATTEMPTS - 1) * 1.5 / 1000
if REDIS_URL:
    # Redis hands an unacknowledged message to another worker once this many seconds have passed.
    # Retries and re-checks are delayed messages (countdown) that sit unacknowledged in the worker
    # until due, so this must be longer than the longest countdown, or they would be duplicated.
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
    # Workers look for such overdue messages every this many seconds (kombu's default, 10 s x a throttle
    # of 10, would leave a killed worker's batch waiting up to 100 s past the visibility timeout).
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = env_int(
        "CELERY_UNACKED_RESTORE_INTERVAL", 60, minimum=1
    )
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = 1
    if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= max(REMINDER_MAX_RETRY_SECONDS, REMINDER_STALE_SECONDS):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "CELERY_VISIBILITY_TIMEOUT must be longer than the longest reminder retry delay "
            f"({REMINDER_MAX_RETRY_SECONDS:.0f}s) and REMINDER_STALE_SECONDS ({REMINDER_STALE_SECONDS}s)"
        )
