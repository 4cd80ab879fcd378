"""Recurring django-q2 tasks, created by data migrations.

A schedule is data, not settings: each app's migration creates the rows its
tasks need (`interval_schedule`), so a new database gets them with `migrate`
and removing a schedule is a migration too. Reversing the migration deletes
the row. Used by migrations, so what it does must not change.
"""

from django.db import migrations
from django.utils import timezone

DJANGO_Q_MIGRATION = (
    "django_q",
    "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more",
)


def interval_schedule(*, name: str, func: str, minutes: int) -> migrations.RunPython:
    """A RunPython that schedules `func` every `minutes`, starting now (kept
    as it is if a schedule of that name exists already)."""

    def create(apps, schema_editor):
        Schedule = apps.get_model("django_q", "Schedule")
        Schedule.objects.get_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": "I",  # Schedule.MINUTES
                "minutes": minutes,
                "repeats": -1,
                "next_run": timezone.now(),
            },
        )

    def delete(apps, schema_editor):
        Schedule = apps.get_model("django_q", "Schedule")
        Schedule.objects.filter(name=name).delete()

    return migrations.RunPython(create, delete)
