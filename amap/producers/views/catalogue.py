"""The catalogue: a farm's products, the product form, archiving and deleting."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from amap.money import plain_quantity
from amap.views import CommandView, ServiceFormView

from ..forms.catalogue import ProductForm
from ..models import Offer, Product
from ..permissions import access_managed_producer, access_managed_product
from ..selectors import catalogue as selectors
from ..services import catalogue as services


@login_required
def product_list(request, slug):
    producer = access_managed_producer(request.user, slug)
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


class ProductCreateView(ServiceFormView):
    template_name = "producers/product_form.html"
    form_class = ProductForm
    product = None

    def access(self):
        self.producer = access_managed_producer(self.request.user, self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            producer=self.producer,
            product=self.product,
            was_offered=self.product is not None
            and Offer.objects.filter(product=self.product).exists(),
            **kwargs,
        )

    def perform(self, form):
        return services.create_product(
            producer=self.producer,
            created_by=self.request.user,
            **form.service_fields(),
        )

    def get_success_message(self):
        return _with_moderation(
            self.result,
            _("%(name)s has been added to the catalogue.") % {"name": self.result.name},
        )

    def get_success_url(self):
        return reverse("producers:product_list", args=[self.producer.slug])


def _with_moderation(product: Product, message: str) -> str:
    if not product.is_unpublished:
        return message
    return " ".join(
        [
            message,
            _(
                "Members of your collectives see it now; the network's public "
                "site shows it once an organiser approves it."
            ),
        ]
    )


def _product_initial(product: Product) -> dict:
    initial = {field: getattr(product, field) for field in services.EDITABLE_FIELDS}
    initial["weight_step"] = plain_quantity(product.weight_step)
    initial["usual_quantity"] = plain_quantity(product.usual_quantity)
    return initial


class ProductEditView(ProductCreateView):
    def access(self):
        self.product = access_managed_product(self.request.user, self.kwargs["pk"])
        self.producer = self.product.producer

    def get_initial(self):
        return _product_initial(self.product)

    def perform(self, form):
        return services.update_product(
            self.product, updated_by=self.request.user, **form.service_fields()
        )

    def get_success_message(self):
        return _with_moderation(
            self.result, _("%(name)s has been saved.") % {"name": self.result.name}
        )


class _ProductCommandView(CommandView):
    def access(self):
        self.product = access_managed_product(self.request.user, self.kwargs["pk"])

    def get_success_url(self):
        return reverse("producers:product_list", args=[self.product.producer.slug])


class ProductArchiveView(_ProductCommandView):
    def perform(self):
        services.archive_product(self.product, archived_by=self.request.user)

    def get_success_message(self, result):
        return _("%(name)s is archived: it no longer appears in new offers.") % {
            "name": self.product.name
        }


class ProductUnarchiveView(_ProductCommandView):
    def perform(self):
        services.unarchive_product(self.product, unarchived_by=self.request.user)

    def get_success_message(self, result):
        return _("%(name)s is on sale again.") % {"name": self.product.name}


class ProductDeleteView(_ProductCommandView):
    def perform(self):
        services.delete_product(self.product, deleted_by=self.request.user)

    def get_success_message(self, result):
        return _("%(name)s has been deleted.") % {"name": self.product.name}

    def get_refused_url(self):
        return reverse("producers:product_edit", args=[self.product.pk])


urlpatterns = [
    path("producteur/<slug:slug>/catalogue/", product_list, name="product_list"),
    path(
        "producteur/<slug:slug>/catalogue/nouveau/",
        ProductCreateView.as_view(),
        name="product_create",
    ),
    path(
        "producteur/produits/<int:pk>/",
        ProductEditView.as_view(),
        name="product_edit",
    ),
    path(
        "producteur/produits/<int:pk>/archiver/",
        ProductArchiveView.as_view(),
        name="product_archive",
    ),
    path(
        "producteur/produits/<int:pk>/remettre-en-vente/",
        ProductUnarchiveView.as_view(),
        name="product_unarchive",
    ),
    path(
        "producteur/produits/<int:pk>/supprimer/",
        ProductDeleteView.as_view(),
        name="product_delete",
    ),
]
