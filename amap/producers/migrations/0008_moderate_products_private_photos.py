"""Products' public name, description and photo are moderated; photos waiting
for approval (or refused) move out of the public media folder.

Existing products were already public: their current name and description
become the approved ones. Existing proposed farm photos move from MEDIA_ROOT
to PRIVATE_MEDIA_ROOT (same relative name); a file that an approval made the
farm's photo stays public too, as the farm's photo.
"""

import shutil
from pathlib import Path

from django.conf import settings
import django.core.validators
from django.db import migrations, models
from django.db.models import F

import amap.private_media


def approve_existing_products(apps, schema_editor):
    Product = apps.get_model("producers", "Product")
    Product.objects.update(
        published_name=F("name"), published_description=F("description")
    )


def move_submission_photos(apps, schema_editor):
    Producer = apps.get_model("producers", "Producer")
    ProfileSubmission = apps.get_model("producers", "ProfileSubmission")
    public_root = Path(settings.MEDIA_ROOT)
    private_root = Path(settings.PRIVATE_MEDIA_ROOT)
    farm_photos = set(
        Producer.objects.exclude(photo="").values_list("photo", flat=True)
    )
    names = set(
        ProfileSubmission.objects.exclude(photo="").values_list("photo", flat=True)
    )
    for name in names:
        source = public_root / name
        if not source.is_file():
            continue
        target = private_root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copy2(source, target)
        if name not in farm_photos:
            source.unlink()


class Migration(migrations.Migration):
    dependencies = [
        ("producers", "0007_partnership_trusted"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="pending_photo",
            field=models.ImageField(
                blank=True,
                help_text="Not public: only the farm and its moderators see it.",
                storage=amap.private_media.private_storage,
                upload_to="products/",
                verbose_name="photo waiting for approval",
            ),
        ),
        migrations.AddField(
            model_name="product",
            name="published_description",
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name="published description"),
        ),
        migrations.AddField(
            model_name="product",
            name="published_name",
            field=models.CharField(
                blank=True,
                help_text="Empty until an organiser first approves the product.",
                max_length=150,
                verbose_name="published name",
            ),
        ),
        migrations.AlterField(
            model_name="product",
            name="photo",
            field=models.ImageField(
                blank=True,
                help_text="The approved photo, on the public site.",
                upload_to="products/",
                verbose_name="photo",
            ),
        ),
        migrations.AlterField(
            model_name="profilesubmission",
            name="photo",
            field=models.ImageField(
                blank=True,
                storage=amap.private_media.private_storage,
                upload_to="producers/submissions/",
                verbose_name="new photo",
            ),
        ),
        migrations.RunPython(approve_existing_products, migrations.RunPython.noop),
        migrations.RunPython(move_submission_photos, migrations.RunPython.noop),
    ]
