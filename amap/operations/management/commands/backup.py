from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amap.operations.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write a backup of the database and of MEDIA_ROOT into a folder, as one "
        "timestamped .tar.gz with a manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Folder to write the archive into.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, directory, database, **options):
        try:
            archive = create_backup(directory, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(_("Backup written: %(path)s") % {"path": archive})
        )
