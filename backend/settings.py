"""Settings for the movie-collections backend.

Every value comes from the environment (or a `.env` file beside
`manage.py`); `.env.example` documents each variable. With no
`DATABASE_URL` and no `REDIS_URL` the app runs on SQLite, local-memory
caches, a database-backed request counter and the demo upstream.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from backend.secret_key import checkout_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # A developer's machine: a key of this checkout's own, made on first use and kept out of git.
    SECRET_KEY = checkout_secret_key(Path(env.str("SECRET_KEY_FILE", default=str(BASE_DIR / ".secret-key"))))

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, with the login attempt bound of the token endpoints.
    "backend.admin_site.ThrottledAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "movie_collections",
    "movies",
    "metrics",
    "graphql_api",
    "rest_compat",
]

MIDDLEWARE = [
    # Observers first, so they see every request and its final status.
    "backend.middleware.AccessLogMiddleware",
    "metrics.middleware.RequestMetricsMiddleware",
    "metrics.middleware.RequestCounterMiddleware",
    "backend.middleware.HeadWithoutBodyMiddleware",
    "backend.problems.ProblemDetailsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
# Routes accept both spellings themselves; a redirect would drop POST bodies.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction begins (and wait for it)
    # instead of failing to upgrade a read lock mid-transaction under
    # concurrent writes; WAL lets readers go on while one process writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Prefix of the app's keys in Redis (cache, cost buckets); deployments sharing one Redis may share it.
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="movie-collections")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                # A cache outage degrades to cache misses, never to a 500.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "movie-collections",
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves STATIC_ROOT (filled by `manage.py collectstatic`) under gunicorn,
# pre-compressed. Not the manifest variant: that one makes {% static %} raise
# when DEBUG is off and collectstatic has not run (tests, a forgotten deploy step).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Largest request body Django reads; a larger one answers 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# --- Security: defaults suit plain HTTP on loopback; see README for production.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# --- CORS for single-page apps
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_CREDENTIALS = False

# --- REST framework and JWT
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_PARSER_CLASSES": ["rest_compat.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "rest_compat.exceptions.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Proxies in front of the app that append to X-Forwarded-For (0: the peer address is the client's).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_ACCESS_TOKEN_LIFETIME_SECONDS", default=900)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_REFRESH_TOKEN_LIFETIME_SECONDS", default=7 * 24 * 3600)),
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default="") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
    # A refresh answers a new refresh token and revokes the one it used (accounts.services.tokens_refresh).
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}

# How long a process keeps the user of a token (no user row read per request); a deactivated or
# deleted user is refused on every process at most this long after. 0: read the user every request.
AUTH_USER_CACHE_SECONDS = env.float("AUTH_USER_CACHE_SECONDS", default=5.0)
# Registration and token attempts per client address and minute, on both faces (0: unbounded).
AUTH_THROTTLE_PER_MINUTE = env.int("AUTH_THROTTLE_PER_MINUTE", default=30)

SPECTACULAR_SETTINGS = {
    "TITLE": "Movie collections API (REST)",
    "DESCRIPTION": (
        "REST shims over the GraphQL API at /graphql/. Every error is a problem document "
        "(`application/problem+json`); a method a path does not list answers 405 with `Allow` "
        "(`#/components/responses/MethodNotAllowed`)."
    ),
    # Any path answers 405 to a method it does not list; OpenAPI has no place for that but a shared response.
    "APPEND_COMPONENTS": {
        "responses": {
            "MethodNotAllowed": {
                "description": "A method the path does not list: `Allow` lists those it does.",
                "headers": {"Allow": {"required": True, "schema": {"type": "string"}}},
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
        }
    },
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from drf-spectacular-sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# --- What one user may store (see movie_collections.services)
COLLECTIONS_PER_USER_LIMIT = env.int("COLLECTIONS_PER_USER_LIMIT", default=100)
MOVIES_PER_COLLECTION_LIMIT = env.int("MOVIES_PER_COLLECTION_LIMIT", default=1000)
GENRES_PER_MOVIE_LIMIT = env.int("GENRES_PER_MOVIE_LIMIT", default=20)

# --- GraphQL limits (see README, "Limits and costs")
GRAPHQL_MAX_DOCUMENT_BYTES = env.int("GRAPHQL_MAX_DOCUMENT_BYTES", default=32_768)
GRAPHQL_MAX_TOKENS = env.int("GRAPHQL_MAX_TOKENS", default=2000)
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=10)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", default=15)
GRAPHQL_MAX_FIELDS = env.int("GRAPHQL_MAX_FIELDS", default=200)
GRAPHQL_MAX_SELECTIONS = env.int("GRAPHQL_MAX_SELECTIONS", default=1000)
GRAPHQL_MAX_DIRECTIVES = env.int("GRAPHQL_MAX_DIRECTIVES", default=20)
GRAPHQL_MAX_COST = env.int("GRAPHQL_MAX_COST", default=5000)
# Cost points per caller: the bucket holds this many and refills this many a second (0: no rate limit).
GRAPHQL_COST_BUCKET = env.int("GRAPHQL_COST_BUCKET", default=50_000)
GRAPHQL_COST_REFILL_PER_SECOND = env.int("GRAPHQL_COST_REFILL_PER_SECOND", default=1000)
# An operation still running this long after its request began stops with DEADLINE_EXCEEDED.
GRAPHQL_DEADLINE_SECONDS = env.float("GRAPHQL_DEADLINE_SECONDS", default=10.0)

# --- Movies upstream (see movies/)
MOVIES_API_URL = env.str("MOVIES_API_URL", default="http://127.0.0.1:8001/api/v1/maya/movies/")
MOVIES_API_USERNAME = env.str("MOVIES_API_USERNAME", default="demo")
MOVIES_API_PASSWORD = env.str("MOVIES_API_PASSWORD", default="demo")
MOVIES_API_DEADLINE_SECONDS = env.float("MOVIES_API_DEADLINE_SECONDS", default=10.0)
MOVIES_API_CONNECT_TIMEOUT_SECONDS = env.float("MOVIES_API_CONNECT_TIMEOUT_SECONDS", default=2.0)
MOVIES_API_READ_TIMEOUT_SECONDS = env.float("MOVIES_API_READ_TIMEOUT_SECONDS", default=4.0)
MOVIES_API_MAX_ATTEMPTS = env.int("MOVIES_API_MAX_ATTEMPTS", default=4)
MOVIES_API_BACKOFF_BASE_SECONDS = env.float("MOVIES_API_BACKOFF_BASE_SECONDS", default=0.2)
MOVIES_API_BACKOFF_MAX_SECONDS = env.float("MOVIES_API_BACKOFF_MAX_SECONDS", default=2.0)
# Retry-After (seconds) of a 503 when neither the upstream nor the breaker suggests one.
MOVIES_API_RETRY_AFTER_SECONDS = env.int("MOVIES_API_RETRY_AFTER_SECONDS", default=5)
MOVIES_API_MAX_RESPONSE_BYTES = env.int("MOVIES_API_MAX_RESPONSE_BYTES", default=1_048_576)
MOVIES_API_POOL_SIZE = env.int("MOVIES_API_POOL_SIZE", default=10)
MOVIES_BREAKER_FAILURE_THRESHOLD = env.int("MOVIES_BREAKER_FAILURE_THRESHOLD", default=5)
MOVIES_BREAKER_RESET_SECONDS = env.float("MOVIES_BREAKER_RESET_SECONDS", default=30.0)
MOVIES_CACHE_FRESH_SECONDS = env.int("MOVIES_CACHE_FRESH_SECONDS", default=300)
MOVIES_CACHE_STALE_SECONDS = env.int("MOVIES_CACHE_STALE_SECONDS", default=86400)

# --- Request counter (see metrics/)
REQUEST_COUNTER_ENABLED = env.bool("REQUEST_COUNTER_ENABLED", default=True)
REQUEST_COUNTER_KEY_PREFIX = env.str("REQUEST_COUNTER_KEY_PREFIX", default="movie-collections")
REQUEST_COUNTER_REDIS_URL = env.str("REQUEST_COUNTER_REDIS_URL", default=REDIS_URL)
# A flush on Redis is one script call; on the database, a transaction that takes SQLite's one write lock.
REQUEST_COUNTER_FLUSH_MS = env.int("REQUEST_COUNTER_FLUSH_MS", default=10 if REQUEST_COUNTER_REDIS_URL else 100)
# A process that does not flush for this long after a read began counts as gone.
REQUEST_COUNTER_PROCESS_TIMEOUT_MS = env.int("REQUEST_COUNTER_PROCESS_TIMEOUT_MS", default=2000)
# Bound of a counter store call: Redis connect and read, a PostgreSQL lock wait.
REQUEST_COUNTER_STORE_TIMEOUT_MS = env.int("REQUEST_COUNTER_STORE_TIMEOUT_MS", default=1000)

# --- Prometheus metrics at /metrics (see metrics/prometheus.py): off (404) unless a token is set, then
# scrapers send `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Under a server of several worker processes: a directory (emptied at start) where each process writes its
# metrics, so a scrape answers the sum of all of them. prometheus-client reads it from the environment.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")

# --- The admin site's path (a path of its own keeps it out of the way of scanners looking for /admin/).
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured("ADMIN_URL must end with a slash and not begin with one, e.g. admin/.")

# One JSON object per line in production; plain text for a developer (DEBUG). Every line carries the
# request id of the request it belongs to (backend.logging).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "backend.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "filters": {
        "request_id": {"()": "backend.logging.RequestIdFilter"},
        "one_short_line": {"()": "backend.logging.OneShortLine"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
        "console_one_line": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["one_short_line", "request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Our problem-details layer logs 4xx/5xx itself, and the access log every request.
        "django.request": {"level": "ERROR"},
        # runserver's own access lines would double ours.
        "django.server": {"level": "WARNING"},
        # A forged Host header or the like: anyone can send them, so one short line each.
        "django.security": {"handlers": ["console_one_line"], "propagate": False},
    },
}
