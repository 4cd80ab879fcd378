"""Schedule the sweeper that queues again the background work a lost worker
left undone (documents, organisers' sheet links)."""

from django.db import migrations

from amap.schedules import DJANGO_Q_MIGRATION, interval_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_stored_document_lease"),
        DJANGO_Q_MIGRATION,
    ]

    operations = [
        interval_schedule(
            name="sweeper",
            func="amap.orders.tasks.sweep_task",
            minutes=5,
        )
    ]
