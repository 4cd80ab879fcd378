"""Schedule the task that emails each farm its picking list once a cycle closes."""

from django.db import migrations
from django.utils import timezone

SCHEDULE_NAME = "picking-lists"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "amap.orders.tasks.send_picking_lists_task",
            "schedule_type": "I",  # Schedule.MINUTES
            "minutes": 15,
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def delete_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
