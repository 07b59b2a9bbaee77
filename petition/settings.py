"""Settings for the petition platform, read from environment variables.

With nothing set it runs embedded: SQLite, eager Celery tasks, console email,
local-memory cache. DATABASE_URL, REDIS_URL and EMAIL_HOST switch to the real
services. DEBUG off is production and refuses to start without SECRET_KEY and
ALLOWED_HOSTS.
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envfloat(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def envlist(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """postgres://user:pass@host:port/name?sslmode=require or sqlite:///path."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": parts.path[1:] or ":memory:"}
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"DATABASE_URL: unsupported scheme {parts.scheme!r}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": {"connect_timeout": 5, **dict(parse_qsl(parts.query))},
    }


DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if not DEBUG:
    missing = [name for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not value]
    if missing:
        raise ImproperlyConfigured(
            "DEBUG is off (production) but these environment variables are not set: " + ", ".join(missing)
        )
if not SECRET_KEY:
    SECRET_KEY = "embedded-development-key-not-for-production"
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

# Keyed hash of client IP addresses: raw addresses are never stored.
IP_HASH_KEY = os.environ.get("IP_HASH_KEY", SECRET_KEY)
# How many reverse proxies in front of us append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_countries",
    "django_recaptcha",
    "django_ratelimit",
    "campaigns",
    "signatures",
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
    "petition.security.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "petition.urls"
# Widgets render with the project's templates, so templates/django_recaptcha/
# can replace the package's inline scripts, which our CSP would block.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "petition.wsgi.application"

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

