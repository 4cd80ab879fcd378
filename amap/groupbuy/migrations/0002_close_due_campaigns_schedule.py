"""Schedule the task that closes and allocates group purchases at their deadline."""

from django.db import migrations

from amap.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("groupbuy", "0001_initial"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(
            name="close-group-purchases",
            func="amap.groupbuy.tasks.close_due_campaigns_task",
            minutes=5,
        )
    ]
