"""Settings of the adminduk-coverage service.

Every deploy-time value comes from the environment (12-factor), read with django-environ;
docs/configuration.md lists each variable. With nothing set, the service runs on an SQLite file in the
project folder, which is what the quick start uses.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from . import database, logs

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is optional (ENV_FILE names another); real deployments set the environment directly.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random value "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development only."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-")):
    # The same test as Django's security.W009, made fatal: a guessable key forges sessions and admin logins.
    raise ImproperlyConfigured(
        "SECRET_KEY is insecure: it must be at least 50 characters with at least 5 different ones, and not "
        "start with 'django-insecure-'. Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the service's host names; '*' is refused unless DEBUG=true.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Production transport security (all on unless DEBUG; see docs/configuration.md, "Production"). The service sits
# behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Other government apps call the API from browsers on their own origins: only the origins named here.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = [
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "x-request-id",
]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "X-Request-ID", "Content-Disposition"]
CORS_PREFLIGHT_MAX_AGE = 3600

# How many reverse proxies in front of the service append to X-Forwarded-For. 0: the client is REMOTE_ADDR and
# the header is ignored (a client could write anything in it); 1: the address our own proxy appended. The one rule
# that reads it, coverage.api.throttling.client_address, gives the client's address to the throttles, the failed
# authentication counter, the request log and the admin login's lockout (through DRF's NUM_PROXIES, below).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)

INSTALLED_APPS = [
    # Before coverage, whose admin replaces the admin page it registers for its own (unused) key model.
    "rest_framework_api_key",
    # First of the rest, so that its translations win over those of the apps below.
    "coverage.apps.CoverageConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "simple_history",
    "corsheaders",
    "django_guid",
    "axes",
]

MIDDLEWARE = [
    "coverage.middleware.health.ProbeMiddleware",
    "django_guid.middleware.guid_middleware",
    "coverage.middleware.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside security and CORS, whose headers the JSON errors keep; before anything that reads the path.
    "coverage.middleware.paths.JsonApiErrorsMiddleware",
    "coverage.middleware.paths.OptionalSlashMiddleware",
    "coverage.middleware.cache.ResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "coverage.middleware.doors.DoorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login attempt into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "adminduk.urls"
WSGI_APPLICATION = "adminduk.wsgi.application"

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

DATABASES = {"default": database.from_environment(env, default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Anonymous answers may be computed on streaming replicas that have replayed the data version they answer for;
# writes, clients with credentials and the admin stay on the primary (coverage.middleware.replicas).
DATABASES |= database.replicas_from_environment(env, DATABASES["default"])
DATABASE_ROUTERS = ["coverage.middleware.replicas.ReplicaRouter"] if len(DATABASES) > 1 else []
# A replica that cannot be reached is left alone this long before it is tried again.
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A new API key is shown once as an admin message: kept in the session, not in a cookie the browser holds.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# The admin login (the only password login) is locked after ADMIN_LOGIN_FAILURE_LIMIT failed attempts for an
# account, from any address, or from an address, for any account (django-axes; attempts kept in the database, shown
# in the admin). Failures are forgotten, and a lock lifted, ADMIN_LOGIN_COOLOFF_MINUTES after the last failure (one
# made while locked, even with the right password, starts the wait again); `manage.py axes_reset` lifts every lock.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out attempt before any password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("ADMIN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, and per address
# Not reset by a successful login: axes would then clear every failure of the address too, and anyone with an
# account could wipe their address's guesses at another account by logging in to their own between batches.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "coverage.api.throttling.client_address"
AXES_VERBOSE = False  # no banner at every start; failures and lockouts are still logged

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Bahasa Indonesia by default; English with Accept-Language: en.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Makassar")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Templates still render when collectstatic has not run (tests, runserver); files then keep their plain names.
WHITENOISE_MANIFEST_STRICT = False

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
REGION_DATA_DIR = BASE_DIR / "fixtures" / "wilayah"
BPS_CROSSWALK_DIR = BASE_DIR / "fixtures" / "bps-crosswalk"
REGION_CHANGES_FILE = BASE_DIR / "fixtures" / "lineage" / "region_changes.csv"

# The admin's history pages show changes; reverting from them would bypass the publication rules and row versions.
SIMPLE_HISTORY_REVERT_DISABLED = True

API_PUBLIC_READ = env.bool("API_PUBLIC_READ", default=True)
# Percentage points by which a stored figure may differ from the roll-up of its children's counts
# before it is flagged (stored figures are rounded to 2 places, so never below 0.005).
ROLLUP_TOLERANCE = env.float("ROLLUP_TOLERANCE", default=0.1)
# Percentage points between a figure and the region's previous one that flag a jump.
QUALITY_JUMP = env.float("QUALITY_JUMP", default=10.0)
# HTTP caching (coverage/middleware/cache.py): Cache-Control max-age of anonymous reads, and the server-side cache of
# anonymous responses, keyed by the data version so that no write can leave a stale answer behind.
API_CACHE_MAX_AGE = env.int("API_CACHE_MAX_AGE", default=60)
RESPONSE_CACHE = env.bool("RESPONSE_CACHE", default=True)
RESPONSE_CACHE_SECONDS = env.int("RESPONSE_CACHE_SECONDS", default=600)
RESPONSE_CACHE_MAX_BYTES = env.int("RESPONSE_CACHE_MAX_BYTES", default=2 * 1024 * 1024)
# The per-process response cache (the default) holds at most this many bytes of answers in each worker.
RESPONSE_CACHE_MEMORY = env.int("RESPONSE_CACHE_MEMORY", default=32 * 1024 * 1024)
# REDIS_URL, when set, is the default for the response cache and the throttle counters.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://default"),
    "responses": env.cache_url("RESPONSE_CACHE_URL", default=REDIS_URL or "locmemcache://responses?MAX_ENTRIES=5000"),
    # Throttle counters must be shared by every gunicorn worker: the database (a table made by the migrations)
    # unless Redis is configured.
    "throttle": env.cache_url("THROTTLE_CACHE_URL", default=REDIS_URL or "dbcache://adminduk_cache"),
}
if CACHES["throttle"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # An increment that holds when workers count the same client at once; room for 10,000 live counters
    # (Django's default of 300 would cull counters of active clients).
    CACHES["throttle"]["BACKEND"] = "coverage.middleware.cachebackends.LockingDatabaseCache"
    CACHES["throttle"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 10_000)
if CACHES["responses"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    # Bounded in bytes, not only in entries (coverage/middleware/cachebackends.py).
    CACHES["responses"]["BACKEND"] = "coverage.middleware.cachebackends.BoundedLocMemCache"
    CACHES["responses"].setdefault("OPTIONS", {}).setdefault("MAX_BYTES", RESPONSE_CACHE_MEMORY)
for _alias in ("responses", "throttle"):
    if CACHES[_alias]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # Never let a slow or absent Redis hang a request.
        CACHES[_alias].setdefault("OPTIONS", {}).update({"socket_connect_timeout": 2, "socket_timeout": 2})
        CACHES[_alias].setdefault("KEY_PREFIX", f"adminduk-{_alias}")
# Bulk import (coverage.imports.limits.ImportLimits, docs/configuration.md): one byte limit for a file or JSON body on
# every door; the rows one import takes through the API and the admin, which run inside a worker's timeout (set
# so that the slowest kind of file at the cap finishes well inside GUNICORN_TIMEOUT, measured), and through the
# command, which runs without one.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
IMPORT_MAX_WEB_ROWS = env.int("IMPORT_MAX_WEB_ROWS", default=50_000)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=500_000)
# An admin upload over IMPORT_MAX_BYTES is dropped unread (the form says why); Django's own handlers after it.
FILE_UPLOAD_HANDLERS = [
    "coverage.api.parsers.ImportSizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # A header-based scheme first: its WWW-Authenticate header makes a missing credential a 401, not a 403. It
        # also sees every Authorization header first: it refuses an unknown scheme (401) and an address past its
        # rate of failed authentications (429). Both header schemes count their failures against the address.
        "coverage.api.authentication.ApiKeyAuthentication",
        "coverage.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["coverage.api.permissions.ModelPermissionsWithPublicRead"],
    "DEFAULT_FILTER_BACKENDS": ["coverage.api.filtering.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "coverage.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
    # JSON and CSV only in production; the browsable HTML API with DEBUG (or BROWSABLE_API=true).
    "DEFAULT_RENDERER_CLASSES": [
        "coverage.api.renderers.ORJSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if env.bool("BROWSABLE_API", default=DEBUG) else []),
        "coverage.api.renderers.CSVRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "coverage.api.throttling.AnonymousThrottle",
        "coverage.api.throttling.ClientThrottle",
        "coverage.api.throttling.WriteThrottle",
    ],
    # Requests per second/minute/hour/day; an empty value switches that throttle off (e.g. for the benchmark).
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON_RATE", default="300/min") or None,
        "client": env.str("THROTTLE_CLIENT_RATE", default="3000/min") or None,
        "write": env.str("THROTTLE_WRITE_RATE", default="120/min") or None,
        # Failed authentications (wrong key or token, unknown scheme) per client address: past it, that address
        # gets 429 for any credential until the window ends (coverage.api.authentication).
        "failed_auth": env.str("THROTTLE_FAILED_AUTH_RATE", default="30/min") or None,
    },
    "NUM_PROXIES": TRUSTED_PROXIES,
    # Records are written as JSON, the shape they are read in (a form would send every value as text: "0" for a
    # boolean, "" for a null). Imports take a file (multipart) or a JSON array: their own parsers.
    "DEFAULT_PARSER_CLASSES": ["coverage.api.parsers.JSONParser"],
    # No OPTIONS answer describing the fields: the OpenAPI schema does (CORS preflights are answered before the view).
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "coverage.api.negotiation.ContentNegotiation",
    "COERCE_DECIMAL_TO_STRING": False,
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "coverage.api.schema.AutoSchema",
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "coverage.api.exceptions.ExceptionHandler",
    "ALLOWED_ERROR_STATUS_CODES": [
        "400",
        "401",
        "403",
        "404",
        "405",
        "406",
        "409",
        "412",
        "413",
        "415",
        "429",
        "500",
        "503",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "adminduk-coverage API",
    "DESCRIPTION": (
        "Coverage of population-administration services (KTP-el recording, KIA and IKD ownership) per "
        "Indonesian region and date, against national targets. Regions use Kemendagri codes "
        "(`64` Kalimantan Timur, `64.71` Kota Balikpapan), never BPS codes. Reads are open; every write "
        "needs `Authorization: Token …` from a user holding the model permission. Errors share one shape: "
        "`{type, errors: [{code, detail, attr}]}` where `attr` names the offending field or parameter."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call-outs: the online validator badge would contact validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "persistAuthorization": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "RegionLevelEnum": "coverage.models.Region.Level",
        "RegionKindEnum": "coverage.models.Region.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "coverage.api.schema.add_parameter_examples",
        "coverage.api.schema.document_server_limits",
    ],
}

# Request ids (django-guid): taken from a valid incoming X-Request-ID or made anew, returned in the response and
# written in every log line of the request.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,  # CORS_EXPOSE_HEADERS names it with the others
    "IGNORE_URLS": [],
}

# One JSON object per line on stderr (python-json-logger) in production; LOG_FORMAT=text for people.
LOG_FORMAT = logs.log_format(env)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"}},
    "formatters": {
        "json": {**logs.JSON_FORMATTER, "fmt": f"{logs.JSON_FORMATTER['fmt']} %(request_id)s"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # RequestLogMiddleware writes one line per request; Django's own request/server loggers would repeat it.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "django_guid": {"level": "WARNING"},
        # A request with a bad Host header is a 400 in the request log; not a traceback at ERROR each time.
        "django.security.DisallowedHost": {"level": "CRITICAL"},
    },
}
