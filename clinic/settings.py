"""Settings for the twitch clinic, read from the environment.

Defaults make `make run` work on a laptop (SQLite beside manage.py, DEBUG on);
production sets DATABASE_URL, SECRET_KEY, DEBUG=false and ALLOWED_HOSTS.

Nothing is written inside the package: the SQLite default, collected static files and media
go to DATA_DIR, which is the checkout when run from one and the current directory when the
package is installed (a wheel's site-packages is no place for a database).
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

# Templates and static files live inside the package, so an installed wheel carries them.
PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent
RUNNING_FROM_CHECKOUT = (BASE_DIR / "manage.py").is_file() and (BASE_DIR / "pyproject.toml").is_file()
DATA_DIR = Path(
    os.environ.get("DATA_DIR") or (BASE_DIR if RUNNING_FROM_CHECKOUT else Path.cwd())
).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or env_bool("TESTING", False)
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before django.contrib.admin: its admin/index.html (the dashboard) overrides the admin's.
    "review",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "clinic",
    "episodes",
    "evaluations",
    "messaging",
    "interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clinic.middleware.RequestIdMiddleware",
    # A writing request, and the writer's next seconds, read from the primary, not the replica.
    "clinic.db_routers.ReplicaPinMiddleware",
    # Outside authentication, so it sees the user that the API or the session set.
    "clinic.middleware.PrivateResponseMiddleware",
    "clinic.middleware.RejectNulQueryMiddleware",
    "clinic.middleware.RequestSizeLimitMiddleware",
    "clinic.middleware.JsonDepthLimitMiddleware",
    # A view that meets the database down answers 503 (JSON for the API), not a 500.
    "clinic.unavailable.DatabaseUnavailableMiddleware",
    # The load balancer's probes, answered before anything reads the session or the user.
    "clinic.health.ProbeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware (Django's docs): the cookie, else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sign-in hardening (section "Tokens, second factor, sessions" below): idle sessions end,
    # then staff (and anyone enrolled) must pass their second factor before any other page.
    "clinic.session_timeout.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clinic.mfa.SecondFactorMiddleware",
    "clinic.zones.TimeZoneMiddleware",
    # A signed-in user's stored language (put in the session at sign-in) beats the browser's.
    "clinic.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication: a refused lookup is audited with the user who tried.
    "clinic.middleware.AuditDeniedAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Listed first so the admin overrides beat django.contrib.admin's own templates.
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "clinic.context_processors.clinic_context",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    # An empty DATABASE_URL counts as unset.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # A database that is down must fail a request in seconds, not hang it: libpq gives up
    # connecting after DB_CONNECT_TIMEOUT, the pool stops waiting after DB_POOL_TIMEOUT
    # (psycopg_pool's own default is 30 s). The request then answers 503 (clinic/unavailable.py).
    options.setdefault("connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "3")))
    if not TESTING:
        # psycopg 3's pool keeps connections warm across requests (Django >= 5.1).
        options["pool"] = {
            "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DB_POOL_MAX", "10")),
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "3")),
        }
# A PostgreSQL read replica (clinic/db_routers.py): dashboards, exports and lists read from
# it; writes, reads in a transaction and a writer's next REPLICA_PIN_SECONDS stay on default.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=0)
    DATABASES["replica"]["OPTIONS"] = {**copy.deepcopy(DATABASES["default"].get("OPTIONS", {})),
                                       **DATABASES["replica"].get("OPTIONS", {})}
    # Tests read the primary's test database through it (no second test database).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["clinic.db_routers.ReplicaRouter"]
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# Shared by every worker, so throttles and rate limits count once for the whole site: the
# database table by default (`manage.py createcachetable`, run by `make run` and the tests),
# Redis when REDIS_URL (or CACHE_URL) is set (`pip install '.[redis]'`).
_REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}
    if _REDIS_URL.startswith(("redis://", "rediss://", "unix://"))
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clinic_cache"}
}

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Fast hashing only under tests; production always uses Argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username from one IP after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

INVITATION_TTL_DAYS = 7
# Password-reset mails: per client address and per e-mail address (shared cache).
PASSWORD_RESET_RATE_PER_IP = os.environ.get("PASSWORD_RESET_RATE_PER_IP", "10/hour")
PASSWORD_RESET_RATE_PER_EMAIL = os.environ.get("PASSWORD_RESET_RATE_PER_EMAIL", "3/hour")

# --- Tokens, second factor, sessions -------------------------------------------------------
# API tokens (django-rest-knox) are stored as SHA-512 digests and expire. Staff tokens open a
# whole clinic's records and are used from shared clinic machines: one working shift (8 h,
# the same as a browser session). Parents' tokens open one child's diary from their own
# phone, where re-typing a password often would push them to weaker ones: 30 days
# (the re-authentication bound of NIST SP 800-63B rev. 3 for a single-factor login).
API_TOKEN_TTL_STAFF_HOURS = float(os.environ.get("API_TOKEN_TTL_STAFF_HOURS", "8"))
API_TOKEN_TTL_PARENT_DAYS = float(os.environ.get("API_TOKEN_TTL_PARENT_DAYS", "30"))
REST_KNOX = {
    "TOKEN_TTL": None,  # always chosen per user by clinic.tokens.token_ttl_for
    "TOKEN_LIMIT_PER_USER": None,
    "AUTO_REFRESH": False,  # an absolute expiry: a stolen token cannot be kept alive
}
# Clinicians, reviewers and clinic admins pass a second factor (TOTP, or a one-time recovery
# code) after their password, on every login page, the admin and the token endpoint.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", not DEBUG)
# The admin never shows an authenticator's secret again (key or QR code); a lost one is deleted
# and its owner enrols anew.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Twitch clinic")
MFA_RECOVERY_CODES = 10
# Idle sessions end. Staff: 15 minutes, since clinic workstations are shared and left
# unlocked between patients (the AAL3 inactivity bound of NIST SP 800-63B rev. 3; usual EHR policy).
# Parents: 60 minutes on their own phone, long enough to fill in a report with a video while
# tending a baby without losing it. The absolute lifetime stays SESSION_COOKIE_AGE (8 h).
SESSION_IDLE_TIMEOUT_STAFF = int(os.environ.get("SESSION_IDLE_TIMEOUT_STAFF", str(15 * 60)))
SESSION_IDLE_TIMEOUT_PARENT = int(os.environ.get("SESSION_IDLE_TIMEOUT_PARENT", str(60 * 60)))

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preloading is a promise to browser vendors that is slow to undo: the operator opts in.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Load balancers probe the health endpoints over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]  # preload is opt-in
if env_bool("BEHIND_TLS_PROXY", False):
    # The proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Strict CSP: everything from our own origin; scripts need the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "staticfiles"))
# clinic/static is found as an app directory; Bootstrap is vendored in clinic/static/vendor/
# (no CDN, so the app works offline under a strict CSP).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# No MEDIA_URL route is served: uploads go out only through access-checked views.
STORAGES = {
    "default": {"BACKEND": os.environ.get(
        "MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if STORAGES["default"]["BACKEND"].startswith("storages."):
    AWS_STORAGE_BUCKET_NAME = os.environ.get("MEDIA_BUCKET", "")
    AWS_S3_ENDPOINT_URL = os.environ.get("MEDIA_ENDPOINT_URL") or None
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True

MAX_VIDEO_UPLOAD_BYTES = int(os.environ.get("MAX_VIDEO_UPLOAD_MB", "200")) * 1024 * 1024
MAX_PHOTO_UPLOAD_BYTES = int(os.environ.get("MAX_PHOTO_UPLOAD_MB", "15")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # a request body other than files
# A whole request, checked from Content-Length before anything is read: the largest file
# plus room for the form around it (clinic.middleware.RequestSizeLimitMiddleware).
MAX_REQUEST_BYTES = max(MAX_VIDEO_UPLOAD_BYTES, MAX_PHOTO_UPLOAD_BYTES) + 1024 * 1024
MAX_ATTACHMENTS_PER_EPISODE = int(os.environ.get("MAX_ATTACHMENTS_PER_EPISODE", "5"))
MAX_JSON_DEPTH = 32  # deepest JSON body accepted (clinic.middleware.JsonDepthLimitMiddleware)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")

# --- Background tasks -----------------------------------------------------------------------
# Development and tests run tasks at once; production uses the database backend
# (django-tasks-db) with `manage.py db_worker` beside gunicorn.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so anonymous callers get 401 with a WWW-Authenticate header.
        "clinic.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's three, with JSON refusing lone surrogates (a 400 on the field, not a 500).
    "DEFAULT_PARSER_CLASSES": [
        "clinic.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "clinic.api_schema.ClinicAutoSchema",  # documents the 4xx answers
    "EXCEPTION_HANDLER": "clinic.api_errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    # Proxies in front of the app that append to X-Forwarded-For. With DRF's default
    # (None) a client picks its own throttle identity by sending that header.
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
}
# The schema and docs describe every endpoint; in production only signed-in users read them.
API_DOCS_REQUIRE_LOGIN = env_bool("API_DOCS_REQUIRE_LOGIN", not DEBUG)
SPECTACULAR_SETTINGS = {
    "TITLE": "Twitch clinic API",
    "DESCRIPTION": "Episodes, triage, evaluations, follow-up suggestions and FHIR export.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Clinic ---------------------------------------------------------------------------------
# Shown in emergency advice when a clinic has not configured its own.
DEFAULT_EMERGENCY_NUMBER = os.environ.get("DEFAULT_EMERGENCY_NUMBER", "911")
CORRECT_AGE_UNTIL_MONTHS = int(os.environ.get("CORRECT_AGE_UNTIL_MONTHS", "24"))
REVIEW_OVERDUE_URGENT_HOURS = float(os.environ.get("REVIEW_OVERDUE_URGENT_HOURS", "4"))
REVIEW_OVERDUE_SOON_DAYS = float(os.environ.get("REVIEW_OVERDUE_SOON_DAYS", "3"))

# --- Audit trail growth (PostgreSQL: monthly partitions, clinic/audit_partitions.py) -----
# Months of audit events kept in the database; `audit_archive` refuses younger months.
# Six years by default: the longest documentation retention commonly asked of US practices
# (HIPAA); local law may ask for more. Archives go to AUDIT_ARCHIVE_DIR.
AUDIT_RETENTION_MONTHS = int(os.environ.get("AUDIT_RETENTION_MONTHS", "72"))
AUDIT_ARCHIVE_DIR = Path(os.environ.get("AUDIT_ARCHIVE_DIR", DATA_DIR / "audit-archive"))

LANGUAGE_CODE = "en"
# Each language named in itself, as the navbar's switch shows it.
LANGUAGES = [("en", "English"), ("es", "Español")]
# One catalog for every app, inside the package so the wheel carries it (package-data
# locale/**/*); .po in the repository, .mo compiled by `make install` and the wheel build.
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"database_down": {"()": "clinic.unavailable.DropDatabaseDownTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["database_down"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
