"""Django settings for beredt, read from environment variables with safe defaults.

Embedded default (``make demo``): SQLite under ``var/`` and an in-process job thread.
Production (``BEREDT_PRODUCTION=1``): ``DATABASE_URL`` (PostgreSQL), ``BEREDT_JOBS=rq``
with ``REDIS_URL`` and workers started by ``beredt worker``, a secret key from
``BEREDT_SECRET_KEY``, HTTPS-only cookies and HSTS; ``manage.py check --deploy`` is clean.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from xstatic.pkg import leaflet as xstatic_leaflet

PACKAGE_DIR = Path(__file__).resolve().parent
BEREDT_HOME = Path(os.environ.get("BEREDT_HOME", Path.cwd() / "var")).resolve()


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = _flag("BEREDT_PRODUCTION")
DEBUG = _flag("BEREDT_DEBUG", default=False) and not PRODUCTION

SECRET_KEY = os.environ.get("BEREDT_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("BEREDT_SECRET_KEY must be set in production")
    # Development only: a fixed key is fine for a local demo, never for production.
    SECRET_KEY = "beredt-development-only-key-not-for-production-use-0123456789abcdef"

ALLOWED_HOSTS = _list("BEREDT_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _list("BEREDT_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "beredt.web.accounts",
    "beredt.web.audit",
    "beredt.web.care",
    "beredt.web.plans",
    "beredt.web.transfer",
    "beredt.web.notices",
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
    "beredt.web.accounts.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "beredt.web.urls"
WSGI_APPLICATION = "beredt.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "beredt.web.accounts.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BEREDT_HOME / 'beredt.sqlite3'}"),
        conn_max_age=int(os.environ.get("BEREDT_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The in-process job thread writes while requests read: write-ahead logging lets
    # readers go on during a write, IMMEDIATE transactions take the write lock up front
    # (no lock-upgrade deadlocks), and a writer waits up to 20 s instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes), per user name.
AXES_FAILURE_LIMIT = int(os.environ.get("BEREDT_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("BEREDT_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("BEREDT_SESSION_SECONDS", str(10 * 60 * 60)))
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("BEREDT_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("BEREDT_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian bokmål")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BEREDT_HOME / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static", ("leaflet", xstatic_leaflet.BASE_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# `beredt serve` serves static files from the package without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Background jobs: "thread" (in-process, the embedded default), "rq" (Redis queue with
# `beredt worker` processes) or "sync" (run inside the request; tests only).
BEREDT_JOBS = os.environ.get("BEREDT_JOBS", "thread")
if BEREDT_JOBS not in {"thread", "rq", "sync"}:
    raise ImproperlyConfigured(f"BEREDT_JOBS={BEREDT_JOBS!r}: choose thread, rq or sync")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
BEREDT_RQ_QUEUE = os.environ.get("BEREDT_RQ_QUEUE", "beredt")

# Planner settings for the web app.
BEREDT_PLAN_SECONDS = float(os.environ.get("BEREDT_PLAN_SECONDS", "10"))
# After a plan that leaves class-1 care out, a job asks whether any plan could keep it:
# this many seconds of the route bound per such day (0: no check).
BEREDT_CHECK_SECONDS = float(os.environ.get("BEREDT_CHECK_SECONDS", "60"))
BEREDT_MAP_TILE_URL = os.environ.get(
    "BEREDT_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
BEREDT_MAP_ATTRIBUTION = os.environ.get(
    "BEREDT_MAP_ATTRIBUTION", "&copy; OpenStreetMap contributors"
)

# Change notices: a kept visit moved by more than this many minutes outside its window
# is a change the client is told about; a notice not reached is called again after
# BEREDT_NOTICE_RETRY_MINUTES; the crisis team is shown open notices older than
# BEREDT_NOTICE_ALERT_HOURS.
BEREDT_NOTICE_MOVE_MARGIN = int(os.environ.get("BEREDT_NOTICE_MOVE_MARGIN", "30"))
BEREDT_NOTICE_RETRY_MINUTES = int(os.environ.get("BEREDT_NOTICE_RETRY_MINUTES", "60"))
BEREDT_NOTICE_ALERT_HOURS = float(os.environ.get("BEREDT_NOTICE_ALERT_HOURS", "4"))
# Text messages: "console" (write to BEREDT_HOME/sms.log, the default) or "http" (POST to
# BEREDT_SMS_URL with BEREDT_SMS_TOKEN); failures are retried with back-off.
BEREDT_SMS_BACKEND = os.environ.get("BEREDT_SMS_BACKEND", "console")
BEREDT_SMS_URL = os.environ.get("BEREDT_SMS_URL", "")
BEREDT_SMS_TOKEN = os.environ.get("BEREDT_SMS_TOKEN", "")
BEREDT_SMS_SENDER = os.environ.get("BEREDT_SMS_SENDER", "beredt")
BEREDT_SMS_MAX_ATTEMPTS = int(os.environ.get("BEREDT_SMS_MAX_ATTEMPTS", "6"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BEREDT_LOG_LEVEL", "WARNING")},
}
