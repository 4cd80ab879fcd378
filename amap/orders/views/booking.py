"""Pre-booking: choosing a distribution, the booking page, an order, cancelling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from amap.forms import add_service_errors
from amap.views import CommandView

from ..forms.booking import BookingForm, field_name
from ..models import Order
from ..permissions import member_orders
from ..selectors.booking import (
    bookable_distributions,
    booking_page,
    member_distributions,
    order_with_lines,
)
from ..services import booking as services


@login_required
def distribution_choice(request):
    return render(
        request,
        "orders/booking_distribution_choice.html",
        {"distributions": bookable_distributions(request.user)},
    )


@login_required
def booking(request, pk):
    distribution = get_object_or_404(
        member_distributions(request.user).select_related(
            "cycle__collective", "pickup_point"
        ),
        pk=pk,
    )
    page = booking_page(request.user, distribution)
    refused = {}
    status = 200
    form = BookingForm(
        request.POST if request.method == "POST" and page.is_open else None,
        offers=page.offers,
        quantities=page.quantities,
    )
    if request.method == "POST" and not page.is_open:
        messages.error(
            request,
            _(
                "Ordering for this distribution is closed: your order can no "
                "longer change."
            ),
        )
        status = 400
    elif form.is_bound and form.is_valid():
        try:
            result = services.place_order(
                member=request.user, distribution=distribution, lines=form.lines()
            )
        except ValidationError as error:
            add_service_errors(
                form,
                error,
                lambda key: field_name(key) if isinstance(key, int) else key,
            )
            status = 400
        else:
            if result.ok:
                if result.order and result.order.status == Order.Status.CONFIRMED:
                    messages.success(
                        request,
                        _("Your order is saved; a confirmation email is on its way."),
                    )
                else:
                    messages.success(request, _("Your order is cancelled."))
                return redirect("orders:booking", pk=distribution.pk)
            saved = result.order and result.order.status == Order.Status.CONFIRMED
            if not saved:
                messages.error(request, _("Nothing could be booked: see below."))
            else:
                messages.warning(
                    request,
                    ngettext(
                        "Your order is saved, except for one product: see below.",
                        "Your order is saved, except for %(count)d products: "
                        "see below.",
                        len(result.refused),
                    )
                    % {"count": len(result.refused)},
                )
            refused = result.refused
            page = booking_page(request.user, distribution)
            form = BookingForm(offers=page.offers, quantities=page.quantities)
    elif form.is_bound:
        status = 400
    return render(
        request,
        "orders/booking_form.html",
        {
            "page": page,
            "distribution": distribution,
            "order": page.order,
            "form": form,
            "rows": [
                {
                    "producer": group.producer,
                    "offers": [
                        {
                            "offer": offer,
                            "field": form.bound_field(offer),
                            "quantity": page.quantities.get(offer.pk),
                            "refused": refused.get(offer.pk),
                        }
                        for offer in group.offers
                    ],
                }
                for group in page.groups
            ],
        },
        status=status,
    )


@login_required
def order_detail(request, pk):
    try:
        order = order_with_lines(member_orders(request.user), pk)
    except Order.DoesNotExist as error:
        raise Http404 from error
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "is_open": order.distribution.cycle.is_open
            and not order.distribution.cancelled,
        },
    )


class OrderCancelView(CommandView):
    success_message = gettext_lazy(
        "Your order is cancelled and its products are released."
    )

    def access(self):
        self.order = get_object_or_404(
            member_orders(self.request.user), pk=self.kwargs["pk"]
        )

    def perform(self):
        services.cancel_order(self.order, cancelled_by=self.request.user)

    def get_success_url(self):
        return reverse("orders:order_detail", args=[self.order.pk])


urlpatterns = [
    path("commandes/", distribution_choice, name="distribution_choice"),
    path("commandes/distribution/<int:pk>/", booking, name="booking"),
    path("commandes/<int:pk>/", order_detail, name="order_detail"),
    path("commandes/<int:pk>/annuler/", OrderCancelView.as_view(), name="order_cancel"),
]
