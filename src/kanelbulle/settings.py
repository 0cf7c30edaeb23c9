"""Settings for Kanelbulle, read from the environment.

The embedded default needs nothing: SQLite (WAL) in the data directory, a secret key generated
once and kept there. ``DATABASE_URL`` selects PostgreSQL; ``KANELBULLE_PRODUCTION=true`` turns on
the settings meant for running behind HTTPS.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kanelbulle.paths import data_dir

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment, refusing anything ambiguous."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _secret_key() -> str:
    """The secret key: from the environment, else generated once into the data directory."""
    if key := os.environ.get("KANELBULLE_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
PRODUCTION = env_bool("KANELBULLE_PRODUCTION", False)
DEBUG = env_bool("KANELBULLE_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("KANELBULLE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KANELBULLE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

COMPANY_CURRENCY = os.environ.get("KANELBULLE_CURRENCY", "SEK")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_q",
    "kanelbulle.core",
    "kanelbulle.accounts",
    "kanelbulle.customers",
    "kanelbulle.meetings",
    "kanelbulle.deals",
    "kanelbulle.gifts",
    "kanelbulle.exchange",
    "kanelbulle.planner",
    "kanelbulle.insights",
    "kanelbulle.evidence",
    "kanelbulle.demo",
    "kanelbulle.privacy",
    "kanelbulle.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kanelbulle.web.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kanelbulle.urls"
WSGI_APPLICATION = "kanelbulle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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


def _databases() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if url:
        scheme = url.split(":", 1)[0] if ":" in url else url
        try:
            config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        except (ValueError, KeyError):
            config = {"ENGINE": ""}
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(
                f"DATABASE_URL must point at PostgreSQL (postgresql://user@host:5432/db), not {scheme}:…"
            )
        return {"default": config}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "kanelbulle.sqlite3"),
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; the busy timeout waits for a
                # lock instead of failing; BEGIN IMMEDIATE takes the write lock up front so an
                # upgrade from reader to writer cannot deadlock into "database is locked".
                "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            },
            "TEST": {"NAME": None},
        }
    }


DATABASES = _databases()

# The task queue (django-q2, decisions.md): its broker is the database itself, so the embedded
# SQLite needs no extra server and PostgreSQL serves many workers on many machines. A job not
# acknowledged within ``retry`` seconds (its worker died) is handed out again.
_Q_TIMEOUT = int(os.environ.get("KANELBULLE_JOB_TIMEOUT", "1800"))
Q_CLUSTER = {
    "name": "kanelbulle",
    "orm": "default",
    "workers": int(os.environ.get("KANELBULLE_JOB_WORKERS", "2")),
    "timeout": _Q_TIMEOUT,
    "retry": int(os.environ.get("KANELBULLE_JOB_RETRY", str(_Q_TIMEOUT + 60))),
    "max_attempts": 5,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 500,
    "poll": float(os.environ.get("KANELBULLE_JOB_POLL", "1")),
    "label": "Jobs",
    # A plan solve forks its two searches (planner/jobs.py); a daemonic worker may not have children.
    "daemonize_workers": False,
}
# Redis, when configured (``KANELBULLE_REDIS_URL=redis://host:6379/0``): Django's cache, and the
# sessions read through it (``cached_db``: every session is still written to the database, so a
# Redis that restarts or is out of reach logs nobody out; its errors count as cache misses).
# Jobs stay on the database broker: django-q2's Redis broker pops a job without acknowledgement,
# so a job whose worker died would be lost (docs/decisions.md). Unset: nothing is cached and the
# sessions are read from the database, as before.
REDIS_URL = os.environ.get("KANELBULLE_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("KANELBULLE_REDIS_PREFIX", "kanelbulle"),
            "TIMEOUT": 60 * 60 * 24 * 14,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "kanelbulle.redis"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout: five wrong passwords for one user from one address lock that pair (not the
# user everywhere, not everyone behind the address) for a 15-minute cool-down, then it lifts.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "kanelbulle.accounts.client_ip.client_ip"


def _proxy_count() -> int:
    raw = os.environ.get("KANELBULLE_TRUSTED_PROXIES", "").strip() or "0"
    if not raw.isdigit():
        raise ImproperlyConfigured(
            f"KANELBULLE_TRUSTED_PROXIES must be how many reverse proxies are in front (0, 1, 2…), not {raw!r}"
        )
    return int(raw)


# How many reverse proxies stand in front and append to X-Forwarded-For (0: trust no header).
KANELBULLE_TRUSTED_PROXIES = _proxy_count()

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/"
LOGIN_REDIRECT_URL = "/home/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders too, so `serve` works before collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("KANELBULLE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 404, 413, …) is one line in the log, never a traceback.
    "filters": {"client_errors": {"()": "kanelbulle.core.logs.ClientErrorsWithoutTraceback"}},
    "loggers": {"django.request": {"filters": ["client_errors"]}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KANELBULLE_LOG_LEVEL", "WARNING")},
}
