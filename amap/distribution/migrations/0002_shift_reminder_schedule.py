"""Schedule the daily task that reminds volunteers of tomorrow's shifts."""

import datetime
import zoneinfo

from django.db import migrations

SCHEDULE_NAME = "shift-reminders"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    tomorrow = datetime.datetime.now(paris).date() + datetime.timedelta(days=1)
    Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "amap.distribution.tasks.send_shift_reminders_task",
            "schedule_type": "D",  # Schedule.DAILY
            "repeats": -1,
            "next_run": datetime.datetime.combine(
                tomorrow, datetime.time(9, 0), tzinfo=paris
            ),
        },
    )


def delete_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
