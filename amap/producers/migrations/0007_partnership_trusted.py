from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("producers", "0006_text_max_lengths"),
    ]

    operations = [
        migrations.AddField(
            model_name="partnership",
            name="trusted",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "The collective's organisers trust the farm: its changes to "
                    "its public page and products are published without review."
                ),
                verbose_name="trusted",
            ),
        ),
    ]
