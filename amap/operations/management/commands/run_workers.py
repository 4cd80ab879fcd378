from django.conf import settings
from django.core.management.base import BaseCommand

from amap.operations.workers import run_workers


class Command(BaseCommand):
    help = (
        "Run the background workers (django-q2's qcluster) and stop them within "
        "--grace seconds of SIGTERM, killing a task still running then."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=float,
            default=settings.Q_STOP_GRACE_SECONDS,
            help="Seconds given to running tasks to finish once asked to stop.",
        )

    def handle(self, *args, grace, **options):
        code = run_workers(grace=grace)
        if code:
            raise SystemExit(code)
