"""Fast settings for the test suite, on top of the real ones.

`DATABASE_URL` still chooses the database, so the same suite runs on SQLite
and on PostgreSQL.
"""

import os

os.environ.setdefault(
    "SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijkl"
)

from amap.settings import *  # noqa: E402,F403

# On SQLite the test database is a file, not memory, so that `--reuse-db` (in
# pytest's addopts) keeps it, migrated, from one run to the next; each xdist
# worker gets its own file (pytest-django appends "_gw0", "_gw1"...).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _test_databases = BASE_DIR / ".pytest_cache"  # noqa: F405
    _test_databases.mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(_test_databases / "test_amap.sqlite3")
    }

DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# False, not {}: allauth merges a dict into its default limits (which are kept
# in the cache, shared by all tests) and only False turns them all off.
ACCOUNT_RATE_LIMITS = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
SITE_URL = "http://testserver"
# Static files are served from the finders, so no collectstatic is needed.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
GEOCODER = {"backend": "fake"}
