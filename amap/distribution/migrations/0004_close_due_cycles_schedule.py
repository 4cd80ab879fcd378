"""Schedule the task that closes order cycles at their deadline."""

from django.db import migrations

from amap.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0003_distribution_cancellation_notified_at"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(
            name="close-due-cycles",
            func="amap.distribution.tasks.close_due_cycles_task",
            minutes=5,
        )
    ]
