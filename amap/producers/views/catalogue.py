"""The catalogue: a farm's products, the product form, archiving and deleting."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amap.forms import add_service_errors
from amap.money import plain_quantity

from ..forms.catalogue import ProductForm
from ..models import Offer, Product
from ..permissions import managed_producers, managed_products
from ..selectors import catalogue as selectors
from ..services import catalogue as services


def _product(request, pk) -> Product:
    """The product if the user manages its farm; 404 otherwise."""
    return get_object_or_404(
        managed_products(request.user).select_related("producer"), pk=pk
    )


@login_required
def product_list(request, slug):
    producer = get_object_or_404(managed_producers(request.user), slug=slug)
    state = request.GET.get("state", selectors.Filter.ACTIVE)
    if state not in selectors.Filter.CHOICES:
        state = selectors.Filter.ACTIVE
    return render(
        request,
        "producers/product_list.html",
        {
            "producer": producer,
            "groups": selectors.catalogue(producer, state=state),
            "state": state,
            "states": [
                (selectors.Filter.ACTIVE, _("On sale")),
                (selectors.Filter.ARCHIVED, _("Archived")),
                (selectors.Filter.ALL, _("All")),
            ],
        },
    )


def _render_form(request, form, *, producer, product=None, was_offered=False):
    return render(
        request,
        "producers/product_form.html",
        {
            "form": form,
            "producer": producer,
            "product": product,
            "was_offered": was_offered,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request, slug):
    producer = get_object_or_404(managed_producers(request.user), slug=slug)
    form = ProductForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            product = services.create_product(
                producer=producer, created_by=request.user, **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been added to the catalogue.") % {"name": product.name},
            )
            return redirect("producers:product_list", slug=producer.slug)
    return _render_form(request, form, producer=producer)


def _product_initial(product: Product) -> dict:
    initial = {field: getattr(product, field) for field in services.EDITABLE_FIELDS}
    initial["weight_step"] = plain_quantity(product.weight_step)
    initial["usual_quantity"] = plain_quantity(product.usual_quantity)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk):
    product = _product(request, pk)
    form = ProductForm(
        request.POST or None, request.FILES or None, initial=_product_initial(product)
    )
    if request.method == "POST" and form.is_valid():
        try:
            product = services.update_product(
                product, updated_by=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s has been saved.") % {"name": product.name}
            )
            return redirect("producers:product_list", slug=product.producer.slug)
    was_offered = Offer.objects.filter(product=product).exists()
    return _render_form(
        request,
        form,
        producer=product.producer,
        product=product,
        was_offered=was_offered,
    )


def _back_to_list(product: Product):
    return redirect("producers:product_list", slug=product.producer.slug)


@login_required
@require_POST
def product_archive(request, pk):
    product = _product(request, pk)
    try:
        services.archive_product(product, archived_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is archived: it no longer appears in new offers.")
            % {"name": product.name},
        )
    return _back_to_list(product)


@login_required
@require_POST
def product_unarchive(request, pk):
    product = _product(request, pk)
    try:
        services.unarchive_product(product, unarchived_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is on sale again.") % {"name": product.name}
        )
    return _back_to_list(product)


@login_required
@require_POST
def product_delete(request, pk):
    product = _product(request, pk)
    try:
        services.delete_product(product, deleted_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("producers:product_edit", pk=product.pk)
    messages.success(request, _("%(name)s has been deleted.") % {"name": product.name})
    return _back_to_list(product)


urlpatterns = [
    path("producteur/<slug:slug>/catalogue/", product_list, name="product_list"),
    path(
        "producteur/<slug:slug>/catalogue/nouveau/",
        product_create,
        name="product_create",
    ),
    path("producteur/produits/<int:pk>/", product_edit, name="product_edit"),
    path(
        "producteur/produits/<int:pk>/archiver/",
        product_archive,
        name="product_archive",
    ),
    path(
        "producteur/produits/<int:pk>/remettre-en-vente/",
        product_unarchive,
        name="product_unarchive",
    ),
    path(
        "producteur/produits/<int:pk>/supprimer/",
        product_delete,
        name="product_delete",
    ),
]
