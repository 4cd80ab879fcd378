from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from amap.operations.outbox import dispatch_pending, prune_dispatched


class Command(BaseCommand):
    help = (
        "Hand the outbox's pending tasks to the queue; run them here when the "
        "queue is unreachable (unless --queue-only)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-only",
            action="store_true",
            help="Leave the tasks pending when the queue is unreachable.",
        )

    def handle(self, *args, queue_only=False, **options):
        sent = dispatch_pending(run_if_queue_down=not queue_only)
        pruned = prune_dispatched()
        dispatched = ngettext(
            "%(count)s task dispatched", "%(count)s tasks dispatched", sent
        ) % {"count": sent}
        deleted = ngettext(
            "%(count)s old row deleted", "%(count)s old rows deleted", pruned
        ) % {"count": pruned}
        self.stdout.write(f"{dispatched}, {deleted}.")
