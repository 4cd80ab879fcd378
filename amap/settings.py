"""Settings for the AMAP network, in one module driven by environment variables.

Every value a deployment may change is read from the environment (or from a
`.env` file beside `manage.py`, which `make run` writes for local use). See the
README's "Configuration" section for the list.
"""

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def database_settings(url: str | None) -> dict:
    """The `default` database for a `DATABASE_URL` (SQLite file when unset)."""
    if not url:
        url = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and IMMEDIATE transactions let the web process and the task
        # worker write to the same file without "database is locked" errors.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        config["CONN_HEALTH_CHECKS"] = True
        # A database that does not answer fails a request (and the health
        # check) within seconds instead of hanging on the TCP timeout.
        config.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
        )
    return config


def cache_and_broker_settings(redis_url: str | None) -> tuple[dict, dict]:
    """The `CACHES` setting and the broker part of `Q_CLUSTER` for a `REDIS_URL`.

    Without Redis, the cache is local memory and django-q2 uses the database
    as its broker, so a single machine needs no other service. With Redis,
    the cache fails open (amap/cache.py): a Redis that is down slows nothing
    and breaks no page.
    """
    if redis_url:
        caches = {
            "default": {
                "BACKEND": "amap.cache.FailOpenRedisCache",
                "LOCATION": redis_url,
            }
        }
        return caches, {"redis": broker_url(redis_url)}
    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return caches, {"orm": "default"}


def broker_url(redis_url: str) -> str:
    """`redis_url` with a connection timeout (unless it sets one): a web
    process handing a task to an unreachable Redis gives up after a second
    and leaves the task in the outbox."""
    parts = urlsplit(redis_url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("socket_connect_timeout", "1")
    return urlunsplit(parts._replace(query=urlencode(query)))


def tile_origin(url: str) -> str:
    """The origin a map tile address template loads from, for `img-src`.

    "https://{s}.tile.example.org/{z}/{x}/{y}.png" gives
    "https://*.tile.example.org": Leaflet fills {s} with a subdomain.
    """
    parts = urlsplit(url)
    host = re.sub(r"\{[a-z]\}", "*", parts.hostname or "", count=1)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


DEBUG = env.bool("DEBUG", default=False)

# Without a key and with DEBUG off, SECRET_KEY stays empty: commands that
# sign nothing (migrate, makemigrations, check) still run, and Django refuses
# anything that needs the key (sessions, CSRF, serving pages) with
# "The SECRET_KEY setting must not be empty".
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "dev-only-secret-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "amap.operations",
    "amap.members",
    "amap.producers",
    "amap.distribution",
    "amap.orders",
    "amap.groupbuy",
    "cms",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "django_q",
    "leaflet",
    "csp",
    "simple_history",
    # Django's widget templates, for the project's form renderer.
    "django.forms",
    # Admin modules are discovered in amap.urls, skipping django-leaflet's
    # (it imports GeoDjango, which needs GDAL).
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # Outermost, so that every response carries the Content-Security-Policy:
    # the health check's and static files' (SVG included) too.
    "amap.csp.CSPMiddleware",
    # The load balancer's health check needs no host, session or HTTPS.
    "amap.operations.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # The "who" of the history of orders, payments, subscriptions, absences
    # and offers, when a service does not name it.
    "simple_history.middleware.HistoryRequestMiddleware",
    "amap.members.middleware.CharterMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "amap.urls"
WSGI_APPLICATION = "amap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amap.navigation.navigation",
                "cms.menu.menu_context",
            ],
            # Filters every template uses, with no {% load %}: |euros, |quantity.
            "builtins": ["amap.templatetags.money"],
        },
    },
]

FORM_RENDERER = "amap.form_renderer.FormRenderer"

