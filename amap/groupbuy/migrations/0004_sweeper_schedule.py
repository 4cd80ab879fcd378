"""Schedule the sweeper that emails members the result of a group purchase
when the task that should have was lost with its worker."""

from django.db import migrations

from amap.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("groupbuy", "0003_text_max_lengths"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(
            name="group-purchase-sweeper",
            func="amap.groupbuy.tasks.sweep_task",
            minutes=5,
        )
    ]
