"""The catalogue: a farm's products, their prices and units, archiving and
deleting them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amap.uploads import upload_errors

from ..models import Offer, Producer, Product
from ..permissions import require_producer_manager

EDITABLE_FIELDS = (
    "name",
    "category",
    "unit",
    "price",
    "vat_rate",
    "weight_step",
    "usual_quantity",
    "description",
    "photo",
    "active",
)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected product fields: {sorted(unknown)}")


def _validate(product: Product) -> None:
    errors = {}
    if product.weight_step is not None and product.unit != Product.Unit.KG:
        errors["weight_step"] = [
            _(
                "A weight step only makes sense for a product sold by the kg; "
                "leave it empty."
            )
        ]
    photo = product.photo
    if photo and not getattr(photo, "_committed", True):
        errors.update(upload_errors("photo", photo))
    if product.name:
        product.name = product.name.strip()
    try:
        product.full_clean(exclude=["producer"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _locked(product: Product) -> Product:
    return (
        Product.objects.select_for_update()
        .select_related("producer")
        .get(pk=product.pk)
    )


@transaction.atomic
def create_product(*, producer: Producer, created_by, name: str, **fields) -> Product:
    """Add a product to the farm's catalogue, on sale unless `active=False`."""
    require_producer_manager(created_by, producer)
    _check_fields(fields)
    product = Product(producer=producer, name=name, **fields)
    _validate(product)
    product.save()
    return product


@transaction.atomic
def update_product(product: Product, *, updated_by, **fields) -> Product:
    """Change a product; `photo` is left alone when absent and removed when ""."""
    require_producer_manager(updated_by, product.producer)
    _check_fields(fields)
    product = _locked(product)
    old_photo = product.photo.name if product.photo else ""
    for field, value in fields.items():
        setattr(product, field, value)
    _validate(product)
    product.save()
    if old_photo and "photo" in fields and product.photo.name != old_photo:
        storage = product.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    return product


@transaction.atomic
def archive_product(product: Product, *, archived_by) -> Product:
    """Take a product off sale: it no longer appears in new offers, and
    members can no longer book it. Its history stays."""
    require_producer_manager(archived_by, product.producer)
    product = _locked(product)
    if not product.active:
        raise ValidationError(
            _("%(name)s is already archived.") % {"name": product.name}
        )
    product.active = False
    product.save(update_fields=["active"])
    return product


@transaction.atomic
def unarchive_product(product: Product, *, unarchived_by) -> Product:
    """Put an archived product on sale again."""
    require_producer_manager(unarchived_by, product.producer)
    product = _locked(product)
    if product.active:
        raise ValidationError(
            _("%(name)s is already on sale.") % {"name": product.name}
        )
    product.active = True
    product.save(update_fields=["active"])
    return product


@transaction.atomic
def delete_product(product: Product, *, deleted_by) -> None:
    """Delete a product that was never offered; one that was must be archived,
    so that past offers and orders keep it."""
    require_producer_manager(deleted_by, product.producer)
    product = _locked(product)
    if Offer.objects.filter(product=product).exists():
        raise ValidationError(
            _("This product has already been offered: archive it instead.")
        )
    photo = product.photo.name if product.photo else ""
    storage = product.photo.storage
    product.delete()
    if photo:
        transaction.on_commit(lambda: storage.delete(photo))