DATABASES = {"default": database_settings(env.str("DATABASE_URL", default=""))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
CACHES, _q_broker = cache_and_broker_settings(REDIS_URL)

# Background work survives a dead worker (docs/decisions.md, "Leases, timeout
# and retry"): a stored document's lease lapses after BACKGROUND_LEASE_SECONDS
# unless its worker renews it; a task is killed after `timeout`; a task not
# acknowledged is delivered again after `retry` (ORM broker), so that
# lease < timeout < retry. `run_workers` stops the cluster within
# Q_STOP_GRACE_SECONDS of a SIGTERM.
BACKGROUND_LEASE_SECONDS = 120
# Waiting or abandoned work older than this is queued again by the sweeper.
BACKGROUND_GRACE_SECONDS = 300
Q_STOP_GRACE_SECONDS = env.int("Q_STOP_GRACE_SECONDS", default=30)
Q_CLUSTER = {
    "name": "amap",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 300,
    "retry": 420,
    "max_attempts": 3,
    "save_limit": 500,
    "catch_up": False,
    "label": _("Background tasks"),
    **_q_broker,
}

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:dashboard"

# django-allauth: the email address is the login.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# A logged-in person sent to the login page (a page or the editors' admin
# their account cannot open) sees the form, to log in with another account,
# instead of being bounced back where they came from, in a loop.
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AMAP] "
ACCOUNT_SIGNUP_FORM_CLASS = "amap.members.forms.SignupForm"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
# Rate limits on every form that sends an email or checks a password (all
# logins go through allauth's form, see amap/urls.py). "10/m/ip" is 10 a
# minute from one address, "5/5m/key" 5 in five minutes for one email address
# typed, from any address: a burst from one connection is stopped without
# locking out everyone else, and guessing one account's password from many
# addresses is stopped too. What a visitor sees then: templates/429.html, or
# allauth's "too many failed login attempts" next to the form.
ACCOUNT_RATE_LIMITS = {
    # Every POST of the login form.
    "login": "30/m/ip",
    # Failed logins, per address and per account.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "10/m/ip,30/h/ip",
    # Password reset emails: per address, and per email address asked for.
    "reset_password": "10/m/ip,5/h/key",
    "reset_password_from_key": "20/m/ip",
    # One confirmation email per address every three minutes.
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # The passwords editors may put on a page or documents (amap/ratelimits.py).
    "page_password": "10/m/ip,30/h/key",
}
# Who the client is, for the limits per address. The documented deployment
# (README, "Production") is one proxy in front of gunicorn, adding the
# client's address to X-Forwarded-For: the address the nearest proxy saw is
# the last one. TRUSTED_PROXY_COUNT is the number of proxies of your own in
# front (0 when gunicorn is reached directly: X-Forwarded-For is then
# ignored, as anyone can write it); TRUSTED_CLIENT_IP_HEADER instead names a
# header your proxy sets to the client's address alone (X-Real-IP,
# CF-Connecting-IP), which then wins.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = (
    env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
)
# How many days an invitation's link can be used to join a collective.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Réseau des AMAP <ne-pas-repondre@amap.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where vulnerabilities are reported (docs/security.md), published at
# /.well-known/security.txt.
SECURITY_CONTACT = env.str("SECURITY_CONTACT", default="securite@amap.example")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Photos waiting for an organiser's approval, or refused: served only through
# a view that checks who asks (`amap/private_media.py`). Beside MEDIA_ROOT,
# never inside it, and never served by the reverse proxy.
PRIVATE_MEDIA_ROOT = Path(
    env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media"))
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "amap.private_media.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Uploads (amap/uploads.py, docs/decisions.md): a file above this size is
# refused (the proxy in front should refuse a bit more, see the README); an
# image above this many megapixels too, before it is decoded. Images are
# re-encoded at most UPLOAD_IMAGE_MAX_SIDE pixels a side.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=20) * 1024 * 1024
UPLOAD_MAX_MEGAPIXELS = env.int("UPLOAD_MAX_MEGAPIXELS", default=40)
UPLOAD_IMAGE_MAX_SIDE = env.int("UPLOAD_IMAGE_MAX_SIDE", default=2400)

# Wagtail
WAGTAIL_SITE_NAME = "Réseau des AMAP"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# One login page for everything: a private page and the editors' admin send
# people to the site's own (allauth), not to Wagtail's bare ones.
WAGTAIL_FRONTEND_LOGIN_URL = "/compte/login/"
WAGTAILADMIN_LOGIN_URL = "/compte/login/"
# Likewise one password reset, allauth's, rate limited (amap/urls.py sends
# Wagtail's there).
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Page addresses without accents: "adherer-au-reseau", never "adhérer-au-réseau".
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx", "ods"]
# The editors' uploads follow the same limits and checks as everyone's
# (cms/forms.py: documents' content must match their extension, images are
# re-encoded without their metadata).
WAGTAILDOCS_MAX_UPLOAD_SIZE = UPLOAD_MAX_BYTES
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.forms.DocumentForm"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = UPLOAD_MAX_BYTES
WAGTAILIMAGES_MAX_IMAGE_PIXELS = UPLOAD_MAX_MEGAPIXELS * 1_000_000
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.forms.ImageForm"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Maps: tiles come from OpenStreetMap unless MAP_TILES_URL names another tile
# server (its origin is allowed in the Content-Security-Policy's img-src); the
# default view is the whole of France.
MAP_TILES_URL = env.str(
    "MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (46.6, 2.4),
    "DEFAULT_ZOOM": 6,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "TILES": [
        (
            "OpenStreetMap",
            MAP_TILES_URL,
            {"attribution": "&copy; OpenStreetMap contributors", "maxZoom": 19},
        )
    ],
    "RESET_VIEW": False,
}

# Geocoding of pickup points and farms (see amap/geocoding.py): "ban" (the
# French national address service), "nominatim", or "fake" (no network).
GEOCODER = {
    "backend": env.str("GEOCODER", default="ban"),
    "user_agent": env.str("GEOCODER_USER_AGENT", default="amap-network"),
    "timeout": 10,
}
# Members may sign up for or withdraw from a shift until this many hours
# before the distribution starts; organisers may still assign people after.
SHIFT_CHANGE_DEADLINE_HOURS = env.int("SHIFT_CHANGE_DEADLINE_HOURS", default=24)

# Security: strict by default once DEBUG is off; `check --deploy` is clean.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True
    )
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy (django-csp, through amap/csp.py), on every response:
# scripts only from the site (and a nonce, `{{ request.csp_nonce }}`, where an
# inline script must remain), no inline event handler, no eval, no plugins, no
# framing, forms posted to the site only. Styles too come from the site only:
# Leaflet and htmx set styles through the DOM, which the policy allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "script-src-attr": [NONE],
        "style-src": [SELF],
        "style-src-attr": [NONE],
        "img-src": [SELF, "data:", tile_origin(MAP_TILES_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# The editors' admin (Wagtail, /cms/) and the site admin (/admin/) are other
# people's code: their pages get these directives instead, the least they work
# with (docs/decisions.md), and nothing else is relaxed. A path's first
# matching prefix wins.
CSP_PATH_REPLACEMENTS = {
    # Wagtail's date pickers and inline panels are inline scripts without a
    # nonce, its editor sets inline styles, uploads preview as blob: images and
    # page previews are framed by the editor itself.
    "/cms/": {
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "style-src-attr": None,
        "img-src": [SELF, "data:", "blob:"],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
    },
}
# No request from the editors' admin to other sites: no avatar from Gravatar
# (it would tell Gravatar who edits the site), no check for a newer Wagtail.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# The health endpoint (amap/operations/health.py): its path, how long each
# check may take, and how late queued tasks or schedules may be before the
# queue counts as down ("degraded").
HEALTH_PATH = "/sante/"
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)
HEALTH_QUEUE_MAX_AGE = env.int("HEALTH_QUEUE_MAX_AGE", default=600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "modelsearch": {"level": "WARNING"},
    },
}
