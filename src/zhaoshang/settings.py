"""Settings for Zhaoshang: one file, every knob read from the environment.

Development (the default) needs nothing set: SQLite under ``var/``, DEBUG on,
a throwaway secret. ``ZHAOSHANG_ENV=production`` turns on every 等保 2.0 /
``check --deploy`` item and refuses to start without a real secret key, so a
misconfigured server fails loudly instead of running insecurely.

Every path comes from this file's location or from ``ZHAOSHANG_VAR_DIR``, never
from the current directory: ``zhaoshang migrate`` run from another folder must
migrate the same database, not make a new empty one there (:func:`var_dir`).
Importing this module touches nothing on disk; the entry points create the var
dir when they start (``zhaoshang.vardir``).
"""

from __future__ import annotations

import importlib.util
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

#: the package: templates, static files and translations ship inside it
BASE_DIR = Path(__file__).resolve().parent


def envstr(name: str, default: str = "") -> str:
    """A string from the environment; blank counts as unset."""
    return os.environ.get(name, "").strip() or default


def envbool(name: str, default: bool = False) -> bool:
    """A boolean from the environment; anything unrecognised is an error, not False."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def envint(name: str, default: int) -> int:
    """An integer from the environment; a typo fails at start-up, not at first use."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    """A comma-separated list from the environment."""
    raw = os.environ.get(name, "").strip()
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else default


def envsecret(name: str, default: str | None = None) -> str:
    """A secret from ``NAME``, or the stripped content of the file ``NAME_FILE`` names.

    The file form keeps secrets out of the process environment (Docker and
    systemd credentials). Both set is an error, and so is a file that cannot be
    read or is empty: a secret never falls back to the default by accident.
    With no ``default`` the secret is required (32+ characters).
    """
    value = os.environ.get(name, "").strip()
    path = os.environ.get(f"{name}_FILE", "").strip()
    if value and path:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE: cannot read {path!r} ({exc.strerror or exc})"
            ) from exc
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE: {path!r} is empty")
    if default is not None:
        return value or default
    if len(value) < 32:
        raise ImproperlyConfigured(
            f"{name} (or {name}_FILE) must be set to a random string of 32+ characters"
        )
    return value


def source_checkout(package_dir: Path) -> Path | None:
    """The checkout when the package sits at ``<checkout>/src/zhaoshang``, else None."""
    root = package_dir.parent.parent
    if package_dir.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def user_data_dir() -> Path:
    """The per-user data directory (XDG): ``$XDG_DATA_HOME/zhaoshang`` or ``~/.local/share/…``."""
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "zhaoshang"


def var_dir(configured: str, *, checkout: Path | None, production: bool) -> Path:
    """Where the SQLite file, the job queue, uploads and collected static files live.

    ``ZHAOSHANG_VAR_DIR`` (absolute) when set; else ``<checkout>/var`` in a
    source checkout, so ``make run`` and ``zhaoshang …`` from any folder share
    one database. An installed package has no checkout: production must say
    where its data lives, development falls back to the per-user directory.
    """
    if configured:
        path = Path(configured)
        if not path.is_absolute():
            raise ImproperlyConfigured(
                f"ZHAOSHANG_VAR_DIR must be an absolute path, got {configured!r}"
            )
        return path
    if checkout is not None:
        return checkout / "var"
    if production:
        raise ImproperlyConfigured(
            "ZHAOSHANG_VAR_DIR must be set in production when zhaoshang is installed as a "
            "package: the absolute directory for its job queue, uploads and static files"
        )
    return user_data_dir()


def database_from_url(url: str) -> dict[str, object]:
    """Translate ``DATABASE_URL`` into a Django DATABASES entry.

    SQLite gets WAL, ``BEGIN IMMEDIATE`` and a busy timeout so that the web
    server, huey and the CLI can share one file without "database is locked".
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/to/PROJECT_DIR.db  or  sqlite:////absolute/path.db
        path = unquote(parts.path)
        name = Path(path[1:]) if path.startswith("//") else PROJECT_DIR / path.lstrip("/")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(name),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": envstr("ZHAOSHANG_TEST_SQLITE", "") or None},
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "zhaoshang",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": envint("ZHAOSHANG_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported (use sqlite:/// or postgres://)"
    )


ENV = envstr("ZHAOSHANG_ENV", "development")
if ENV not in {"development", "production"}:
    raise ImproperlyConfigured("ZHAOSHANG_ENV must be 'development' or 'production'")
PRODUCTION = ENV == "production"

CHECKOUT_DIR = source_checkout(BASE_DIR)
VAR_DIR = var_dir(envstr("ZHAOSHANG_VAR_DIR"), checkout=CHECKOUT_DIR, production=PRODUCTION)
#: what a relative ``sqlite:///name.db`` is relative to: the checkout, else the var dir
PROJECT_DIR = CHECKOUT_DIR or VAR_DIR