# Database
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: cache, rate limits and Celery broker. Every socket has a timeout so a
# Redis that accepts but never answers cannot hang a request.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_SOCKET_TIMEOUT = envfloat("REDIS_SOCKET_TIMEOUT", 2.0)
# After a Redis failure the cache serves misses for this long before trying again.
REDIS_RETRY_AFTER = envfloat("REDIS_RETRY_AFTER", 5.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "petition.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
    # django-ratelimit does not list Django's own RedisCache, which works.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Embedded mode is one process, so a local-memory cache counts correctly.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# Celery
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
    # One attempt: a failed enqueue is caught up by the outbox sweep, and a
    # retry would make every request wait interval_start (2 s) during an outage.
    "max_retries": 0,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = "UTC"
OUTBOX_SWEEP_SECONDS = envfloat("OUTBOX_SWEEP_SECONDS", 60.0)
# Counts: beat folds every COUNT_FOLD_SECONDS (confirmations also ask for a
# fold at once); the API lets browsers and proxies keep an answer that long.
COUNT_FOLD_SECONDS = envfloat("COUNT_FOLD_SECONDS", 5.0)
COUNT_STALE_SECONDS = envint("COUNT_STALE_SECONDS", 60)  # stale-while-revalidate
COUNT_CACHE_SECONDS = envint("COUNT_CACHE_SECONDS", 10)  # server-side copy of the API's JSON
COUNT_POLL_SECONDS = envint("COUNT_POLL_SECONDS", 10)  # petition page refresh with JavaScript
PUBLIC_PAGE_SECONDS = envint("PUBLIC_PAGE_SECONDS", 5)  # shared caching of pages with nothing personal
PUBLIC_PAGE_CACHE_SECONDS = envint("PUBLIC_PAGE_CACHE_SECONDS", PUBLIC_PAGE_SECONDS)  # the same, kept server-side
CELERY_BEAT_SCHEDULE = {
    "send-due-emails": {"task": "signatures.tasks.sweep_outbox", "schedule": OUTBOX_SWEEP_SECONDS},
    "fold-counts": {
        "task": "signatures.tasks.fold_all_counts",
        "schedule": COUNT_FOLD_SECONDS,
        # A fold still queued when the next one is due is dropped, not piled up.
        "options": {"expires": COUNT_FOLD_SECONDS},
    },
    "reconcile-counts": {
        "task": "signatures.tasks.reconcile_all_counts",
        "schedule": crontab(hour=envint("COUNT_RECONCILE_HOUR", 3), minute=17),
    },
    "resend-milestone-emails": {"task": "campaigns.tasks.resend_milestone_emails", "schedule": OUTBOX_SWEEP_SECONDS},
    "send-reminders": {"task": "signatures.tasks.send_reminders", "schedule": crontab(minute="*/15")},
    "delete-unconfirmed": {"task": "signatures.tasks.delete_unconfirmed", "schedule": crontab(minute=41)},
    "anonymise-expired": {"task": "signatures.tasks.anonymise_expired", "schedule": crontab(hour=4, minute=23)},
    "sweep-exports": {"task": "signatures.tasks.sweep_exports", "schedule": envfloat("EXPORT_SWEEP_SECONDS", 300.0)},
}

# Email
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "petition@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Signing
MAX_EMAILS_PER_SIGNATURE = 5
SIGN_RATE_BURST = os.environ.get("SIGN_RATE_BURST", "10/m")
SIGN_RATE_SUSTAINED = os.environ.get("SIGN_RATE_SUSTAINED", "100/h")
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", True)
# Should a count ever be unreadable (Redis down), let visitors through rather than refuse everyone.
RATELIMIT_FAIL_OPEN = True
ADMIN_LOGIN_RATE_BURST = os.environ.get("ADMIN_LOGIN_RATE_BURST", "5/m")
ADMIN_LOGIN_RATE_SUSTAINED = os.environ.get("ADMIN_LOGIN_RATE_SUSTAINED", "30/h")
CONFIRMATION_GRACE_DAYS = envint("CONFIRMATION_GRACE_DAYS", 7)
# Privacy: signatures never confirmed are deleted after this many days, and
# get one reminder this many hours after their confirmation email.
UNCONFIRMED_RETENTION_DAYS = envint("UNCONFIRMED_RETENTION_DAYS", 30)
REMINDER_AFTER_HOURS = envint("REMINDER_AFTER_HOURS", 24)
REJECT_DISPOSABLE_EMAILS = envbool("REJECT_DISPOSABLE_EMAILS", True)
DISPOSABLE_EMAIL_DOMAINS_EXTRA = [d.lower() for d in envlist("DISPOSABLE_EMAIL_DOMAINS_EXTRA")]
DISPOSABLE_EMAIL_DOMAINS_ALLOWED = [d.lower() for d in envlist("DISPOSABLE_EMAIL_DOMAINS_ALLOWED")]

# reCAPTCHA: on only when both keys are set. RECAPTCHA_VERSION is "v3" or "v2".
RECAPTCHA_PUBLIC_KEY = os.environ.get("RECAPTCHA_PUBLIC_KEY", "")
RECAPTCHA_PRIVATE_KEY = os.environ.get("RECAPTCHA_PRIVATE_KEY", "")
RECAPTCHA_ENABLED = bool(RECAPTCHA_PUBLIC_KEY and RECAPTCHA_PRIVATE_KEY)
RECAPTCHA_VERSION = os.environ.get("RECAPTCHA_VERSION", "v3")
RECAPTCHA_REQUIRED_SCORE = envfloat("RECAPTCHA_REQUIRED_SCORE", 0.5)

# Internationalisation: the 24 official languages of the European Union.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("bg", "Български"),
    ("cs", "Čeština"),
    ("da", "Dansk"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("en", "English"),
    ("es", "Español"),
    ("et", "Eesti"),
    ("fi", "Suomi"),
    ("fr", "Français"),
    ("ga", "Gaeilge"),
    ("hr", "Hrvatski"),
    ("hu", "Magyar"),
    ("it", "Italiano"),
    ("lt", "Lietuvių"),
    ("lv", "Latviešu"),
    ("mt", "Malti"),
    ("nl", "Nederlands"),
    ("pl", "Polski"),
    ("pt", "Português"),
    ("ro", "Română"),
    ("sk", "Slovenčina"),
    ("sl", "Slovenščina"),
    ("sv", "Svenska"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Signature exports. Files built in the background hold personal data: they
# live in a private directory that no URL serves, are offered only to whoever
# asked for them, and are deleted EXPORT_FILE_TTL_HOURS after they are ready.
# Up to EXPORT_STREAM_MAX_ROWS rows stream straight to the browser instead.
EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT", BASE_DIR / "private" / "exports")).resolve()
EXPORT_STREAM_MAX_ROWS = envint("EXPORT_STREAM_MAX_ROWS", 50_000)
EXPORT_FILE_TTL_HOURS = envint("EXPORT_FILE_TTL_HOURS", 24)
for public_dir in [MEDIA_ROOT, STATIC_ROOT, *STATICFILES_DIRS]:
    public_dir = Path(public_dir).resolve()
    if EXPORT_ROOT == public_dir or public_dir in EXPORT_ROOT.parents or EXPORT_ROOT in public_dir.parents:
        raise ImproperlyConfigured(
            f"EXPORT_ROOT ({EXPORT_ROOT}) must be a private directory, apart from public files in {public_dir}"
        )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/").strip("/") + "/"

# Production hardening.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]
    # A load balancer probes /healthz over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    LANGUAGE_COOKIE_SECURE = True

# Trying the production settings over plain http on a local network
# (docs/DEPLOY.md): one explicit switch turns off secure cookies, HSTS and the
# https redirect, refused wherever the site is public or served over https.
LAN_NAME_SUFFIXES = (".lan", ".local", ".localhost", ".internal", ".home.arpa", ".test")


def is_lan_host(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host or host.endswith(LAN_NAME_SUFFIXES)
    return address.is_private or address.is_loopback or address.is_link_local


def plain_http_refusal(site_url: str) -> str:
    """Why ALLOW_PLAIN_HTTP_ON_LAN may not be used with this SITE_URL, or "" when it may."""
    parts = urlsplit(site_url)
    if parts.scheme != "http":
        return f"SITE_URL is {site_url}: a site served over https keeps secure cookies, HSTS and the redirect"
    if not is_lan_host(parts.hostname or ""):
        return (
            f"SITE_URL's host {parts.hostname!r} is a public name or address; it is for local names "
            f"(petition.lan, *.local, *.internal, localhost) and private addresses only"
        )
    return ""


ALLOW_PLAIN_HTTP_ON_LAN = envbool("ALLOW_PLAIN_HTTP_ON_LAN", False)
if ALLOW_PLAIN_HTTP_ON_LAN and not DEBUG:
    refusal = plain_http_refusal(SITE_URL)
    if refusal:
        raise ImproperlyConfigured(f"ALLOW_PLAIN_HTTP_ON_LAN is for trying the platform on a local network, but {refusal}")
    SECURE_SSL_REDIRECT = False
    SECURE_HSTS_SECONDS = 0
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False
    LANGUAGE_COOKIE_SECURE = False

# No script of ours reads a cookie.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Personal data never reaches the logs: we log ids and counts, never names,
# emails or addresses. Django's request logger would print URLs with tokens
# on 4xx, so it stays at ERROR. LOG_FORMAT=json writes one JSON object a line
# (petition.jsonlog) for log pipelines.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower() or "plain"
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT is {LOG_FORMAT!r}: use plain (the default) or json")
# The worker logs through the handler below too, in the same format, instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "petition.jsonlog.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # At DEBUG it prints whole template contexts (names, emails, tokens) on failed lookups.
        "django.template": {"level": "INFO"},
        "django.server": {"level": "ERROR" if not DEBUG else "INFO"},
    },
}
