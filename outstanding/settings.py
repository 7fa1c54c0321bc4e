"""Settings, read from the environment (see .env.example for every variable)."""

from __future__ import annotations

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from outstanding.checks import production_settings_problems

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Under pytest the test settings apply even without TESTING=1 in the environment.
TESTING = env.bool("TESTING", default="pytest" in sys.modules)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

# Key for secrets stored in the database (OAuth tokens of accounting packages): 32 url-safe base64 bytes.
# Empty: derived from SECRET_KEY.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Production fails loudly: no default outside debug and tests, links in e-mails need the real address.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000" if DEBUG or TESTING else "").rstrip("/")
SITE_NAME = "Outstanding"  # the product's name in account e-mails (outstanding.accounts)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us (the CSP allows no CDN)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "outstanding",
    "invoices",
    "reminders",
    "collection",
    "portal",
]

MIDDLEWARE = [
    # Production fails loudly: /health/ answers load balancers before the SSL redirect and host check.
    "outstanding.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "outstanding.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # No health check round trip for a connection that answered a moment ago (DATABASE_RECENTLY_USED_SECONDS).
    "outstanding.middleware.RecentConnectionMiddleware",
    # One heavy page or export cannot hold a worker for a minute (REQUEST_STATEMENT_TIMEOUT_MS).
    "outstanding.middleware.StatementTimeoutMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "outstanding.urls"
WSGI_APPLICATION = "outstanding.wsgi.application"

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
                "outstanding.context_processors.tenancy",
            ],
        },
    },
]

# --- Database: PostgreSQL only (constraints, locks and COPY are PostgreSQL's) -----------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:54329/outstanding")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A web request skips that check when its connection answered another request less than this ago
# (outstanding.middleware.RecentConnectionMiddleware); 0: always checked.
DATABASE_RECENTLY_USED_SECONDS = 1.0
# Longest a single query of a web request may run (0: no limit); Celery tasks have time limits instead.
REQUEST_STATEMENT_TIMEOUT_MS = env.int("REQUEST_STATEMENT_TIMEOUT_MS", default=15_000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:63799/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "outstanding",
    }
}
if TESTING:
    # Each test starts with an empty cache (rate limits, sessions); Redis itself is exercised by Celery.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Time limits (bounded rendering, issue 8): every task sets its own (tests/test_task_time_limits.py);
# these catch one that does not. At the soft limit the task gets SoftTimeLimitExceeded and can stop
# cleanly; at the hard limit the pool kills it. Prefork pool only (solo and threads ignore them).
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "outstanding.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests; never in production

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "app_home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_SIGNUP_FORM_CLASS = "outstanding.forms.SignupForm"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Outstanding] "
# Account e-mails come from the product (SITE_NAME, SITE_URL), not from the request's host name.
ACCOUNT_ADAPTER = "outstanding.accounts.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG or TESTING else "https"
# --- Accounts: lockout, client address, staff two factors (issue 8, outstanding.accounts) ---
# Brute-force protection: allauth's rate limits (cache backed): 5 failed logins per 5 minutes per
# address and account (the adapter's key, so someone elsewhere cannot lock the real user out), 10 per
# minute per address. A refused attempt is not checked at all, so guessing is slowed, not just logged.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Outstanding"
# Reverse proxies of ours in front of the app (each appends to X-Forwarded-For). 0: the header is
# ignored and REMOTE_ADDR is the client; 1: the last X-Forwarded-For hop (outstanding.http).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more (see .env.example).")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Staff open the admin only after their second factor (TOTP); without DEBUG this cannot be switched off.
STAFF_REQUIRE_MFA = env.bool("STAFF_REQUIRE_MFA", default=False) if DEBUG else True

