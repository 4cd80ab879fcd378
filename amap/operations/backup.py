"""Backups of the whole site and their restore.

A backup is one `amap-backup-YYYYMMDD-HHMMSS.tar.gz` (UTC) holding:

- `database.pgdump` (pg_dump's custom format, on PostgreSQL) or
  `database.sqlite3` (a copy made with SQLite's online backup API);
- `media/`: every file under `MEDIA_ROOT` (farm and product photos, stored
  distribution sheets);
- `manifest.json`: the versions (application, Django, Python, database
  server), the migrations applied, the number of rows of every table and of
  media files, all read from the same state of the database as the dump.

`restore_backup` puts one back into an empty database (refusing a non-empty
one unless `force`), then counts the rows again and compares them with the
manifest. Called by `manage.py backup` and `manage.py restore`.
"""

import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import django
from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DUMP_FILES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
ARCHIVE_PREFIX = "amap-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
# pg_dump and pg_restore never wait forever for a lock another process holds.
PG_LOCK_TIMEOUT = "60s"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the
    person running the command, and nothing was written."""


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    row_counts: dict[str, int]
    media_files: int
    # In the code but not in the restored database: run `migrate`.
    missing_migrations: list[str] = field(default_factory=list)
    # In the restored database but unknown to the code: a newer version's backup.
    unknown_migrations: list[str] = field(default_factory=list)


# Backup ---------------------------------------------------------------------


def create_backup(
    directory, *, using: str = "default", media_root=None, now: datetime | None = None
) -> Path:
    """Write a backup archive into `directory` (created if needed) and return
    its path. The archive appears under its final name only once complete."""
    connection = connections[using]
    directory = Path(directory)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    stamp = (now or timezone.now()).astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    target = directory / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    if connection.vendor not in DUMP_FILES:
        raise BackupError(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(
            _("Cannot create the folder %(path)s: %(error)s")
            % {"path": directory, "error": error.strerror or error}
        ) from error
    if target.exists():
        raise BackupError(
            _("%(path)s already exists; wait a second and try again.")
            % {"path": target}
        )
    with tempfile.TemporaryDirectory(prefix="amap-backup-") as work:
        dump = Path(work) / DUMP_FILES[connection.vendor]
        if connection.vendor == "postgresql":
            database = _pg_dump(connection, dump)
        else:
            database = _sqlite_dump(connection, dump)
        media = _media_summary(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": (now or timezone.now()).astimezone(UTC).isoformat(),
            "versions": _versions(connection),
            "database": {"vendor": connection.vendor, **database},
            "media": media,
        }
        manifest_file = Path(work) / MANIFEST
        manifest_file.write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        partial = directory / f".{target.name}.part"
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(manifest_file, arcname=MANIFEST)
                archive.add(dump, arcname=dump.name)
                if media_root.is_dir():
                    archive.add(media_root, arcname=MEDIA_DIR)
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return target


def _versions(connection) -> dict[str, str]:
    try:
        application = metadata.version("amap")
    except metadata.PackageNotFoundError:
        application = "unknown"
    if connection.vendor == "postgresql":
        server = str(connection.pg_version)
    else:
        server = sqlite3.sqlite_version
    return {
        "application": application,
        "django": django.get_version(),
        "python": platform.python_version(),
        "database": f"{connection.vendor} {server}",
    }


def _sqlite_dump(connection, dump: Path) -> dict:
    """Copy the database with SQLite's online backup API (consistent even
    while others write), then read the copy's migrations and counts."""
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        with connection.wrap_database_errors:
            connection.connection.backup(target)
    finally:
        target.close()
    copy = sqlite3.connect(dump)
    try:
        return _database_state(copy.cursor(), _sqlite_tables(copy.cursor()))
    finally:
        copy.close()


def _pg_dump(connection, dump: Path) -> dict:
    """pg_dump of the snapshot in which the rows are counted, so the manifest
    describes exactly what the dump holds."""
    pg_dump = _program("pg_dump")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        state = _database_state(cursor, connection.introspection.table_names(cursor))
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump}",
            ],
            connection,
        )
    return state


def _media_summary(media_root: Path) -> dict[str, int]:
    files = [path for path in media_root.rglob("*") if path.is_file()]
    return {"files": len(files), "bytes": sum(path.stat().st_size for path in files)}


# Restore --------------------------------------------------------------------


