"""`manage.py backup` and `manage.py restore`: a backup restored into a fresh
database holds the same rows, values and media files as the original."""

import json
import tarfile
import uuid
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import load_backend
from django.test.utils import override_settings

from amap.members.models import Membership, User
from amap.orders.models import Order, OrderLine
from amap.producers.models import Producer
from tests.factories import (
    MembershipFactory,
    OrderLineFactory,
    OrganiserMembershipFactory,
    ProducerFactory,
    SubscriptionFactory,
)

# Transactional (the backup reads the database from another connection);
# serialized_rollback puts back what the migrations created (home page,
# schedules), which the flush after a transactional test would wipe for the
# tests that follow on the same worker.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="runs only when DATABASE_URL is a PostgreSQL database",
)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backup and restore"
)


def _site_data(media_root):
    """A little of everything, a photo among the media and accents in text."""
    organiser = OrganiserMembershipFactory(user__last_name="Lefèvre")
    MembershipFactory(collective=organiser.collective, user__first_name="Zoé")
    line = OrderLineFactory(
        quantity=Decimal("2.500"),
        unit_price=Decimal("3.20"),
        amount=Decimal("8.00"),
        order__total=Decimal("8.00"),
    )
    SubscriptionFactory()
    photo = media_root / "producers" / "ferme.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 a photo \xff\xd9")
    producer = ProducerFactory(name="Ferme de l'Aubépine")
    producer.photo.name = "producers/ferme.jpg"
    producer.save()
    return line


@contextmanager
def fresh_database(name):
    """A second connection, "restored", to an empty database called `name`
    (made by hand, not declared in the settings: the test case lets it
    connect)."""
    settings_dict = {**connections["default"].settings_dict, "NAME": name}
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
        settings_dict, "restored"
    )
    connections["restored"] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections["restored"]


def _assert_same_site(line, restored_media):
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        assert model._default_manager.using("restored").count() == (
            model._default_manager.count()
        ), model._meta.label
    assert Membership.objects.using("restored").count() >= 2
    restored_line = OrderLine.objects.using("restored").get(pk=line.pk)
    assert restored_line.quantity == Decimal("2.500")
    assert restored_line.amount == Decimal("8.00")
    assert Order.objects.using("restored").get(pk=line.order_id).total == Decimal(
        "8.00"
    )
    assert User.objects.using("restored").filter(last_name="Lefèvre").exists()
    producer = Producer.objects.using("restored").get(name="Ferme de l'Aubépine")
    assert producer.photo.name == "producers/ferme.jpg"
    photo = restored_media / "producers" / "ferme.jpg"
    assert photo.read_bytes() == b"\xff\xd8 a photo \xff\xd9"


def _backup(tmp_path):
    out = StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    (archive,) = (tmp_path / "backups").glob("amap-backup-*.tar.gz")
    assert str(archive) in out.getvalue()
    return archive


@on_sqlite
def test_a_backup_restored_into_a_fresh_sqlite_database_is_the_same_site(
    settings, tmp_path
):
    line = _site_data(settings.MEDIA_ROOT)
    archive = _backup(tmp_path)

    restored_media = tmp_path / "restored-media"
    with (
        fresh_database(str(tmp_path / "restored.sqlite3")),
        override_settings(MEDIA_ROOT=restored_media),
    ):
        out = StringIO()
        call_command("restore", str(archive), database="restored", stdout=out)
        assert "1 media file" in out.getvalue() or "1 fichier" in out.getvalue()
        _assert_same_site(line, restored_media)


def test_the_manifest_gives_versions_migrations_and_counts(settings, tmp_path):
    _site_data(settings.MEDIA_ROOT)
    archive = _backup(tmp_path)

    with tarfile.open(archive) as opened:
        names = opened.getnames()
        manifest = json.load(opened.extractfile("manifest.json"))
    assert "media/producers/ferme.jpg" in names
    assert manifest["versions"]["django"]
    assert manifest["versions"]["database"].startswith(connection.vendor)
    assert "members.0001_initial" in manifest["database"]["migrations"]
    assert manifest["database"]["row_counts"]["orders_orderline"] == 1
    assert manifest["database"]["row_counts"]["members_user"] == User.objects.count()
    assert manifest["media"] == {"files": 1, "bytes": 13}


def test_restore_refuses_a_database_that_is_not_empty(settings, tmp_path):
    _site_data(settings.MEDIA_ROOT)
    archive = _backup(tmp_path)
    OrderLineFactory()  # written after the backup: must survive the refusal

    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))
    assert OrderLine.objects.count() == 2


@on_sqlite
def test_restore_refuses_a_media_folder_with_files_unless_forced(settings, tmp_path):
    line = _site_data(settings.MEDIA_ROOT)
    archive = _backup(tmp_path)

    with fresh_database(str(tmp_path / "restored.sqlite3")):
        with pytest.raises(CommandError, match="dossier des médias"):
            call_command("restore", str(archive), database="restored")
        assert connections["restored"].introspection.table_names() == []

        call_command(
            "restore", str(archive), database="restored", force=True, stdout=StringIO()
        )
        _assert_same_site(line, settings.MEDIA_ROOT)


@on_sqlite
def test_restore_with_force_replaces_a_database_that_is_not_empty(settings, tmp_path):
    line = _site_data(settings.MEDIA_ROOT)
    archive = _backup(tmp_path)
    first = tmp_path / "restored.sqlite3"
    with fresh_database(str(first)), override_settings(MEDIA_ROOT=tmp_path / "m1"):
        call_command("restore", str(archive), database="restored", stdout=StringIO())
        OrderLine.objects.using("restored").filter(pk=line.pk).delete()

        call_command(
            "restore", str(archive), database="restored", force=True, stdout=StringIO()
        )
        assert OrderLine.objects.using("restored").filter(pk=line.pk).exists()


@pytest.mark.parametrize(
    "content", [b"not an archive", None], ids=["garbage", "foreign-tar"]
)
def test_restore_refuses_what_is_not_a_backup(tmp_path, content):
    archive = tmp_path / "something.tar.gz"
    if content is None:
        (tmp_path / "notes.txt").write_text("hello")
        with tarfile.open(archive, "w:gz") as opened:
            opened.add(tmp_path / "notes.txt", arcname="../notes.txt")
    else:
        archive.write_bytes(content)

    with pytest.raises(CommandError, match="n’est pas une archive de sauvegarde"):
        call_command("restore", str(archive), force=True)
    assert not (tmp_path.parent / "notes.txt").exists()


def test_restore_names_a_missing_archive(tmp_path):
    with pytest.raises(CommandError, match="n’existe pas"):
        call_command("restore", str(tmp_path / "nowhere.tar.gz"))


@on_postgresql
def test_a_backup_restored_into_a_fresh_postgresql_database_is_the_same_site(
    settings, tmp_path
):
    line = _site_data(settings.MEDIA_ROOT)
    archive = _backup(tmp_path)

    name = f"amap_backup_test_{uuid.uuid4().hex[:12]}"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        restored_media = tmp_path / "restored-media"
        with fresh_database(name), override_settings(MEDIA_ROOT=restored_media):
            call_command(
                "restore", str(archive), database="restored", stdout=StringIO()
            )
            _assert_same_site(line, restored_media)
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
