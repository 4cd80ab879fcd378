"""Uploaded files that no public address serves: photos waiting for an
organiser's approval, or refused.

They live under `PRIVATE_MEDIA_ROOT`, a folder beside `MEDIA_ROOT`, never
inside it, so that a reverse proxy serving `MEDIA_ROOT` cannot reach them.
A view that has checked who asks answers with `private_file_response`; once
approved, a file is copied to the public storage with `publish_copy`.
"""

import mimetypes
import os
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.db import transaction
from django.http import FileResponse, Http404


class PrivateStorage(FileSystemStorage):
    """A file system storage under `PRIVATE_MEDIA_ROOT`, without URLs.

    The location is read from the settings at each use (not cached), so that
    a test's own folder applies."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(
            "A private file has no public address: link to the view that checks "
            "who asks."
        )


def private_storage():
    """The storage of files waiting for approval (the `private` alias)."""
    return storages["private"]


def private_file_response(field_file) -> FileResponse:
    """The file, for a person the view has already checked; 404 when there is
    no file or it is missing on disk. Never kept by a shared cache."""
    if not field_file or not field_file.storage.exists(field_file.name):
        raise Http404
    content_type = (
        mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    )
    response = FileResponse(
        field_file.storage.open(field_file.name, "rb"), content_type=content_type
    )
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def publish_copy(field_file, *, into) -> None:
    """Copy an approved private file into `into`, a public file field of an
    unsaved change (its storage and `upload_to`), under its own file name."""
    name = PurePosixPath(field_file.name).name
    with field_file.storage.open(field_file.name, "rb") as source:
        into.save(name, File(source), save=False)


def delete_file_on_commit(field_file) -> None:
    """Delete the file (public or private) once the transaction commits, so
    that a rolled-back change keeps it."""
    if field_file:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda: storage.delete(name))