# --- E-mail -------------------------------------------------------------------------------------
# Production fails loudly: EMAIL_URL is required when DEBUG is off (outstanding.checks); the console is
# only the development default.
EMAIL_URL = env.str("EMAIL_URL", default="")
EMAIL_CONFIG = env.email_url_config(EMAIL_URL or "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Outstanding <no-reply@outstanding.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds before a hanging SMTP server counts as a temporary failure (a worker must never wait forever).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- SMS (reminders.channels.sms) ----------------------------------------------------------------
# "log" keeps messages in memory and logs their length (development, tests); "messagebird" sends them.
SMS_BACKEND = env.str("SMS_BACKEND", default="log" if DEBUG or TESTING else "messagebird")
SMS_API_KEY = env.str("SMS_API_KEY", default="")
# Last-resort sender (max. 11 letters and digits) when neither an organization's setting nor its name gives one.
SMS_SENDER = env.str("SMS_SENDER", default="Outstanding")
# Shared secret of the e-mail provider's bounce webhook (POST /hooks/email-bounce/); empty: no webhook.
EMAIL_BOUNCE_WEBHOOK_SECRET = env.str("EMAIL_BOUNCE_WEBHOOK_SECRET", default="")

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["outstanding.formats"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
# Collected files (production); debug and tests serve straight from the apps and static/.
STATIC_ROOT = None if DEBUG or TESTING else env.path("STATIC_ROOT", default=str(BASE_DIR / ".data" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files (outstanding.files): nothing serves MEDIA_URL, in DEBUG neither. Private files (imports, PDFs,
# letters) go out only through views that check membership; public assets (logos) live in the "public"
# storage under MEDIA_ROOT/public/ and are served at /public/ by outstanding.asset_views.
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "public": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"base_url": "/"}},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- Uploads (bounded uploads, issue 8: outstanding/uploads.py, outstanding/storage.py, invoices/imports/) ---
# Any one uploaded file: counted while it streams in and dropped past this size, before it is stored.
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_BYTES", default=50 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "outstanding.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Larger uploads stream to a temporary file here (default: the system's); the sweeper cleans it too.
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default="") or None
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Spreadsheet imports: file size, data rows, the unpacked size and compression of an .xlsx, one cell.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=UPLOAD_MAX_FILE_BYTES)
IMPORT_MAX_DATA_ROWS = env.int("IMPORT_MAX_DATA_ROWS", default=250_000)
IMPORT_XLSX_MAX_UNPACKED_BYTES = env.int("IMPORT_XLSX_MAX_UNPACKED_BYTES", default=120 * 1024 * 1024)
IMPORT_XLSX_MAX_COMPRESSION_RATIO = env.int("IMPORT_XLSX_MAX_COMPRESSION_RATIO", default=100)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=10_000)
# Files an organization may keep (imports, invoice PDFs, letters, print batches), summed.
ORGANIZATION_STORAGE_QUOTA_BYTES = env.int("ORGANIZATION_STORAGE_QUOTA_BYTES", default=1024 * 1024 * 1024)
# A stored file no row points to is removed by the hourly sweep once it is this old.
STORAGE_ORPHAN_MIN_AGE_SECONDS = env.int("STORAGE_ORPHAN_MIN_AGE_SECONDS", default=60 * 60)

# --- Security -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; cookie stays default
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not TESTING)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not TESTING)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not TESTING)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if TESTING else 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY_ENABLED = env.bool("CONTENT_SECURITY_POLICY", default=not DEBUG)
# Production fails loudly (outstanding.checks): load balancers probe /health/ over plain http.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# security.W021 (HSTS preload): submitting the domain to the browsers' preload list commits every
# subdomain to https for months and cannot be undone quickly: the operator's choice (SECURE_HSTS_PRELOAD=1).
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if not (DEBUG or TESTING):
    _production_problems = production_settings_problems(
        email_url=EMAIL_URL, email_config=EMAIL_CONFIG, site_url=SITE_URL, allowed_hosts=ALLOWED_HOSTS
    )
    if _production_problems:
        raise ImproperlyConfigured(
            "Outstanding does not start with DEBUG off until these are set (see .env.example):\n- "
            + "\n- ".join(_production_problems)
        )

