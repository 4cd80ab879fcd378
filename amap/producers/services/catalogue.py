"""The catalogue: a farm's products, their prices and units, archiving and
deleting them.

A product's name, description and photo are public once an organiser
approves them (`moderation`): a new upload is kept as `pending_photo`, in
the private storage, and the farm goes into the moderation queue. Members
ordering read the latest name at once.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amap.private_media import delete_file_on_commit
from amap.uploads import upload_errors

from ..models import Offer, Producer, Product
from ..permissions import require_producer_manager
from .moderation import (
    publish_product,
    publishes_at_once,
    request_review,
)

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
    photo = product.pending_photo
    if photo and not getattr(photo, "_committed", True):
        errors.update(upload_errors("photo", photo))
    if product.name:
        product.name = product.name.strip()
    try:
        product.full_clean(exclude=["producer", "published_name"])
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


def _moderate(product: Product, *, changed_by) -> None:
    """Publish the product's public fields at once when the farm needs no
    review; otherwise put the farm in the moderation queue (or withdraw a
    change that no longer changes anything)."""
    if publishes_at_once(changed_by, product.producer):
        publish_product(product)
    else:
        request_review(producer=product.producer, submitted_by=changed_by)


@transaction.atomic
def create_product(*, producer: Producer, created_by, name: str, **fields) -> Product:
    """Add a product to the farm's catalogue, on sale unless `active=False`;
    it is on the public site once approved."""
    require_producer_manager(created_by, producer)
    _check_fields(fields)
    photo = fields.pop("photo", None)
    product = Product(producer=producer, name=name, **fields)
    if photo:
        product.pending_photo = photo
    _validate(product)
    product.save()
    _moderate(product, changed_by=created_by)
    return product


@transaction.atomic
def update_product(product: Product, *, updated_by, **fields) -> Product:
    """Change a product; `photo` is left alone when absent and removed when ""
    (the approved one and the one waiting). A new photo waits for approval,
    as do a new name or description."""
    require_producer_manager(updated_by, product.producer)
    _check_fields(fields)
    product = _locked(product)
    photo = fields.pop("photo", None)
    # A change to what the public reads, or a product back on sale, is
    # reviewed; a price alone is not (nor does it send a refused name again).
    before = {
        field: getattr(product, field) for field in ("name", "description", "active")
    }
    for field, value in fields.items():
        setattr(product, field, value)
    if photo == "":
        delete_file_on_commit(product.photo)
        delete_file_on_commit(product.pending_photo)
        product.photo = product.pending_photo = ""
    elif photo:
        delete_file_on_commit(product.pending_photo)
        product.pending_photo = photo
    _validate(product)
    product.save()
    changed = photo is not None or any(
        getattr(product, field) != value for field, value in before.items()
    )
    if changed:
        _moderate(product, changed_by=updated_by)
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
    # An archived product leaves the public site: nothing of it to review.
    request_review(producer=product.producer, submitted_by=archived_by)
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
    _moderate(product, changed_by=unarchived_by)
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
    delete_file_on_commit(product.photo)
    delete_file_on_commit(product.pending_photo)
    producer = product.producer
    product.delete()
    request_review(producer=producer, submitted_by=deleted_by)