DEBUG = envbool("ZHAOSHANG_DEBUG", not PRODUCTION)
SECRET_KEY = envsecret(
    "ZHAOSHANG_SECRET_KEY",
    None if PRODUCTION else "dev-only-insecure-key-change-me-0123456789abcdef",
)
ALLOWED_HOSTS = envlist(
    "ZHAOSHANG_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = envlist("ZHAOSHANG_CSRF_TRUSTED_ORIGINS", [])

DATABASES = {
    "default": database_from_url(
        envsecret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'zhaoshang.sqlite3'}")
    )
}
REDIS_URL = envsecret("REDIS_URL", "")

INSTALLED_APPS = [
    "zhaoshang.core",
    "zhaoshang.projects",
    "zhaoshang.construction",
    "zhaoshang.targets",
    "zhaoshang.approvals",
    "zhaoshang.reports",
    "zhaoshang.imports",
    "zhaoshang.core.apps.ZhaoshangAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",  # serves Swagger UI from static files, not a CDN (intranets; CSP 'self')
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "huey.contrib.djhuey",
]

#: the addresses of the reverse proxies (nginx) whose X-Real-IP header names the client
ZHAOSHANG_TRUSTED_PROXIES = envlist("ZHAOSHANG_TRUSTED_PROXIES", [])

MIDDLEWARE = [
    "zhaoshang.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "zhaoshang.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhaoshang.core.middleware.UserLanguageMiddleware",
    "zhaoshang.core.middleware.SessionTimeoutMiddleware",
    "zhaoshang.core.middleware.AccountPolicyMiddleware",
    "zhaoshang.core.middleware.BusyDatabaseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhaoshang.urls"
WSGI_APPLICATION = "zhaoshang.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Django's widget templates, with inputs and selects written in Python (core/renderers.py)
FORM_RENDERER = "zhaoshang.core.renderers.FastRenderer"

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
                "zhaoshang.core.context_processors.navigation",
            ],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend reading the user with area and unit (one query, not three, per page)
    "zhaoshang.core.backends.AccountBackend",
    # kept so sessions signed in before the upgrade stay signed in
    "django.contrib.auth.backends.ModelBackend",
]

# --- 等保 2.0 L3: passwords -------------------------------------------------
PASSWORD_MAX_AGE_DAYS = envint("ZHAOSHANG_PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "zhaoshang.core.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhaoshang.core.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]