# --- REST framework -------------------------------------------------------------------------------
# The API (outstanding.api): API keys only (no sessions, so no CSRF), JSON only, one error format.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["outstanding.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["outstanding.api.permissions.HasApiKey"],
    "DEFAULT_PAGINATION_CLASS": "outstanding.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["outstanding.api.parsers.DecimalJSONParser"],
    # One throttle for both limits: a request counts only when neither refuses it (issue 8, API).
    "DEFAULT_THROTTLE_CLASSES": ["outstanding.api.throttling.ApiKeyThrottle"],
    # Per API key. Burst: a quick run of requests; sustained: what an integration may keep up.
    "DEFAULT_THROTTLE_RATES": {"api_key_burst": "20/second", "api_key_sustained": "120/minute"},
    "EXCEPTION_HANDLER": "outstanding.api.exceptions.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,  # money leaves as "121.00", never as a float
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# API hardening (issue 8, API): wrong keys per client address before 429, and a CSRF refusal in the
# API's JSON error format under /api/ (Django's page elsewhere).
API_FAILED_AUTH_RATE = env.str("API_FAILED_AUTH_RATE", default="20/minute")
CSRF_FAILURE_VIEW = "outstanding.api.exceptions.csrf_failure_view"
# Debtor portal (issue 9, portal links): requests per client address to /p/<token>/ before 429.
PORTAL_RATE_LIMIT = env.str("PORTAL_RATE_LIMIT", default="60/minute")
SPECTACULAR_SETTINGS = {
    "TITLE": "Outstanding API",
    "DESCRIPTION": (
        "Receivables management: debtors, invoices, payments and reminders of one organization, the one "
        "the API key belongs to. Authenticate with `Authorization: Bearer <key>` (Settings → API keys). "
        'Money is a string with two decimals ("121.00"). Creating a debtor or an invoice is an upsert on '
        "its external id (else the name or invoice number): sending it again updates it. Every error "
        'answers {"error": {"code", "message", "details"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are public: they describe the API, not anyone's data.
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: the CSP allows no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "InvoiceStatusEnum": "invoices.models.InvoiceStatus",
        "ReminderStatusEnum": "reminders.models.ReminderStatus",
        "PaymentSourceEnum": "invoices.models.PaymentSource",
        # Two "kind" fields (a debtor's, a step's): named apart, so `check --deploy` has no warning.
        "DebtorKindEnum": "invoices.models.DebtorKind",
        "StepKindEnum": "reminders.models.StepKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "outstanding.api.schema.add_error_responses",
    ],
}

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Collection -------------------------------------------------------------------------------
# The operator's Justis registration under the Wet kwaliteit incassodienstverlening (DOMAIN.md §8),
# printed on collection letters sent on behalf of creditors. Empty until registered.
WKI_REGISTRATION_NUMBER = env.str("WKI_REGISTRATION_NUMBER", default="")
# The collector in whose name dossier letters and e-mails go out (the operator, collecting on behalf of
# creditors). COLLECTOR_ADDRESS holds its lines separated by "|" (or a literal "\\n"). Development defaults below.
COLLECTOR_NAME = env.str("COLLECTOR_NAME", default="Outstanding Incasso")
_collector_address = env.str("COLLECTOR_ADDRESS", default="Postbus 1234|1000 AB  AMSTERDAM")
COLLECTOR_ADDRESS = [line.strip() for line in _collector_address.replace("\\n", "|").split("|") if line.strip()]
COLLECTOR_EMAIL = env.str("COLLECTOR_EMAIL", default="incasso@outstanding.test")
COLLECTOR_PHONE = env.str("COLLECTOR_PHONE", default="020 123 4567")

# --- Demo -----------------------------------------------------------------------------------------
DEMO_USER_EMAIL = env.str("DEMO_USER_EMAIL", default="demo@outstanding.test")
DEMO_USER_PASSWORD = env.str("DEMO_USER_PASSWORD", default="outstanding-demo")

# --- Accounting connectors (invoices.connectors) ----------------------------------------------------
# OAuth client of the Moneybird app registered at https://moneybird.com/user/applications/new with the
# redirect URI {SITE_URL}/connect/moneybird/callback/. Empty: the settings page says Moneybird is not set up.
MONEYBIRD_CLIENT_ID = env.str("MONEYBIRD_CLIENT_ID", default="")
MONEYBIRD_CLIENT_SECRET = env.str("MONEYBIRD_CLIENT_SECRET", default="")

# --- Payments: iDEAL through Mollie (invoices.payments, issue 9) ---------------------------------------
# Each organization enters its own Mollie key (settings "Portal and payments", PATCH /api/v1/organization/).
# MOLLIE_API_KEY is a platform key for development only: organizations without a key of their own use it
# when MOLLIE_PLATFORM_KEY_FALLBACK is on, which is refused with DEBUG off (outside tests). The endpoint
# is where the client talks to (tests: a fake).
MOLLIE_API_KEY = env.str("MOLLIE_API_KEY", default="")
MOLLIE_PLATFORM_KEY_FALLBACK = env.bool("MOLLIE_PLATFORM_KEY_FALLBACK", default=False)
if MOLLIE_PLATFORM_KEY_FALLBACK and not (DEBUG or TESTING):
    raise ImproperlyConfigured(
        "MOLLIE_PLATFORM_KEY_FALLBACK is for development only: with DEBUG off every organization uses its own key."
    )
MOLLIE_API_ENDPOINT = env.str("MOLLIE_API_ENDPOINT", default="https://api.mollie.com").rstrip("/")
# Seconds to wait for Mollie's answer (connect and read each): the webhook must answer quickly.
MOLLIE_TIMEOUT_SECONDS = env.int("MOLLIE_TIMEOUT_SECONDS", default=5)
# Where Mollie's checkout lives: the portal's pay form redirects there, so its CSP form-action allows it
# (Chromium applies form-action to the redirect after a form post).
MOLLIE_CHECKOUT_ORIGIN = env.str("MOLLIE_CHECKOUT_ORIGIN", default="https://www.mollie.com").rstrip("/")
