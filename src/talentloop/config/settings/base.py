"""Settings shared by every environment. Values that differ per install come from the environment."""

import os
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
# Runtime files (SQLite database, job queue, uploaded files) live under TALENTLOOP_VAR_DIR.
VAR_DIR = Path(os.environ.get("TALENTLOOP_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("TALENTLOOP_SECRET_KEY", "")
DEBUG = False
# The product's public address, for absolute links in e-mails and chat messages.
TALENTLOOP_SITE_URL = os.environ.get("TALENTLOOP_SITE_URL", "").rstrip("/")
ALLOWED_HOSTS = [h for h in os.environ.get("TALENTLOOP_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TALENTLOOP_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "template_partials",
    "huey.contrib.djhuey",
    "axes",
    "talentloop.core",
    "talentloop.accounts",
    "talentloop.organisation",
    "talentloop.performance",
    "talentloop.attendance",
    "talentloop.leave",
    "talentloop.mentoring",
    "talentloop.notifications",
    "talentloop.learning",
    "talentloop.onboarding",
    "talentloop.careers",
    "talentloop.payroll",
    "talentloop.benefits",
    "talentloop.integrations",
    "talentloop.home",
    "talentloop.demo",  # the demo and seed commands, over every app above
]

MIDDLEWARE = [
    # Outermost, so it times everything below: the CPU each answer cost, when TALENTLOOP_SERVER_TIMING=1.
    "talentloop.core.middleware.ServerTimingMiddleware",
    # First: under /api/ every error answer of the layers below is JSON (config/errors.py).
    "talentloop.config.errors.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "talentloop.core.middleware.RejectNullCharactersMiddleware",
    "talentloop.core.middleware.ActorMiddleware",
    "talentloop.core.middleware.ContentSecurityPolicyMiddleware",
    "talentloop.core.middleware.SessionIdleTimeoutMiddleware",
    "talentloop.core.middleware.NoStoreMiddleware",
    # Last, as django-axes asks; its lockout answer is the view's own 429 (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

TALENTLOOP_SERVER_TIMING = os.environ.get("TALENTLOOP_SERVER_TIMING", "") == "1"
# A whole company's score recomputation computes half its people in a forked copy of the process, on
# the second core (core.forked); TALENTLOOP_FORK_COMPUTE=0 keeps it in one process.
FORK_COMPUTE = os.environ.get("TALENTLOOP_FORK_COMPUTE", "1") != "0"

ROOT_URLCONF = "talentloop.config.urls"
WSGI_APPLICATION = "talentloop.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "talentloop.core.context_processors.shell",
                "talentloop.home.context_processors.navigation",
                "talentloop.notifications.context_processors.unread",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# Django's form templates, with select boxes written directly (core/form_renderer.py explains why).
FORM_RENDERER = "talentloop.core.form_renderer.FormRenderer"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("TALENTLOOP_SQLITE_PATH", str(VAR_DIR / "talentloop.sqlite3")),
            "OPTIONS": {
                # WAL lets the web process read while the worker writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["talentloop.config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TALENTLOOP_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "talentloop.config.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_HOST = os.environ.get("TALENTLOOP_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("TALENTLOOP_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("TALENTLOOP_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TALENTLOOP_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("TALENTLOOP_EMAIL_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("TALENTLOOP_EMAIL_FROM", "talentloop@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

REDIS_URL = os.environ.get("TALENTLOOP_REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "talentloop",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread", "periodic": True, "initial_delay": 0.1,
                     "backoff": 1.15, "max_delay": 0.5},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "talentloop",
        "filename": str(VAR_DIR / "jobs.sqlite3"),
        "immediate": False,
        # Poll fast: new observations must show in scores within seconds.
        "consumer": {"workers": 2, "worker_type": "thread", "periodic": True, "initial_delay": 0.1,
                     "backoff": 1.15, "max_delay": 0.5},
    }

# The cache shared by every process (web workers and job workers): what HR configures, kept under
# versioned keys (core.cache), and the chat vendors' access tokens. The database cache needs no server
# (its table is created by a core migration); Redis when TALENTLOOP_REDIS_URL is set.
CACHE_TABLE = "talentloop_cache"
# Rendered fragments of a page (the home page's own sections), in each process's memory: their keys
# carry every version their data depends on, so a copy per process is never stale, and reading one
# costs no round trip.
FRAGMENT_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "talentloop-fragments",
                  "TIMEOUT": 300, "OPTIONS": {"MAX_ENTRIES": 10000}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": "talentloop"}, "fragments": FRAGMENT_CACHE}
else:
    # Room for a version and a home-page entry per active person (core.cache keeps some values per
    # person): past the limit the table is culled by a third, which would drop versions and entries
    # that are still read.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE,
                          "OPTIONS": {"MAX_ENTRIES": 100_000}}, "fragments": FRAGMENT_CACHE}

# A bulk observation request carries up to 5,000 items.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Encryption keys for sensitive fields: "kid:base64-32-byte-key" entries separated by commas; the
# last entry is the newest and encrypts new values. Never stored in code or in the database.
TALENTLOOP_ENCRYPTION_KEYS = os.environ.get("TALENTLOOP_ENCRYPTION_KEYS", "")

# API tokens
API_TOKEN_DEFAULT_DAYS = int(os.environ.get("TALENTLOOP_API_TOKEN_DAYS", "30"))

# The client's address: X-Forwarded-For is believed only from these proxies (IPs or CIDRs,
# comma-separated), e.g. the TLS proxy in front of the application. Empty: the connection's address.
# Outbound webhooks (integrations): an endpoint on a private, loopback or link-local address is refused
# unless this is set (a receiver inside the company network, or the tests' local receiver); each
# attempt's connect/read timeout in seconds.
TALENTLOOP_WEBHOOKS_ALLOW_PRIVATE = os.environ.get("TALENTLOOP_WEBHOOKS_ALLOW_PRIVATE", "") == "1"
TALENTLOOP_WEBHOOKS_TIMEOUT = float(os.environ.get("TALENTLOOP_WEBHOOKS_TIMEOUT", "10"))
# Deliver a published event at once (a job queued when it commits); the every-minute job sends the rest.
TALENTLOOP_WEBHOOKS_SEND_AT_ONCE = True
# Facts from connectors are recorded as observations by the worker as soon as they are stored.
TALENTLOOP_CONNECTORS_RECORD_AT_ONCE = True
# Seconds the recording job waits for more facts before it ends (a burst of deliveries is recorded by one
# job, and each web process asks the shared cache for a job at most three times as often).
TALENTLOOP_CONNECTORS_RECORD_LINGER = 0.75

TALENTLOOP_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TALENTLOOP_TRUSTED_PROXIES", "").split(",")
                              if p.strip()]

# Sign-in throttling (django-axes): failures are counted per (account, client address), so guesses
# with made-up names from one address never lock anyone else out. LOCK_AFTER failures within
# LOCK_MINUTES lock that pair for LOCK_MINUTES. An address that has failed for more than
# ADDRESS_SPRAY_USERNAMES different names within the window is spraying: from then on its failures
# are answered 429 and each name gets only SPRAY_LOCK_AFTER tries from it, while a right password
# still signs in.
LOGIN_THROTTLE = {
    "LOCK_AFTER": int(os.environ.get("TALENTLOOP_LOGIN_LOCK_AFTER", "10")),
    "LOCK_MINUTES": int(os.environ.get("TALENTLOOP_LOGIN_LOCK_MINUTES", "15")),
    "ADDRESS_SPRAY_USERNAMES": 20,
    "SPRAY_LOCK_AFTER": 3,
}
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "talentloop.accounts.throttle.failure_limit"
AXES_COOLOFF_TIME = "talentloop.accounts.throttle.cool_off"
AXES_CLIENT_IP_CALLABLE = "talentloop.core.http.client_ip"
AXES_USERNAME_CALLABLE = "talentloop.accounts.throttle.username_of"
AXES_LOCKOUT_CALLABLE = "talentloop.accounts.throttle.lockout_response"
# A locked pair stays locked for its cool-off; attempts during it do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# Sign-ins and failures are in the audit log; axes keeps only its counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["code", "new_password", "new_password_again", "new_password1", "new_password2",
                             "old_password", "csrfmiddlewaretoken"]
AXES_VERBOSE = False

# Sessions: an absolute lifetime (SESSION_COOKIE_AGE, Django's two weeks) and an idle timeout,
# shorter for HR and administrators, whose sessions reach more people's data.
SESSION_IDLE_MINUTES = int(os.environ.get("TALENTLOOP_SESSION_IDLE_MINUTES", str(8 * 60)))
SESSION_IDLE_MINUTES_PRIVILEGED = int(os.environ.get("TALENTLOOP_SESSION_IDLE_MINUTES_PRIVILEGED", "30"))

# Demo accounts share this password; it is honoured only when TALENTLOOP_DEMO=1.
DEMO_MODE = os.environ.get("TALENTLOOP_DEMO", "") == "1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TALENTLOOP_LOG_LEVEL", "INFO")},
    # Every sign-in failure is in the audit log; axes' own lines only when something goes wrong.
    "loggers": {"axes": {"level": "ERROR"}},
}

AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses a locked (account, address) pair before any password check.
    "axes.backends.AxesStandaloneBackend",
    "talentloop.accounts.backends.TalentloopBackend",
]
