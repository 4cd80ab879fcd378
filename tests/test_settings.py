"""The settings module: its pure helpers, and how it behaves once deployed."""

import os
import runpy
import secrets
import subprocess
import sys
from unittest import mock

import pytest
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from amap.settings import BASE_DIR, cache_and_broker_settings, database_settings

# database_settings


@pytest.mark.parametrize("url", [None, ""])
def test_without_a_database_url_the_database_is_a_sqlite_file(url):
    config = database_settings(url)

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(BASE_DIR / "db.sqlite3")


def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    """So the web process and the task worker can both write to the file."""
    options = database_settings("sqlite:////tmp/amap.sqlite3")["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL;" in options["init_command"]
    assert options["timeout"] > 0


def test_a_sqlite_url_chooses_the_file():
    assert database_settings("sqlite:////tmp/amap.sqlite3")["NAME"] == (
        "/tmp/amap.sqlite3"
    )


def test_a_postgres_url_gives_a_postgresql_database(monkeypatch):
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)

    config = database_settings("postgres://postgres@127.0.0.1:5432/amap")

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "amap"
    assert config["USER"] == "postgres"
    assert config["HOST"] == "127.0.0.1"
    assert config["PORT"] == 5432
    assert "OPTIONS" not in config or "init_command" not in config["OPTIONS"]
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_conn_max_age_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CONN_MAX_AGE", "0")

    config = database_settings("postgres://amap:secret@db.internal:5433/amap")

    assert config["CONN_MAX_AGE"] == 0
    assert (config["HOST"], config["PORT"], config["PASSWORD"]) == (
        "db.internal",
        5433,
        "secret",
    )


# cache_and_broker_settings


def test_a_redis_url_gives_a_redis_cache_and_broker():
    url = "redis://127.0.0.1:6379/1"

    caches, broker = cache_and_broker_settings(url)

    assert caches == {
        "default": {
            "BACKEND": "amap.cache.FailOpenRedisCache",
            "LOCATION": url,
        }
    }
    assert broker == {"redis": f"{url}?socket_connect_timeout=1"}


def test_a_connection_timeout_in_the_redis_url_is_kept():
    url = "redis://127.0.0.1:6379/1?socket_connect_timeout=3"

    assert cache_and_broker_settings(url)[1] == {"redis": url}


@pytest.mark.parametrize("url", [None, ""])
def test_without_redis_the_cache_is_local_and_the_database_is_the_broker(url):
    caches, broker = cache_and_broker_settings(url)

    assert caches["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    assert broker == {"orm": "default"}


# The settings module as a deployment loads it


def run_django(args, **env_overrides):
    """Run `python <args>` from the project root with amap.settings.

    The `.env` beside manage.py is read with overwrite=False, so every value
    given here wins over it.
    """
    # Drop what the test run itself sets: DJANGO_SETTINGS_MODULE, and
    # DJANGO_ALLOW_ASYNC_UNSAFE (set by the browser tests' conftest), which
    # `check --deploy` rightly reports.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name not in ("DATABASE_URL", "REDIS_URL")
    }
    env["DJANGO_SETTINGS_MODULE"] = "amap.settings"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_secret_key():
    return secrets.token_urlsafe(48)[:60]


def test_deploy_checks_pass_with_production_settings():
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY=production_secret_key(),
        ALLOWED_HOSTS="amap.example.org",
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_deploy_checks_fail_with_debug_on():
    """The check above is able to fail: DEBUG left on is reported."""
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="1",
        SECRET_KEY=production_secret_key(),
        ALLOWED_HOSTS="amap.example.org",
    )

    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


def settings_module(**env):
    """The names amap/settings.py defines when loaded with `env` (the `.env`
    file beside it still fills in what `env` leaves unset)."""
    with mock.patch.dict(os.environ, env):
        return runpy.run_path(str(BASE_DIR / "amap" / "settings.py"))


def test_without_a_secret_key_commands_run_but_nothing_is_signed(settings):
    loaded = settings_module(DEBUG="0", SECRET_KEY="")
    assert (loaded["DEBUG"], loaded["SECRET_KEY"]) == (False, "")

    settings.SECRET_KEY = ""
    call_command("check", verbosity=0)
    with pytest.raises(
        ImproperlyConfigured, match="SECRET_KEY setting must not be empty"
    ):
        signing.dumps("a session")


def test_debug_mode_has_a_development_secret_key():
    result = run_django(
        ["-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        DEBUG="1",
        SECRET_KEY="",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("dev-only-")
