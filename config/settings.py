"""Docket settings. Everything that varies by site comes from the environment (see API.md and config/env.py)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_path, env_str
from config.keys import KEY_FILE_NAME, check_key, load_or_create_key
from privacy.crypto import KEY_FILE_NAME as IDENTITY_KEY_FILE_NAME

BASE_DIR = Path(__file__).resolve().parent.parent

DATA_DIR = env_path("DOCKET_DATA_DIR", str(BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)
EVIDENCE_DIR = DATA_DIR / "evidence"
UPLOAD_TMP_DIR = DATA_DIR / "tmp"
SEARCH_INDEX_DIR = DATA_DIR / "index"
DOCUMENT_TEMPLATES_DIR = DATA_DIR / "templates"

# Where evidence files and document templates are kept: "local" (folders in DATA_DIR, the default) or "s3" (an
# S3-compatible bucket through django-storages). Both are Django storages (evidence.blobstores, evidence.s3storage).
DOCKET_STORAGE = env_str("DOCKET_STORAGE", "local")
if DOCKET_STORAGE == "local":
    _EVIDENCE_STORAGE = {"BACKEND": "evidence.blobstores.LocalBlobStorage",
                         "OPTIONS": {"location_setting": "EVIDENCE_DIR"}}
    _TEMPLATES_STORAGE = {"BACKEND": "evidence.blobstores.LocalBlobStorage",
                          "OPTIONS": {"location_setting": "DOCUMENT_TEMPLATES_DIR"}}
elif DOCKET_STORAGE == "s3":
    if not env_str("DOCKET_S3_BUCKET", ""):
        raise ImproperlyConfigured("DOCKET_STORAGE=s3 needs DOCKET_S3_BUCKET (and usually DOCKET_S3_ENDPOINT_URL).")
    _S3_OPTIONS = {
        "bucket_name": env_str("DOCKET_S3_BUCKET", ""),
        "endpoint_url": env_str("DOCKET_S3_ENDPOINT_URL", "") or None,
        "region_name": env_str("DOCKET_S3_REGION", "") or None,
        "addressing_style": env_str("DOCKET_S3_ADDRESSING_STYLE", "") or None,
        # Unset, boto3 looks for credentials itself (instance role, ~/.aws); the values are never logged.
        "access_key": env_str("AWS_ACCESS_KEY_ID", "") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY", "") or None,
        "conditional_writes": env_bool("DOCKET_S3_CONDITIONAL_WRITES", True),
    }
    _S3_PREFIX = env_str("DOCKET_S3_PREFIX", "").strip("/")
    _EVIDENCE_STORAGE = {"BACKEND": "evidence.s3storage.S3BlobStorage",
                         "OPTIONS": {**_S3_OPTIONS, "location": "/".join(filter(None, [_S3_PREFIX, "evidence"]))}}
    _TEMPLATES_STORAGE = {"BACKEND": "evidence.s3storage.S3BlobStorage",
                          "OPTIONS": {**_S3_OPTIONS, "location": "/".join(filter(None, [_S3_PREFIX, "templates"]))}}
else:
    raise ImproperlyConfigured(f"DOCKET_STORAGE must be 'local' or 's3', not {DOCKET_STORAGE!r}.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "evidence": _EVIDENCE_STORAGE,
    "templates": _TEMPLATES_STORAGE,
    "intake": {"BACKEND": "intake.storage.IntakeBlobStorage"},  # public reports' files until triage (local)
}

DOCKET_MAX_UPLOAD_BYTES = env_int("DOCKET_MAX_UPLOAD_BYTES", 2 * 1024 * 1024 * 1024)
# Public intake (/report/): reports accepted per address per window, the largest file a member of the public may
# send (never more than DOCKET_MAX_UPLOAD_BYTES).
DOCKET_INTAKE_RATE = env_int("DOCKET_INTAKE_RATE", 10)
DOCKET_INTAKE_WINDOW_SECONDS = env_int("DOCKET_INTAKE_WINDOW_SECONDS", 3600)
DOCKET_INTAKE_MAX_UPLOAD_BYTES = env_int("DOCKET_INTAKE_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
# Map tiles (e.g. "https://tiles.example.org/{z}/{x}/{y}.png"): off by default, the bundled outlines are used.
DOCKET_MAP_TILE_URL = env_str("DOCKET_MAP_TILE_URL", "")
# Which search backend serves queries: "whoosh" (default, embedded) or "postgres".
DOCKET_SEARCH_BACKEND = env_str("DOCKET_SEARCH_BACKEND", "whoosh")

DEBUG = env_bool("DEBUG", False)
# Signs sessions and calendar URLs. Unset, a random key is made once and kept in DATA_DIR (config/keys.py);
# a key published in the source is refused, and so is a weak one when DEBUG is off.
SECRET_KEY = env_str("SECRET_KEY", "") or load_or_create_key(DATA_DIR / KEY_FILE_NAME)
check_key("SECRET_KEY", SECRET_KEY, production=not DEBUG)
# Seals the custody chain (HMAC of every entry). Keep it stable and secret: rotating it invalidates every seal.
# Unset, SECRET_KEY is used — then rotating SECRET_KEY would make every custody seal fail verification.
DOCKET_CUSTODY_KEY = env_str("DOCKET_CUSTODY_KEY", "")
if DOCKET_CUSTODY_KEY:
    # Only a published key is refused here: a site cannot change its custody key without breaking its seals.
    check_key("DOCKET_CUSTODY_KEY", DOCKET_CUSTODY_KEY, production=False)
# Encrypts persons' identities at rest (AES-256-GCM) and keys the search index's blind hashes (privacy/crypto.py).
# Unset, a random key is made once and kept in DATA_DIR/identity_key (so `make run` works); in production set it in
# the environment and keep it out of the data folder and its backups (`check --deploy` warns). After a change of key,
# the old one goes in DOCKET_IDENTITY_PREVIOUS_KEYS until `manage.py rotate_identity_key` has re-sealed everything.
DOCKET_IDENTITY_KEY_FROM_FILE = not env_str("DOCKET_IDENTITY_KEY", "")
DOCKET_IDENTITY_KEY = env_str("DOCKET_IDENTITY_KEY", "") or load_or_create_key(
    DATA_DIR / IDENTITY_KEY_FILE_NAME, depends="every person's real name, contacts and consent notes")
check_key("DOCKET_IDENTITY_KEY", DOCKET_IDENTITY_KEY, production=False)
DOCKET_IDENTITY_PREVIOUS_KEYS = env_list("DOCKET_IDENTITY_PREVIOUS_KEYS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_filters",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "cases",
    "evidence",
    "deadlines",
    "search",
    "documents",
    "litigation",
    "intake",
    "exchange",
    "stats",
    "accounts",
    "ops",
    "privacy",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.form_stash.FormStashMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "intake.context_processors.intake_nav",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "docket.sqlite3",
            "OPTIONS": {
                # WAL lets the web process read while the worker writes; IMMEDIATE avoids
                # "database is locked" upgrades from read to write transactions.
                # secure_delete: freed pages are zeroed, so an erased or re-encrypted value does not linger in them.
                # mmap_size: pages are read from the operating system's cache through a mapping instead of one
                # read() each (the case list at 100,000 cases touches thousands of pages; bench/bench_lists.py).
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
                                "PRAGMA secure_delete=ON; PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian "anonymous user": anonymous visitors have no object permissions at all.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection on sign-in (pages and the token endpoint).
AXES_FAILURE_LIMIT = env_int("DOCKET_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in each language's own formats (config/formats/<lang>/formats.py overrides a few of Django's).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The app serves its own assets (no CDN, no third-party request from any page).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

FILE_UPLOAD_TEMP_DIR = str(UPLOAD_TMP_DIR)
UPLOAD_TMP_DIR.mkdir(parents=True, exist_ok=True)
FILE_UPLOAD_PERMISSIONS = 0o440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# A JSON or form body (not a streamed evidence file) holds at most this many bytes; larger is a 413 in the API.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Records here can put people at risk: a session lasts a working day, not Django's two weeks.
SESSION_COOKIE_AGE = env_int("DOCKET_SESSION_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Served over HTTPS (DOCKET_HTTPS=1): redirect plain HTTP, cookies over HTTPS only, HSTS. `manage.py check --deploy`
# then has nothing to say (with DOCKET_HSTS_PRELOAD=1; preload is a commitment, so it is never on by default).
DOCKET_HTTPS = env_bool("DOCKET_HTTPS", False)
SECURE_SSL_REDIRECT = DOCKET_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's plain-HTTP health probe
SESSION_COOKIE_SECURE = DOCKET_HTTPS or env_bool("DOCKET_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DOCKET_HSTS_SECONDS", 365 * 24 * 60 * 60 if DOCKET_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DOCKET_HSTS_INCLUDE_SUBDOMAINS", DOCKET_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("DOCKET_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients): trust it only if asked.
if env_bool("DOCKET_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "docket@localhost")
# Absolute base used in e-mails and calendar URLs when no request is at hand.
DOCKET_BASE_URL = env_str("DOCKET_BASE_URL", "http://127.0.0.1:8000")

# Background work (extraction, reminders, the weekly verification): the database queue by default
# (manage.py db_worker), or Redis through django-tasks-rq (DOCKET_TASKS_BACKEND=django_tasks_rq.RQBackend, REDIS_URL,
# and workers: manage.py rqworker --job-class django_tasks_rq.Job default).
DOCKET_TASKS_BACKEND = env_str("DOCKET_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
REDIS_URL = env_str("REDIS_URL", "")
TASKS = {"default": {"BACKEND": DOCKET_TASKS_BACKEND, "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}
if DOCKET_TASKS_BACKEND.startswith("django_tasks_rq"):
    if not REDIS_URL:
        raise ImproperlyConfigured("DOCKET_TASKS_BACKEND uses Redis (django-tasks-rq): set REDIS_URL too, "
                                   "e.g. redis://127.0.0.1:6379/0.")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",  # bounded: size and nesting depth (config/inputs.py)
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}

# API tokens (django-rest-knox): only a hash is stored; each expires; logout and a password change revoke them.
DOCKET_TOKEN_TTL_HOURS = env_int("DOCKET_TOKEN_TTL_HOURS", 7 * 24)
if not 1 <= DOCKET_TOKEN_TTL_HOURS <= 10 * 366 * 24:
    raise ImproperlyConfigured("DOCKET_TOKEN_TTL_HOURS must be between 1 and 87840 (ten years).")
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=DOCKET_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Docket API",
    "DESCRIPTION": "Cases, incidents, evidence and deadlines for strategic litigation against biometric surveillance.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name get names of their own (else drf-spectacular warns on every check).
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Case.Status",
        "DeadlineStatusEnum": "deadlines.models.Deadline.Status",
        "DeadlineKindEnum": "deadlines.models.Deadline.Kind",
        "EvidenceKindEnum": "evidence.models.EvidenceItem.Kind",
        "AuthorityKindEnum": "litigation.models.Authority.Kind",
        "RequestKindEnum": "litigation.models.AuthorityRequest.Kind",
        "RequestStatusEnum": "litigation.models.AuthorityRequest.Status",
        "HistoryActionEnum": [("created", "created"), ("changed", "changed"), ("deleted", "deleted"),
                              ("restored", "restored")],
        "DeadlineHistoryActionEnum": [("created", "created"), ("changed", "changed"), ("deleted", "deleted")],
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"docket": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False}},
}

# Two-factor sign-in (django-otp; accounts/two_factor.py). Staff must use it; leads may require it on a case.
OTP_TOTP_ISSUER = "Docket"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows an authenticator's secret
DOCKET_STAFF_TWO_FACTOR = True
