from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amap.operations.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by `backup` into an empty database and "
        "MEDIA_ROOT, then check its rows against the manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz written by `backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the content of a database or media folder that is not empty.",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, archive, force, database, **options):
        try:
            result = restore_backup(archive, using=database, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(result.row_counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Backup of %(date)s restored: %(rows)s rows in %(tables)s "
                    "tables, as in its manifest, and %(media)s."
                )
                % {
                    "date": result.manifest["created_at"],
                    "rows": rows,
                    "tables": len(result.row_counts),
                    "media": ngettext(
                        "%(count)s media file",
                        "%(count)s media files",
                        result.media_files,
                    )
                    % {"count": result.media_files},
                }
            )
        )
        if result.missing_migrations:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "The backup comes from an older version: run "
                        "`python manage.py migrate` before starting the site."
                    )
                )
            )
        if result.unknown_migrations:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "The backup comes from a newer version of the site "
                        "(unknown migrations: %(names)s); deploy that version "
                        "before starting the site."
                    )
                    % {"names": ", ".join(result.unknown_migrations)}
                )
            )
