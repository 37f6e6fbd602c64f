"""One environment-driven settings file (after healthchecks' hc/settings.py).

SQLite (WAL) is the embedded default; PostgreSQL when DATABASE_URL says so.
Production is SHIAN_DEBUG unset/false: then SHIAN_SECRET_KEY and SHIAN_ALLOWED_HOSTS must be set.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(os.environ.get("SHIAN_DATA_DIR", PROJECT_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless SHIAN_DEBUG=true (the demo and the development server set it): a debug page lists
# every URL and an API error returns its traceback.
DEBUG = _env_bool("SHIAN_DEBUG", False)


def _secret_key() -> str:
    key = os.environ.get("SHIAN_SECRET_KEY", "")
    if key:
        return key
    # Not given: a random key kept in the data folder (readable by its owner only), never a key
    # written in code. `check --deploy` refuses a short or well-known key (shian.core.checks).
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _env_list("SHIAN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = _env_list("SHIAN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "ninja",
    # Layers, lowest first (imports point down only; see docs/architecture.md).
    "shian.core",
    "shian.registry",
    "shian.sampling",
    "shian.inspections",
    "shian.trace",
    "shian.enforcement",
    "shian.complaints",
    "shian.incidents",
    "shian.sources",
    "shian.workforce",
    "shian.schools",
    "shian.risk",
    "shian.planning",
    "shian.metrics",
    "shian.reports",
    "shian.jobs",
    "shian.portal",
    "shian.web",
    "shian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shian.web.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shian.urls"
WSGI_APPLICATION = "shian.wsgi.application"

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
                "django.template.context_processors.i18n",
                "shian.web.context.navigation",
            ],
            # {% version_input obj %} on every edit form (core.concurrency).
            "builtins": ["shian.core.templatetags.versions"],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "") or f"sqlite:///{DATA_DIR / 'shian.sqlite3'}"
if DATABASE_URL.startswith("sqlite"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
# Connections are kept between requests (a new SQLite connection starts with a cold page cache, a
# new PostgreSQL one costs a fork on the server) and checked before reuse: a server whose
# PostgreSQL restarted gets a fresh connection on the next request, no restart needed.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("SHIAN_CONN_MAX_AGE", "600")), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer works; IMMEDIATE takes the write lock at BEGIN,
        # so two writers queue instead of failing with "database is locked" halfway through.
        # A 64 MB page cache (the default is 2 MB) keeps the register's indexes in memory: a
        # 100,000-row import inserts into eight B-trees at random places.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
            "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "shian.core.throttle.AddressThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: lock an account-and-address pair after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("SHIAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
# And any login from an address after this many failures across all usernames (an office behind
# one address has many people: higher than the per-account limit).
SHIAN_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SHIAN_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("SHIAN_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serves straight from the app folders when collectstatic was not run
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Imports: the largest file and the most data rows one upload may hold (a clear refusal beyond,
# before the file is parsed: a 1,048,575-row sheet would hold a server thread for minutes).
SHIAN_IMPORT_MAX_BYTES = int(os.environ.get("SHIAN_IMPORT_MAX_BYTES", str(60 * 1024 * 1024)))
SHIAN_IMPORT_MAX_ROWS = int(os.environ.get("SHIAN_IMPORT_MAX_ROWS", "200000"))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Evidence files of enforcement cases (enforcement.evidence_files): the largest one file, and the
# kinds taken (judged by content): photos, PDF, Word and Excel files.
SHIAN_EVIDENCE_MAX_BYTES = int(os.environ.get("SHIAN_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
SHIAN_EVIDENCE_KINDS = tuple(
    k.strip()
    for k in os.environ.get("SHIAN_EVIDENCE_KINDS", "jpg,png,webp,pdf,docx,xlsx").split(",")
    if k.strip()
)

# Sessions and cookies: short-lived, HTTP-only, secure outside development.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("SHIAN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SHIAN_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _env_bool("SHIAN_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHIAN_LOG_LEVEL", "WARNING")},
}

# Register list: rows per page.
SHIAN_PAGE_SIZE = 50
# Lists count at most this many rows (shian.core.lists.CappedPaginator): a longer list shows
# "10,000+" and keeps its pager, instead of an exact COUNT(*) of the whole table on every page.
SHIAN_LIST_COUNT_CAP = int(os.environ.get("SHIAN_LIST_COUNT_CAP", "10000"))

# Background jobs (shian.jobs): a list longer than SHIAN_EXPORT_SYNC_ROWS is exported by a job with a
# progress bar; shorter ones download at once. The runner: "subprocess" (a detached `shian jobs run`
# per job), "thread" (in the server process), "worker" (a `shian jobs work` service), "inline".
SHIAN_EXPORT_SYNC_ROWS = int(os.environ.get("SHIAN_EXPORT_SYNC_ROWS", "5000"))
SHIAN_JOBS_RUNNER = os.environ.get("SHIAN_JOBS_RUNNER", "subprocess")
if SHIAN_JOBS_RUNNER not in ("subprocess", "thread", "worker", "inline"):
    raise ImproperlyConfigured(
        f"SHIAN_JOBS_RUNNER={SHIAN_JOBS_RUNNER!r}: expected subprocess, thread, worker or inline"
    )
SHIAN_JOBS_DIR = Path(os.environ.get("SHIAN_JOBS_DIR", DATA_DIR / "jobs"))
SHIAN_JOBS_STALE_MINUTES = int(os.environ.get("SHIAN_JOBS_STALE_MINUTES", "10"))
# Trace capture: the databases ("postgresql", "sqlite", comma-separated) on which a document of
# 4,000 events or more is written by a writer thread while the next chunk's rows are built
# (shian.trace.services, docs/trace.md). Off by default: on a 2-core machine shared with the
# database it gained nothing; worth trying as "postgresql" where PostgreSQL has cores of its own.
SHIAN_TRACE_PIPELINE_VENDORS = frozenset(_env_list("SHIAN_TRACE_PIPELINE_VENDORS", ""))
if not {"postgresql", "sqlite"} >= SHIAN_TRACE_PIPELINE_VENDORS:
    raise ImproperlyConfigured(
        f"SHIAN_TRACE_PIPELINE_VENDORS={sorted(SHIAN_TRACE_PIPELINE_VENDORS)!r}: expected postgresql and/or sqlite"
    )
# Default jurisdiction (GB/T 2260): Beichen District, Tianjin.
SHIAN_DISTRICT_CODE = os.environ.get("SHIAN_DISTRICT_CODE", "120113")
SHIAN_SITE_NAME = _("Food safety platform")
