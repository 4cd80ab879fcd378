from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from amap.members.models import Collective
from amap.orders.data_export import collective_zip


class Command(BaseCommand):
    help = (
        "Write a collective's data (members, contracts, subscriptions, orders, "
        "payments, absences, shifts…) as a ZIP of CSV and JSON files."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The collective's address name.")
        parser.add_argument(
            "--output",
            "-o",
            default=".",
            help="Folder (or .zip path) to write to; the current folder by default.",
        )

    def handle(self, *args, slug, output, **options):
        collective = Collective.objects.filter(slug=slug).first()
        if collective is None:
            raise CommandError(
                _("No collective has the address name “%(slug)s”.") % {"slug": slug}
            )
        document = collective_zip(collective)
        target = Path(output)
        if target.suffix != ".zip":
            target = target / document.filename
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.part")
            partial.write_bytes(document.content)
            partial.replace(target)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s")
                % {"path": target, "error": error.strerror or error}
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Data of %(collective)s written: %(path)s")
                % {"collective": collective.name, "path": target}
            )
        )