# --- 等保 2.0 L3: lockout (django-axes) -------------------------------------
AXES_FAILURE_LIMIT = envint("ZHAOSHANG_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("ZHAOSHANG_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhaoshang.core.views.lockout"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
#: failure counts as rows (``axes.AccessAttempt``), so every app process sees the same count
#: with or without Redis; the cache handler would lose them when Redis restarts or evicts,
#: and the admin's early unlock and the audit trail read the rows (docs/deploy.md)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# --- 等保 2.0 L3: sessions ---------------------------------------------------
SESSION_IDLE_TIMEOUT = timedelta(minutes=envint("ZHAOSHANG_IDLE_TIMEOUT_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=envint("ZHAOSHANG_ABSOLUTE_TIMEOUT_HOURS", 8))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
#: sessions are rows in the database (every process reads them); with Redis, cached there too
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
OTP_TOTP_ISSUER = "招商引资平台"
#: no doubling delay: the right code works at once after a wrong one; five wrong codes
#: in a row close the step for 15 minutes instead (core.services.otp_locked_until)
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_REQUIRED_ROLES = ("admin", "leader")

# --- secure headers ----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "zhaoshang.core.views.csrf_failure"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'self'; object-src 'none'"
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("ZHAOSHANG_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("ZHAOSHANG_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- cache, jobs -------------------------------------------------------------
# With REDIS_URL (several app servers) the cache and the job queue live in Redis, shared by
# every process; without it one host's processes share the database and the SQLite queue,
# and the cache is per process (nothing relies on it being shared: docs/deploy.md).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "zhaoshang",
            "TIMEOUT": 300,
        }
    }
    HUEY: dict[str, object] = {
        "huey_class": "huey.RedisHuey",
        "name": "zhaoshang",
        "url": REDIS_URL,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        # opens its file as soon as djhuey loads, in any process: it makes its own directory
        "huey_class": "zhaoshang.vardir.SqliteHuey",
        "name": "zhaoshang",
        "filename": str(VAR_DIR / "huey.sqlite3"),
    }
# djhuey would otherwise run tasks in-process whenever DEBUG is on, and refuse a consumer
HUEY["immediate"] = envbool("ZHAOSHANG_HUEY_IMMEDIATE", False)
#: ledgers up to this many rows import within the request; larger ones run as a huey job
ZHAOSHANG_IMPORT_INLINE_ROWS = envint("ZHAOSHANG_IMPORT_INLINE_ROWS", 2000)

# --- alerts: email, robots, outbox, the daily sweep (docs/alerts.md) -----------
EMAIL_BACKEND = envstr("ZHAOSHANG_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("ZHAOSHANG_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("ZHAOSHANG_EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("ZHAOSHANG_EMAIL_USER")
EMAIL_HOST_PASSWORD = envsecret("ZHAOSHANG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("ZHAOSHANG_EMAIL_TLS", False)
EMAIL_USE_SSL = envbool("ZHAOSHANG_EMAIL_SSL", False)
EMAIL_TIMEOUT = envint("ZHAOSHANG_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = envstr("ZHAOSHANG_EMAIL_FROM", "zhaoshang@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
#: how links in emails and robot messages start (e.g. https://zs.example.gov.cn); blank: paths
ZHAOSHANG_SITE_URL = envstr("ZHAOSHANG_SITE_URL").rstrip("/")
#: a webhook that has not answered within this many seconds counts as a failed attempt
ZHAOSHANG_WEBHOOK_TIMEOUT = envint("ZHAOSHANG_WEBHOOK_TIMEOUT", 10)
#: tries before an outbox message is given up (dead); waits double from 1 minute up to the cap
ZHAOSHANG_OUTBOX_MAX_ATTEMPTS = envint("ZHAOSHANG_OUTBOX_MAX_ATTEMPTS", 12)
ZHAOSHANG_OUTBOX_MAX_BACKOFF_MINUTES = envint("ZHAOSHANG_OUTBOX_MAX_BACKOFF_MINUTES", 60)
#: a message left "sending" this long (its worker died) is tried again
ZHAOSHANG_OUTBOX_STALE_MINUTES = envint("ZHAOSHANG_OUTBOX_STALE_MINUTES", 10)
#: the hour (Asia/Shanghai) of the daily sweep on working days, and how long a step's lock lives
ZHAOSHANG_SWEEP_HOUR = envint("ZHAOSHANG_SWEEP_HOUR", 8)
ZHAOSHANG_SWEEP_LEASE_MINUTES = envint("ZHAOSHANG_SWEEP_LEASE_MINUTES", 60)

# --- backup (core.backup, docs/operations.md) ------------------------------------
#: where the job worker writes the daily archive, and how many it keeps (0: no daily backup)
ZHAOSHANG_BACKUP_DIR = Path(envstr("ZHAOSHANG_BACKUP_DIR") or VAR_DIR / "backups")
ZHAOSHANG_BACKUP_KEEP = envint("ZHAOSHANG_BACKUP_KEEP", 14)
#: the daily backup runs at this hour:30, Asia/Shanghai (every day, holidays too)
ZHAOSHANG_BACKUP_HOUR = envint("ZHAOSHANG_BACKUP_HOUR", 2)

# --- i18n --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
#: dates as 2026-11-29 and money as 1,234.50 in both languages (zhaoshang/formats)
FORMAT_MODULE_PATH = ["zhaoshang.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]


def file_storage(kind: str) -> dict[str, object]:
    """The ``default`` storage of uploaded files: ``local``, ``db`` or ``s3`` (docs/deploy.md).

    ``local`` keeps them under ``MEDIA_ROOT`` (one host); ``db`` in the
    database (``core.storage.DatabaseStorage``: every app server and worker
    sees them, and a database backup holds them); ``s3`` in an S3-compatible
    store through django-storages, which is then required.
    """
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind == "db":
        return {"BACKEND": "zhaoshang.core.storage.DatabaseStorage"}
    if kind == "s3":
        if importlib.util.find_spec("storages") is None:
            raise ImproperlyConfigured(
                "ZHAOSHANG_FILE_STORAGE=s3 needs django-storages: pip install 'django-storages[s3]'"
            )
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": envstr("ZHAOSHANG_S3_BUCKET"),
                "endpoint_url": envstr("ZHAOSHANG_S3_ENDPOINT_URL") or None,
                "region_name": envstr("ZHAOSHANG_S3_REGION") or None,
                "access_key": envstr("ZHAOSHANG_S3_ACCESS_KEY") or None,
                "secret_key": envsecret("ZHAOSHANG_S3_SECRET_KEY", "") or None,
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
            },
        }
    raise ImproperlyConfigured(f"ZHAOSHANG_FILE_STORAGE must be local, db or s3, got {kind!r}")


#: uploads in the database by default on PostgreSQL (the multi-host setup), on disk with SQLite
ZHAOSHANG_FILE_STORAGE = envstr(
    "ZHAOSHANG_FILE_STORAGE",
    "db" if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" else "local",
)
STORAGES = {
    "default": file_storage(ZHAOSHANG_FILE_STORAGE),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
#: the one upload limit: ledgers to import and evidence files alike
ZHAOSHANG_MAX_UPLOAD_MB = envint("ZHAOSHANG_MAX_UPLOAD_MB", 20)
#: a project with no stage move and no activity for this many days is "stuck" (六未)
ZHAOSHANG_STUCK_DAYS = envint("ZHAOSHANG_STUCK_DAYS", 60)
#: a running import with no heartbeat for this long is failed as interrupted (imports.services)
ZHAOSHANG_IMPORT_STALE_SECONDS = envint("ZHAOSHANG_IMPORT_STALE_SECONDS", 300)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("ZHAOSHANG_LOG_LEVEL", "WARNING")},
}
