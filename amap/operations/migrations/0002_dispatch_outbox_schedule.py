"""The workers hand the outbox's pending tasks to the queue every minute."""

from django.db import migrations

from amap.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_outbox_task"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(
            name="dispatch-outbox",
            func="amap.operations.tasks.dispatch_outbox_task",
            minutes=1,
        ),
    ]
