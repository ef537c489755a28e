"""One settings file, driven by environment variables (see .env.example for the full list).

Defaults give a self-contained local install: SQLite and mail files under var/, no services needed.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import database_from_url, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DJANGO_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Off unless asked for: a forgotten variable must not expose tracebacks in production.
# `manage.py quickstart` and `runserver` turn it on for local development (see manage.py).
DEBUG = env_bool("DJANGO_DEBUG", default=False)


def _secret_key() -> str:
    key = env_str("DJANGO_SECRET_KEY")
    if key:
        return key
    # No hard-coded fallback: a local install gets its own random key, kept across restarts so
    # sessions and signed unsubscribe links stay valid. Deployments set DJANGO_SECRET_KEY.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
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
    "django_htmx.middleware.HtmxMiddleware",
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
            ],
        },
    },
]

DATABASES = {"default": database_from_url("DATABASE_URL", VAR_DIR / "db.sqlite3")}
# Reuse connections between requests; health checks drop broken ones before use.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
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
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
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

# Email: SMTP when EMAIL_HOST is set, otherwise one file per message under var/mail/ so a local
# user can read their reminders without a mail server.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mail"
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
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["stdout"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

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
REMINDER_BATCH_SIZE = env_int("REMINDER_BATCH_SIZE", 50, minimum=1)
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 5, minimum=1)
# Transient SMTP failures wait base * 2**(attempt - 1), plus up to 50% jitter, before the next try.
REMINDER_RETRY_BASE_MS = env_int("REMINDER_RETRY_BASE_MS", 30_000, minimum=0)
# A delivery still marked "sending" after this long belonged to a worker that died mid-send; it is
# sent again (the one window where a learner may get two emails). Must exceed EMAIL_TIMEOUT.
REMINDER_STALE_SECONDS = env_int("REMINDER_STALE_SECONDS", 600, minimum=1)
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