def restore_backup(
    archive, *, using: str = "default", media_root=None, force: bool = False
) -> RestoreResult:
    """Put the backup `archive` back into the database `using` and into
    `media_root`. Refuses a database that has tables, or a media folder that
    has files, unless `force`; refuses a backup of another kind of database.
    Raises BackupError when the restored rows do not match the manifest."""
    connection = connections[using]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    archive = Path(archive)
    with tempfile.TemporaryDirectory(prefix="amap-restore-") as work:
        manifest = _unpack(archive, Path(work))
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                _(
                    "This backup holds a %(archive)s database and cannot be "
                    "restored into %(target)s."
                )
                % {"archive": vendor, "target": connection.vendor}
            )
        if not force:
            _check_empty(connection, media_root)
        dump = Path(work) / DUMP_FILES[vendor]
        if vendor == "postgresql":
            _pg_restore(connection, dump, clean=force)
        else:
            _sqlite_restore(connection, dump)
        media_files = _restore_media(Path(work) / MEDIA_DIR, media_root)
    expected = manifest["database"]["row_counts"]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        counts = _row_counts(cursor, [t for t in expected if t in tables])
    different = sorted(
        table for table, count in expected.items() if counts.get(table) != count
    )
    if different:
        raise BackupError(
            _(
                "The restored database does not match the backup's manifest "
                "for these tables: %(tables)s."
            )
            % {"tables": ", ".join(different)}
        )
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    in_code = {f"{app}.{name}" for app, name in loader.disk_migrations}
    restored = set(manifest["database"]["migrations"])
    return RestoreResult(
        manifest=manifest,
        row_counts=counts,
        media_files=media_files,
        missing_migrations=sorted(in_code - restored),
        unknown_migrations=sorted(restored - in_code),
    )


def _unpack(archive: Path, work: Path) -> dict:
    """Extract `archive` into `work` (no path may leave it) and return its
    manifest, checked."""
    not_a_backup = _("%(path)s is not a backup archive of this site.") % {
        "path": archive
    }
    if not archive.is_file():
        raise BackupError(_("%(path)s does not exist.") % {"path": archive})
    try:
        with tarfile.open(archive, "r:gz") as opened:
            for member in opened.getmembers():
                top = member.name.split("/", 1)[0]
                if top not in (MANIFEST, MEDIA_DIR, *DUMP_FILES.values()):
                    raise BackupError(not_a_backup)
            opened.extractall(work, filter="data")
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, tarfile.TarError, ValueError) as error:
        raise BackupError(not_a_backup) from error
    database = manifest.get("database") if isinstance(manifest, dict) else None
    if (
        not isinstance(database, dict)
        or manifest.get("format") != FORMAT
        or database.get("vendor") not in DUMP_FILES
        or not isinstance(database.get("row_counts"), dict)
        or not isinstance(database.get("migrations"), list)
    ):
        raise BackupError(not_a_backup)
    vendor = database["vendor"]
    if not (work / DUMP_FILES[vendor]).is_file():
        raise BackupError(not_a_backup)
    return manifest


def _check_empty(connection, media_root: Path) -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(count)s tables). Restore "
                "into an empty database, or add --force to replace its content."
            )
            % {"name": connection.settings_dict["NAME"], "count": len(tables)}
        )
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        raise BackupError(
            _(
                "The media folder %(path)s is not empty. Restore into an empty "
                "folder, or add --force to write over its files."
            )
            % {"path": media_root}
        )


def _sqlite_restore(connection, dump: Path) -> None:
    """Replace the whole content of the SQLite database with the copy, in one
    step (SQLite's backup API writes every page of the destination)."""
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        with connection.wrap_database_errors:
            source.backup(connection.connection)
    finally:
        source.close()
        connection.close()


def _pg_restore(connection, dump: Path, *, clean: bool) -> None:
    """pg_restore in one transaction: all of the dump, or nothing."""
    connection.close()
    command = [
        _program("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={connection.settings_dict['NAME']}",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, str(dump)], connection)


def _restore_media(source: Path, media_root: Path) -> int:
    if not source.is_dir():
        return 0
    shutil.copytree(source, media_root, dirs_exist_ok=True)
    return sum(1 for path in source.rglob("*") if path.is_file())


# Shared ---------------------------------------------------------------------


def _database_state(cursor, tables) -> dict:
    """What the manifest says of a database, read through `cursor`."""
    tables = sorted(tables)
    migrations = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    return {"row_counts": _row_counts(cursor, tables), "migrations": migrations}


def _row_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        quoted = '"{}"'.format(table.replace('"', '""'))
        cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%'"
    )
    return [name for (name,) in cursor.fetchall()]


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "%(program)s is not installed on this machine; install the "
                "PostgreSQL client of the server's version."
            )
            % {"program": name}
        )
    return path


def _run(command: list[str], connection) -> None:
    """Run a PostgreSQL client program with the connection's settings in its
    environment (the password never appears in the process list)."""
    config = connection.settings_dict
    env = {**os.environ, "PGOPTIONS": f"-c lock_timeout={PG_LOCK_TIMEOUT}"}
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if config.get(key):
            env[variable] = str(config[key])
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if config.get("OPTIONS", {}).get(option):
            env[variable] = str(config["OPTIONS"][option])
    result = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {
                "program": Path(command[0]).name,
                "error": result.stderr.strip() or result.returncode,
            }
        )
