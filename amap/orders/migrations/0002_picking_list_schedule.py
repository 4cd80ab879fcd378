"""Schedule the task that emails each farm its picking list once a cycle closes."""

from django.db import migrations

from amap.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(
            name="picking-lists",
            func="amap.orders.tasks.send_picking_lists_task",
            minutes=15,
        )
    ]
