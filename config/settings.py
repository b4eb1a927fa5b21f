"""The one settings module.

Everything that differs between a laptop demo and production is read from typed environment
variables (django-environ), so the same code runs on both. ``PRAKERJA_ENV=production`` switches
on the HTTPS hardening and refuses to start without real secrets; the default (``demo``) runs on
SQLite with the outbox backends and well-known demo keys that must never reach production.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.conf import settings as _django_settings  # lowercase: not a setting
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.databases import databases_configure, selection_alias

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

PRAKERJA_ENV = env.str("PRAKERJA_ENV", default="demo")
if PRAKERJA_ENV not in {"demo", "production"}:
    raise ImproperlyConfigured(f"PRAKERJA_ENV must be 'demo' or 'production', not {PRAKERJA_ENV!r}")
PRODUCTION = PRAKERJA_ENV == "production"

# Demo-only values. They are public (they are in this file), so production refuses them.
_DEMO_SECRET_KEY = "demo-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105 (public demo value; refused in production)
_DEMO_FERNET_KEY = "ZGVtby1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMtISE="
_DEMO_HMAC_KEY = "demo-only-blind-index-key-do-not-use-in-production"


def _required_in_production(name: str, demo_default: str) -> str:
    value = env.str(name, default="")
    if value:
        if PRODUCTION and demo_default in value:
            raise ImproperlyConfigured(f"{name} uses the public demo value in production")
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when PRAKERJA_ENV=production")
    return demo_default


SECRET_KEY = _required_in_production("SECRET_KEY", _DEMO_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Personal data (NIK, KK): Fernet keys, newest first. Older keys stay listed until
# `manage.py personal_data_rotate_keys` has re-encrypted every row with the newest one.
NIK_ENCRYPTION_KEYS = env.list(
    "NIK_ENCRYPTION_KEYS", default=[] if PRODUCTION else [_DEMO_FERNET_KEY]
)
if not NIK_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("NIK_ENCRYPTION_KEYS must be set when PRAKERJA_ENV=production")
if PRODUCTION and _DEMO_FERNET_KEY in NIK_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("NIK_ENCRYPTION_KEYS uses the public demo key in production")
NIK_HMAC_KEY = _required_in_production("NIK_HMAC_KEY", _DEMO_HMAC_KEY)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Above allauth: the app-directories loader finds our allauth template overrides first.
    "prakerja.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "simple_history",
    "django_htmx",
    # Listed so that /api/v1/docs serves its own Swagger UI files (no CDN, no inline script).
    "ninja",
    "template_partials",
    "phonenumber_field",
    # Above django_tasks_db: core's db_worker (the same worker plus the lease reaper,
    # core.jobs) must be the one `manage.py db_worker` finds.
    "prakerja.core",
    "django_tasks",
    "django_tasks_db",
    "prakerja.regions",
    "prakerja.identity",
    "prakerja.registry",
    "prakerja.assistance",
    "prakerja.callcenter",
    "prakerja.notifications",
    "prakerja.training",
    "prakerja.reports",
    "prakerja.labourdata",
    "prakerja.linkage",
    "prakerja.waves",
    "prakerja.enrolment",
    "prakerja.payments",
    "prakerja.fraud",
    "prakerja.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above everything that can answer early (load shedding, the database-down page), so that
    # every response carries the policy.
    "prakerja.core.middleware.ContentSecurityPolicyMiddleware",
    "prakerja.core.shedding.LoadSheddingMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "prakerja.core.middleware.ChosenLanguageMiddleware",
    # Before anything reads request.POST (CSRF): a body over the upload limit is never read.
    "prakerja.labourdata.middleware.UploadSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the signed-in applicant's account kept in the shared cache.
    "prakerja.accounts.middleware.SessionAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "prakerja.core.middleware.ApplicationErrorMiddleware",
    "prakerja.accounts.middleware.StaffTwoFactorRequiredMiddleware",
    # Axes must be last: it turns a lockout raised anywhere above into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Load shedding per app process (prakerja.core.shedding): 0 turns it off.
# Tuned on the 2-core benchmark machine (bench/README.md): about 2 per core and process.
SHED_MAX_CONCURRENT = env.int("SHED_MAX_CONCURRENT", default=4)
SHED_WAIT_SECONDS = env.float("SHED_WAIT_SECONDS", default=0.25)
SHED_RETRY_AFTER_SECONDS = env.int("SHED_RETRY_AFTER_SECONDS", default=2)

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
                # {% csrf_token %} with the mask drawn in one system call (core.randomness).
                "prakerja.core.randomness.csrf",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prakerja.core.context_processors.site",
                "prakerja.core.menu.menu",
                "prakerja.accounts.context_processors.staff",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
# `DATABASE_POOL_MODE=transaction` behind PgBouncer in transaction mode, and then
# `DATABASE_DIRECT_URL` for the selection's own sessions (config.databases, OPERATIONS.md).
DATABASES = databases_configure(
    env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'prakerja.sqlite3'}"),
    direct=env.db_url("DATABASE_DIRECT_URL") if env.str("DATABASE_DIRECT_URL", "") else None,
    pool_mode=env.str("DATABASE_POOL_MODE", default="session"),
    prepared=env.bool("DATABASE_PREPARED_STATEMENTS", default=True),
    # 0: one persistent connection per thread. N: the process's threads share N (docs/
    # OPERATIONS.md; at most SHED_MAX_CONCURRENT requests of a process run at once).
    pool_size=env.int("DATABASE_POOL_SIZE", default=0),
    pool_timeout=env.float("DATABASE_POOL_TIMEOUT_SECONDS", default=10.0),
)
# Without a pool, each of the load shedding's slots lends its request a persistent connection
# of its own: SHED_MAX_CONCURRENT server sessions per process instead of one per thread
# (prakerja.core.shedding, docs/OPERATIONS.md). PostgreSQL only.
DATABASE_SLOT_CONNECTIONS = env.bool("DATABASE_SLOT_CONNECTIONS", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while the worker writes; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing with "database is locked" mid-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # A reused connection is checked (SELECT 1) at the start of each request, so a restarted
    # PostgreSQL costs no failed request. Behind PgBouncer the app's connections are to the
    # pooler, which outlives a database restart: CONN_HEALTH_CHECKS=false saves one statement
    # per request there (docs/OPERATIONS.md, docs/SCALING.md).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "TEST_DATABASE_NAME", default="test_prakerja"
    )
    if "direct" in DATABASES:
        DATABASES["direct"].setdefault("CONN_MAX_AGE", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Retry-After of the 503 answered while the database cannot be reached (core.views.server_error).
DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = env.int(
    "DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS", default=30
)
# Connections one selection job uses on PostgreSQL (waves.selection, issue 5): 2 ranks and
# stores two halves of the applicants at once (each connection up to ~2 GB of sort memory at
# 6 M applicants); 1 is the single INSERT … SELECT on the job's own connection.
SELECTION_CONNECTIONS = env.int("SELECTION_CONNECTIONS", default=2)
# The alias those extra connections open: `direct` (DATABASE_DIRECT_URL) when it is set.
SELECTION_DATABASE_ALIAS = selection_alias(DATABASES)

# --- Labour-data imports (prakerja.labourdata.spreadsheet) ---------------------------------
# An upload's size; a request body larger than this (plus the form's fields) is refused with
# 413 before it is read (labourdata.middleware).
LABOURDATA_MAX_UPLOAD_BYTES = env.int("LABOURDATA_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
# An .xlsx is a zip: what it may unzip to in total, and how much more than it weighs (a
# decompression bomb of 1.5 MB once unzipped to 1.5 GB). Refused before any parsing.
LABOURDATA_XLSX_MAX_UNCOMPRESSED_BYTES = env.int(
    "LABOURDATA_XLSX_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024
)
LABOURDATA_XLSX_MAX_RATIO = env.int("LABOURDATA_XLSX_MAX_RATIO", default=100)

# --- Cache, sessions ----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# With Redis, sessions are read from it and written through to the database (cached_db): a
# page costs PostgreSQL no session query, and losing Redis signs nobody out. Without it (the
# demo), the database alone: every gunicorn worker must see every session.
# Django's stores without the lookup before each new key (prakerja.core.sessions).
SESSION_ENGINE = "prakerja.core.sessions.cached_db" if REDIS_URL else "prakerja.core.sessions.db"
# How long a signed-in applicant's account row is kept in the cache between requests
# (prakerja.accounts.session_users; a change to the row stops its use at once). Only with a
# cache every app process shares: 0 (off) without Redis.
AUTH_USER_CACHE_SECONDS = env.int("AUTH_USER_CACHE_SECONDS", default=900 if REDIS_URL else 0)

# --- Background jobs (django-tasks; Django 6 moves this to django.tasks unchanged) ---------
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A ready job older than this means no worker is taking jobs: /healthz reports it.
TASKS_STALL_SECONDS = env.int("TASKS_STALL_SECONDS", default=300)
# A long job (import, linkage, selection) holds a lease that its worker renews every quarter of
# this; a lease this old means the worker died: a worker's reaper enqueues the job again and
# /healthz reports it until then (core.jobs). Longer = slower takeover; shorter = a database
# pause of that length makes a live job look dead (it is then only run twice, harmlessly).
TASKS_LEASE_SECONDS = env.float("TASKS_LEASE_SECONDS", default=120.0)
# A queue row RUNNING this long that no lease names belongs to a dead worker (it died before
# its job took the lease, or in a short job that holds none): /healthz reports it and the
# reaper re-runs it if it is a leased kind (core.jobs). Unleased jobs (an SMS, a receipt, a
# day's reminders) finish in seconds; a leased job names its row within its first statements.
# Three lease periods (6 minutes) leave a wide margin over a slow SMS gateway's timeouts.
TASKS_UNLEASED_RUNNING_SECONDS = env.float(
    "TASKS_UNLEASED_RUNNING_SECONDS", default=3 * TASKS_LEASE_SECONDS
)
# Rows an import stores per transaction (a killed job resumes after the last one committed).
LABOURDATA_IMPORT_CHUNK_ROWS = env.int("LABOURDATA_IMPORT_CHUNK_ROWS", default=5000)

# --- Labour-data imports ------------------------------------------------------------------
# Days after an import is done (completed or failed) that its uploaded file and the original
# cells of its rejected and duplicate rows (full NIKs) are deleted (``labourdata.retention``,
# daily job and ``manage.py labourdata_retention``). Until then the uploading office may
# download its rejected rows to correct them.
LABOURDATA_RETENTION_DAYS = env.int("LABOURDATA_RETENTION_DAYS", default=30)

# --- Accounts, sign-in, two-factor, lockout -------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "core:home"
ACCOUNT_ADAPTER = "prakerja.accounts.adapters.AccountAdapter"
# An applicant is named by their masked phone number, not their generated username.
ACCOUNT_USER_DISPLAY = "prakerja.accounts.adapters.user_display"
# Staff sign in with username + password (+ TOTP); applicants with their phone number and a
# one-time SMS code. An applicant account is a phone number (SPEC §3.2): no username, password
# or email to choose — the adapter generates the username.
ACCOUNT_LOGIN_METHODS = {"username", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["phone*"]
ACCOUNT_FORMS = {
    # Keeps the password on the staff form (allauth drops it when sign-up has no password).
    "login": "prakerja.accounts.forms.StaffLoginForm",
    # "Masuk atau daftar": an unknown number gets an applicant account and the same code.
    "request_login_code": "prakerja.accounts.forms.PhoneLoginCodeForm",
}
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600  # 10 minutes
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 5  # wrong tries per code, then the code is void
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = 2
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 600
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 5
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = 2
# Six digits: typed on a phone keypad, read out at a posko. Five tries per code and the
# per-number request limits below keep guessing at about 5 in a million per code.
ACCOUNT_LOGIN_BY_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
# An applicant may add an email later; it is verified by link but never required.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PHONE_SIGNUP_OPEN = env.bool("ACCOUNT_PHONE_SIGNUP_OPEN", default=True)
MFA_ADAPTER = "prakerja.accounts.adapters.MFAAdapter"
ACCOUNT_RATE_LIMITS = {
    # allauth's default also blocks a username from every address after 5 failures, which
    # lets anyone lock any officer out; axes locks by username + IP instead, allauth only
    # caps per IP.
    "login_failed": "10/m/ip",
    # Code requests ("key" is the phone number). Per address the limit is generous: mobile
    # carriers put thousands of phones behind one address (CGNAT), and a surge must not lock
    # out a whole city. Per number it is tight: this is what stops SMS bombing of one phone.
    "request_login_code": "60/m/ip,3/10m/key,10/d/key",
    "verify_phone": "1/30s/key,3/10m/key,60/m/ip",
    # Every SMS code to one number, first sends and "send again" together (our adapter).
    "sms_code": "5/10m/key,20/d/key",
    "signup": "60/m/ip",
    "change_phone": "1/m/user,5/d/user",
    # Our own: the one-time access code printed at a posko (/accounts/kode-akses/).
    "access_code": "30/m/ip,10/h/key",
}
# Saving a draft's NIK answers whether that NIK is registered elsewhere ("nik_taken"), so the
# number of *different* NIKs tried is capped per applicant account and per address of an
# applicant (django-ratelimit windows, prakerja.registry.nik_guard). Staff registering people
# at a post share one address: for them only the per-account limit counts. Mind mobile
# carriers' shared addresses (CGNAT) before a surge: raise the per-address rate then.
NIK_CHANGE_RATE_PER_ACCOUNT = env.str("NIK_CHANGE_RATE_PER_ACCOUNT", default="5/h")
NIK_CHANGE_RATE_PER_ADDRESS = env.str("NIK_CHANGE_RATE_PER_ADDRESS", default="30/h")
# Different NIKs one officer (any staff) may try across all the registrations they edit.
NIK_CHANGE_RATE_PER_STAFF = env.str("NIK_CHANGE_RATE_PER_STAFF", default="60/h")
# Officer console lookups that reach beyond the officer's own post, per officer account.
CONSOLE_LOOKUP_RATE = env.str("CONSOLE_LOOKUP_RATE", default="30/h")
# Rate limits and lockouts must see the client, not the load balancer: allauth, axes and the
# project's own per-address limits read X-Forwarded-For the same way (core.throttle.client_ip).
TRUSTED_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
AXES_CLIENT_IP_CALLABLE = "prakerja.core.throttle.client_ip"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Prakerja Jatim"
# Staff must have TOTP before they can use any staff page (SPEC §4, personal data).
STAFF_TWO_FACTOR_REQUIRED = env.bool("STAFF_TWO_FACTOR_REQUIRED", default=True)

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_USERNAME_FORM_FIELD = "login"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Wrong passwords lock a name at one address; wrong second-factor codes lock the account from
# every address (prakerja.accounts.lockout), with the same limit and cool-off.
AXES_LOCKOUT_PARAMETERS = "prakerja.accounts.lockout.lockout_parameters"
AXES_LOCKOUT_CALLABLE = "prakerja.accounts.lockout.lockout_response"
# axes's database handler, its sweep of expired attempts hourly instead of at every sign-in.
AXES_HANDLER = "prakerja.accounts.lockout.LockoutHandler"
# Not kept in the attempt rows: a code typed at the second-factor step.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code"]
MFA_FORMS = {
    "authenticate": "prakerja.accounts.forms.StaffTotpAuthenticateForm",
    # Same per-account lock on the re-authentication page (issue 11, item 5).
    "reauthenticate": "prakerja.accounts.forms.StaffTotpReauthenticateForm",
}

# --- Notifications: SMS and email go to the outbox unless a gateway is configured ----------
SMS_BACKEND = env.str("SMS_BACKEND", default="prakerja.notifications.backends.OutboxSmsBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)
# Links inside SMS messages (no request to build them from when a job or an agent sends).
PUBLIC_BASE_URL = env.str(
    "PUBLIC_BASE_URL",
    default=f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
    if PRODUCTION and ALLOWED_HOSTS
    else "http://127.0.0.1:8000",
)
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="prakerja.notifications.backends.OutboxEmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Prakerja Jatim <noreply@localhost>")

# --- Internationalisation: Indonesian first, English available ------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# "17 Agustus 1990", not Django's "17 Agu. 1990" (config/formats/id/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "ID"
PHONENUMBER_DB_FORMAT = "E164"

# --- Defaults read on every request -----------------------------------------------------
# Libraries read these with a default (getattr(settings, name, default)). An unset one is a
# miss that raises inside Django's LazySettings on every read, about 1.2 µs each, 110 times per
# registration through the API; set to the libraries' own defaults, each read is a cached
# attribute (issue 17).
PHONENUMBER_DEFAULT_FORMAT = "E164"
DJANGO_REDIS_CLOSE_CONNECTION = False


def _allauth_setting(name: str, default: Any) -> Any:
    """allauth's own getter (``allauth.utils.get_setting``'s default), set so that allauth
    does not look ``ALLAUTH_SETTING_GETTER`` up, and miss it, on each of its settings."""
    return getattr(_django_settings, name, default)


ALLAUTH_SETTING_GETTER = _allauth_setting

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Hashed names (cached for a year by browsers and proxies: whitenoise marks them immutable),
# each file also stored gzip- and brotli-compressed. Production always; `make run` too
# (STATIC_COMPRESSED=1, after its collectstatic), so the demo weighs what production weighs.
# Tests keep the plain storage: they render pages without running collectstatic first.
STATIC_COMPRESSED = env.bool("STATIC_COMPRESSED", default=PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_COMPRESSED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_COMPRESSED
# Files without a hash in their name (none are linked by the pages; robots.txt, old links).
WHITENOISE_MAX_AGE = 3600

# --- Security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp 4): scripts only from this site, never inline, never
# eval (htmx runs with allowEval off, templates/base.html). Styles still allow inline: a few
# templates use style attributes and Swagger UI sets styles; an injected style cannot run code.
# Images allow data: for the TOTP QR code allauth renders as a data URI. Production adds
# upgrade-insecure-requests; `make run` serves plain http on 127.0.0.1 and must keep working.
_CSP_DIRECTIVES: dict[str, list[str] | bool] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if PRODUCTION:
    _CSP_DIRECTIVES["upgrade-insecure-requests"] = True
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer probes /healthz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging: JSON lines, with NIK, KK and phone numbers masked in every record -------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "prakerja.core.logging.RedactingJsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# Allocation "by demand and training capacity" (waves.services.quotas): a regency's verified
# training capacity for a wave is its providers' yearly capacity × this many days / 365, the
# window in which the wave's participants train (2020: one wave a month, the first course to
# be bought within 30 days of selection).
WAVE_TRAINING_PERIOD_DAYS = env.int("WAVE_TRAINING_PERIOD_DAYS", default=30)
