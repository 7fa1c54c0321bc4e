"""Settings, read from the environment (see .env.example for every variable)."""

from __future__ import annotations

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
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
    "django.middleware.security.SecurityMiddleware",
    "outstanding.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
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
# Brute-force protection: allauth's rate limits (cache backed): 5 failed logins per 5 minutes per
# account, 10 per minute per IP address.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/300s/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Outstanding"

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
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
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

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
    "DEFAULT_THROTTLE_CLASSES": [
        "outstanding.api.throttling.ApiKeyBurstThrottle",
        "outstanding.api.throttling.ApiKeySustainedThrottle",
    ],
    # Per API key. Burst: a quick run of requests; sustained: what an integration may keep up.
    "DEFAULT_THROTTLE_RATES": {"api_key_burst": "20/second", "api_key_sustained": "120/minute"},
    "EXCEPTION_HANDLER": "outstanding.api.exceptions.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,  # money leaves as "121.00", never as a float
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
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

# --- Demo -----------------------------------------------------------------------------------------
DEMO_USER_EMAIL = env.str("DEMO_USER_EMAIL", default="demo@outstanding.test")
DEMO_USER_PASSWORD = env.str("DEMO_USER_PASSWORD", default="outstanding-demo")

# --- Accounting connectors (invoices.connectors) ----------------------------------------------------
# OAuth client of the Moneybird app registered at https://moneybird.com/user/applications/new with the
# redirect URI {SITE_URL}/connect/moneybird/callback/. Empty: the settings page says Moneybird is not set up.
MONEYBIRD_CLIENT_ID = env.str("MONEYBIRD_CLIENT_ID", default="")
MONEYBIRD_CLIENT_SECRET = env.str("MONEYBIRD_CLIENT_SECRET", default="")
