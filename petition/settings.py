"""Settings for the petition platform, read from environment variables.

With DEBUG=1 and nothing else set it runs embedded: SQLite, eager Celery
tasks, console email, local-memory cache. DATABASE_URL, REDIS_URL and
EMAIL_HOST switch to the real services. DEBUG is off unless set: that is
production, which refuses to start without real secrets (SECRET_KEY,
IP_HASH_KEY), ALLOWED_HOSTS and SITE_URL.
"""

import ipaddress
import os
import secrets
import ssl
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
        "ENGINE": "petition.postgres",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": {"connect_timeout": 5, **dict(parse_qsl(parts.query))},
    }


def site_url_problem(url: str) -> str:
    """Why SITE_URL is not an absolute http(s) address of a site root, or "" when it is."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"SITE_URL must be an absolute http(s) address such as https://petition.example.org, not {url!r}"
    if parts.username or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"SITE_URL must be scheme, host and port only (no user, path, query or fragment), not {url!r}"
    return ""


# Keys anyone can read in this repository or in Django's own templates.
DEVELOPMENT_SECRET_KEY = "embedded-development-key-not-for-production"
PLACEHOLDER_SECRETS = {
    DEVELOPMENT_SECRET_KEY,
    "change-me-to-a-long-random-string",
    "change-me",
    "changeme",
    "secret",
}
MIN_SECRET_LENGTH = 50


def secret_problem(name: str, value: str) -> str:
    """Why a secret is unfit for production, or "" when it is fit."""
    if not value:
        return f"{name} is not set"
    if value in PLACEHOLDER_SECRETS or value.startswith("django-insecure-"):
        return f"{name} is a published placeholder: generate one"
    if len(value) < MIN_SECRET_LENGTH or len(set(value)) < 5:
        return f"{name} is too short: use at least {MIN_SECRET_LENGTH} random characters"
    return ""


# Off unless asked for: a forgotten DEBUG shows settings and the URL map to anyone.
DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
# Keyed hash of client addresses (raw addresses are never stored): a key of
# its own, so a leaked SECRET_KEY does not also unmask the fraud signal.
IP_HASH_KEY = os.environ.get("IP_HASH_KEY", "")
# The key every link in a signer's email is derived from (signatures.links):
# a key of its own, so a database dump, or a leaked SECRET_KEY, confirms and erases nothing.
EMAIL_LINK_KEY = os.environ.get("EMAIL_LINK_KEY", "")
if not DEBUG:
    problems = [
        secret_problem("SECRET_KEY", SECRET_KEY),
        secret_problem("IP_HASH_KEY", IP_HASH_KEY),
        "IP_HASH_KEY must differ from SECRET_KEY" if IP_HASH_KEY and IP_HASH_KEY == SECRET_KEY else "",
        secret_problem("EMAIL_LINK_KEY", EMAIL_LINK_KEY),
        "EMAIL_LINK_KEY must differ from SECRET_KEY and IP_HASH_KEY"
        if EMAIL_LINK_KEY and EMAIL_LINK_KEY in (SECRET_KEY, IP_HASH_KEY)
        else "",
        "ALLOWED_HOSTS is not set" if not ALLOWED_HOSTS else "",
        "SITE_URL is not set" if not SITE_URL else site_url_problem(SITE_URL),
    ]
    problems = [problem for problem in problems if problem]
    if problems:
        raise ImproperlyConfigured(
            "DEBUG is off (production), and the configuration is not safe to serve:\n- "
            + "\n- ".join(problems)
            + "\n(Generate secrets with: python -c 'import secrets; print(secrets.token_urlsafe(50))'."
            " For development on this machine, set DEBUG=1.)"
        )
if not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
if not IP_HASH_KEY:
    IP_HASH_KEY = "development-ip-hash-key:" + SECRET_KEY
if not EMAIL_LINK_KEY:
    EMAIL_LINK_KEY = "development-email-link-key:" + SECRET_KEY
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
if not SITE_URL:
    SITE_URL = "http://127.0.0.1:8000"
elif site_url_problem(SITE_URL):
    raise ImproperlyConfigured(site_url_problem(SITE_URL))

# Reverse proxies whose X-Forwarded-For (and X-Forwarded-Proto) we believe:
# addresses or networks, e.g. "10.0.0.0/8,fd00::/8". Empty: the socket's peer
# is the client. See petition.ratelimits.client_address.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES")
for entry in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
if os.environ.get("TRUSTED_PROXY_COUNT", "") not in ("", "0"):
    # Counting hops trusted whoever connected directly: any client could pick its own address.
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT is no longer read: list your reverse proxies' addresses or networks in "
        "TRUSTED_PROXIES instead (e.g. TRUSTED_PROXIES=10.0.0.0/8), and unset TRUSTED_PROXY_COUNT."
    )
# Address hashes are kept this long for the fraud view and bulk invalidation
# (whose longest window is a week), then blanked by a beat task.
IP_HASH_RETENTION_DAYS = envint("IP_HASH_RETENTION_DAYS", 7)

INSTALLED_APPS = [
    "petition.apps.StaffAdminConfig",  # django.contrib.admin with two-factor staff logins
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "anymail",
    "rest_framework",
    "drf_spectacular",
    "campaigns",
    "signatures",
]

MIDDLEWARE = [
    "petition.security.UntrustedProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before every middleware that sets a cookie: it sees the cookies they set.
    "petition.httpcache.SharedResponsesCarryNoCookies",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
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
                # Entries are signed: whoever can write to Redis cannot make us unpickle their bytes.
                "serializer": "petition.cache.SignedPickleSerializer",
            },
        }
    }
    # django-ratelimit does not list Django's own RedisCache, which works.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Embedded mode is one process, so a local-memory cache counts correctly.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]



def redis_tls_options(url: str) -> dict | None:
    """TLS options of a rediss:// URL for the Celery broker, which does not read them from the URL.

    The cache reads the same query parameters itself (ssl_cert_reqs,
    ssl_ca_certs, ssl_certfile, ssl_keyfile). Certificates are verified
    unless the URL says ssl_cert_reqs=none.
    """
    parts = urlsplit(url)
    if parts.scheme != "rediss":
        return None
    query = dict(parse_qsl(parts.query))
    requirements = {"required": ssl.CERT_REQUIRED, "optional": ssl.CERT_OPTIONAL, "none": ssl.CERT_NONE}
    if query.get("ssl_cert_reqs", "required") not in requirements:
        raise ImproperlyConfigured("REDIS_URL: ssl_cert_reqs must be required, optional or none")
    options = {"ssl_cert_reqs": requirements[query.get("ssl_cert_reqs", "required")]}
    for name in ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile"):
        if query.get(name):
            options[name] = query[name]
    return options


# Celery
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_BROKER_USE_SSL = redis_tls_options(REDIS_URL)
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
# Celery's own closing of a task's database connections recycles them only
# every this many tasks: petition.celery closes them as Django closes a
# request's (CONN_MAX_AGE, health checks), and at once after a failed task.
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = "UTC"
# Beat drains the outbox this often: what a lost nudge, a broker outage or a dead worker left owed.
OUTBOX_SWEEP_SECONDS = envfloat("OUTBOX_SWEEP_SECONDS", 10.0)
# Counts: beat folds every COUNT_FOLD_SECONDS (confirmations also ask for a
# fold at once); the API lets browsers and proxies keep an answer that long.
COUNT_FOLD_SECONDS = envfloat("COUNT_FOLD_SECONDS", 5.0)
COUNT_STALE_SECONDS = envint("COUNT_STALE_SECONDS", 60)  # stale-while-revalidate
COUNT_CACHE_SECONDS = envint("COUNT_CACHE_SECONDS", 10)  # server-side copy of the API's JSON
# An open petition page asks for the count at most this far apart, so a new
# confirmation shows within it plus the fold (about 0.3 s, requested at once).
COUNT_POLL_SECONDS = envint("COUNT_POLL_SECONDS", 3)
PUBLIC_PAGE_SECONDS = envint("PUBLIC_PAGE_SECONDS", 5)  # shared caching of pages with nothing personal
PUBLIC_PAGE_CACHE_SECONDS = envint("PUBLIC_PAGE_CACHE_SECONDS", PUBLIC_PAGE_SECONDS)  # the same, kept server-side
# The campaign a sign POST loads, kept server-side; staff edits, opening and closing replace it at once.
CAMPAIGN_CACHE_SECONDS = envint("CAMPAIGN_CACHE_SECONDS", PUBLIC_PAGE_CACHE_SECONDS)
CELERY_BEAT_SCHEDULE = {
    "send-due-emails": {
        "task": "signatures.tasks.drain_outbox",
        "schedule": OUTBOX_SWEEP_SECONDS,
        "options": {"expires": OUTBOX_SWEEP_SECONDS},
    },
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
    "forget-address-hashes": {"task": "signatures.tasks.forget_address_hashes", "schedule": crontab(minute=53)},
    "sweep-exports": {"task": "signatures.tasks.sweep_exports", "schedule": envfloat("EXPORT_SWEEP_SECONDS", 300.0)},
    "send-updates": {"task": "signatures.tasks.sweep_updates", "schedule": 30.0},
    "sweep-webhooks": {"task": "signatures.tasks.sweep_webhooks", "schedule": 30.0},
    "sweep-import-jobs": {"task": "signatures.tasks.sweep_import_jobs", "schedule": crontab(minute="*/5")},
}

# Email: plain SMTP unless EMAIL_PROVIDER names an email service, which django-anymail
# then talks to over its HTTP API (its tracking webhook feeds the suppression list).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    # Never the console in production: it would write signers' names and links into the logs.
    EMAIL_BACKEND = "petition.mailer.NoMailServerBackend"
EMAIL_PROVIDER = os.environ.get("EMAIL_PROVIDER", "smtp").strip().lower() or "smtp"
# Each provider's settings, read from variables of the same names (the README's Email section).
EMAIL_PROVIDERS = {
    "postmark": {"POSTMARK_SERVER_TOKEN": os.environ.get("POSTMARK_SERVER_TOKEN", "")},
    "mailgun": {
        "MAILGUN_API_KEY": os.environ.get("MAILGUN_API_KEY", ""),
        "MAILGUN_SENDER_DOMAIN": os.environ.get("MAILGUN_SENDER_DOMAIN", ""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get("MAILGUN_WEBHOOK_SIGNING_KEY", ""),
        "MAILGUN_API_URL": os.environ.get("MAILGUN_API_URL", "https://api.mailgun.net/v3"),
    },
    "brevo": {"BREVO_API_KEY": os.environ.get("BREVO_API_KEY", "")},
    "mailjet": {
        "MAILJET_API_KEY": os.environ.get("MAILJET_API_KEY", ""),
        "MAILJET_SECRET_KEY": os.environ.get("MAILJET_SECRET_KEY", ""),
    },
    "postal": {
        "POSTAL_API_URL": os.environ.get("POSTAL_API_URL", ""),
        "POSTAL_API_KEY": os.environ.get("POSTAL_API_KEY", ""),
        "POSTAL_WEBHOOK_KEY": os.environ.get("POSTAL_WEBHOOK_KEY", ""),
    },
}
if EMAIL_PROVIDER not in ("smtp", *EMAIL_PROVIDERS):
    raise ImproperlyConfigured(
        f"EMAIL_PROVIDER is {EMAIL_PROVIDER!r}: use smtp (the default) or one of {', '.join(sorted(EMAIL_PROVIDERS))}"
    )
# Emails go out with their links as written and no open-tracking pixel, whatever the
# provider's account default (Mailjet's tracks both): a click-tracking redirect would send
# every signer's personal link (confirm, withdraw, unsubscribe) through the provider's
# servers, where its scanners and prefetches open them. Brevo and Postal take no
# per-message switch; their tracking is turned off in their dashboards (README, Email).
PROVIDERS_WITH_TRACKING_SWITCH = {"postmark", "mailgun", "mailjet"}
# Basic auth "user:password" the provider's tracking webhook must send (anymail checks it).
# Without one, a random one nobody knows: the webhook then refuses every post.
ANYMAIL_WEBHOOK_SECRET = os.environ.get("ANYMAIL_WEBHOOK_SECRET", "")
ANYMAIL = {"WEBHOOK_SECRET": ANYMAIL_WEBHOOK_SECRET or f"unset:{secrets.token_urlsafe(32)}"}
if EMAIL_PROVIDER != "smtp":
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_PROVIDER}.EmailBackend"
    ANYMAIL.update({name: value for name, value in EMAIL_PROVIDERS[EMAIL_PROVIDER].items() if value})
    if EMAIL_PROVIDER in PROVIDERS_WITH_TRACKING_SWITCH:
        ANYMAIL["SEND_DEFAULTS"] = {"track_clicks": False, "track_opens": False}
    missing = [name for name, value in EMAIL_PROVIDERS[EMAIL_PROVIDER].items() if not value]
    if not DEBUG and (missing or ":" not in ANYMAIL_WEBHOOK_SECRET):
        raise ImproperlyConfigured(
            f"EMAIL_PROVIDER is {EMAIL_PROVIDER}, but "
            + ", ".join([*missing, *([] if ":" in ANYMAIL_WEBHOOK_SECRET else ["ANYMAIL_WEBHOOK_SECRET (user:password)"])])
            + " not set"
        )
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "petition@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Updates from organisations to signers (signatures.updates)
# The provider's cap, honoured across all workers together; 0 sends as fast as the workers can.
UPDATE_SEND_PER_MINUTE = envint("UPDATE_SEND_PER_MINUTE", 20000)
# Workers sending one update side by side.
UPDATE_WORKERS = envint("UPDATE_WORKERS", 2)
UPDATE_BATCH_SIZE = 200
# A batch a worker claimed and did not finish within this long is taken over by another.
UPDATE_LEASE_SECONDS = 300
UPDATE_MAX_ATTEMPTS = 5
# The partner API (signatures.partner_api) and the OpenAPI document of /api/.
PARTNER_API_RATE = os.environ.get("PARTNER_API_RATE", "120/min")  # per API key
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Petition API",
    "DESCRIPTION": "Public campaign counts, and the partner API for recording signatures.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "campaigns.api_schema.add_count_endpoints",
    ],
}

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
# Digit grouping for the languages whose Django formats lack it (petition/formats).
FORMAT_MODULE_PATH = ["petition.formats"]
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
# Partners' uploaded signature lists: as private as exports, beside them.
IMPORT_ROOT = EXPORT_ROOT.parent / "imports"
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

# Staff accounts hold activists' personal data. Whoever may see or export it, or
# email every signer (petition.staffauth.needs_two_factor), logs in with a password and a TOTP
# code; an account is locked for STAFF_LOCKOUT_MINUTES after
# STAFF_LOGIN_FAILURES wrong passwords or codes, and a staff session ends
# STAFF_SESSION_HOURS (at most 12) after login, however busy.
STAFF_SESSION_HOURS = envint("STAFF_SESSION_HOURS", 12)
if not 1 <= STAFF_SESSION_HOURS <= 12:
    raise ImproperlyConfigured("STAFF_SESSION_HOURS must be between 1 and 12")
SESSION_COOKIE_AGE = STAFF_SESSION_HOURS * 3600
STAFF_LOGIN_FAILURES = envint("STAFF_LOGIN_FAILURES", 10)
STAFF_LOCKOUT_MINUTES = envint("STAFF_LOCKOUT_MINUTES", 15)
# The admin's is the only login.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
OTP_TOTP_ISSUER = urlsplit(SITE_URL).hostname
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

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
# Error reports (the DEBUG page, mailed reports) also hide *_URL settings and
# environment variables, which carry database and Redis passwords.
DEFAULT_EXCEPTION_REPORTER_FILTER = "petition.security.ErrorReportFilter"

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
    # petition.logscrub: addresses and link tokens out of every record (Django's request
    # lines, Celery's exception texts, SMTP refusals), whatever logged it.
    # petition.securitylog: a client's bad Host or form is a short warning, not an error with a traceback.
    "filters": {
        "scrub": {"()": "petition.logscrub.scrubbing_filter"},
        "client_mistakes": {"()": "petition.securitylog.ClientMistakesAsWarnings"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["scrub", "client_mistakes"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # At DEBUG it prints whole template contexts (names, emails, tokens) on failed lookups.
        "django.template": {"level": "INFO"},
        "django.server": {"level": "ERROR" if not DEBUG else "INFO"},
    },
}
