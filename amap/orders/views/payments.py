"""Payments: organisers record money received; members see what they owe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from amap.forms import add_service_errors
from amap.members.permissions import organised_collectives

from ..forms.payments import BulkPaymentForm, OrderPaymentForm, PaymentFilterForm
from ..models import Contract, Instalment, Order
from ..selectors.balances import (
    collective_instalments,
    collective_orders,
    filter_payment_rows,
    member_balances,
)
from ..services import payments as services


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _list_url(request, collective) -> str:
    """Back to the list with the filters the organiser had."""
    url = reverse("orders:payment_list", args=[collective.slug])
    query = QueryDict(request.POST.get("next_query", "")).urlencode()
    return f"{url}?{query}" if query else url


@login_required
@require_http_methods(["GET", "POST"])
def payment_list(request, slug):
    collective = get_object_or_404(organised_collectives(request.user), slug=slug)
    contracts = list(
        Contract.objects.for_collective(collective)
        .exclude(status=Contract.Status.CANCELLED)
        .order_by("name")
    )
    filter_form = PaymentFilterForm(request.GET or None, contracts=contracts)
    bulk_form = BulkPaymentForm(request.POST or None)
    if request.method == "POST" and bulk_form.is_valid():
        data = bulk_form.cleaned_data
        instalments = list(
            Instalment.objects.filter(
                subscription__contract__collective=collective,
                pk__in=data["instalment_ids"],
            )
        )
        orders = list(
            Order.objects.filter(
                distribution__cycle__collective=collective, pk__in=data["order_ids"]
            )
        )
        if len(instalments) != len(data["instalment_ids"]) or len(orders) != len(
            data["order_ids"]
        ):
            bulk_form.add_error(None, _("The list has changed: reload the page."))
        else:
            try:
                with transaction.atomic():
                    if instalments:
                        services.mark_instalments_paid(
                            instalments=instalments,
                            method=data["method"],
                            references=data["instalment_references"],
                            recorded_by=request.user,
                        )
                    if orders:
                        services.mark_orders_paid(
                            orders=orders,
                            method=data["method"],
                            references=data["order_references"],
                            received_by=request.user,
                        )
            except ValidationError as error:
                bulk_form.add_error(None, _error_text(error))
            else:
                count = len(instalments) + len(orders)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d payment marked as received.",
                        "%(count)d payments marked as received.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect(_list_url(request, collective))

    instalments, orders = filter_payment_rows(
        collective_instalments(collective),
        collective_orders(collective),
        **filter_form.filters(),
    )
    instalments, orders = list(instalments), list(orders)
    return render(
        request,
        "orders/payment_list.html",
        {
            "collective": collective,
            "filter_form": filter_form,
            "bulk_form": bulk_form,
            "instalments": instalments,
            "orders": orders,
            "selected_instalments": set(request.POST.getlist("instalment")),
            "selected_orders": set(request.POST.getlist("order")),
            "query_string": request.GET.urlencode(),
            "instalments_due": sum(i.amount for i in instalments if not i.is_paid),
            "orders_due": sum(max(o.due, 0) for o in orders),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def instalment_payment_cancel(request, slug, pk):
    collective = get_object_or_404(organised_collectives(request.user), slug=slug)
    instalment = get_object_or_404(
        Instalment.objects.filter(subscription__contract__collective=collective), pk=pk
    )
    try:
        services.cancel_instalment_payment(
            instalment=instalment, cancelled_by=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, _("The payment is undone: this instalment is due again.")
        )
    return redirect(_list_url(request, collective))


@login_required
@require_http_methods(["GET", "POST"])
def order_payment_create(request, slug, pk):
    collective = get_object_or_404(organised_collectives(request.user), slug=slug)
    order = get_object_or_404(
        collective_orders(collective).prefetch_related("payments"), pk=pk
    )
    form = OrderPaymentForm(request.POST or None, initial={"amount": max(order.due, 0)})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_order_payment(
                order=order,
                amount=form.cleaned_data["amount"],
                method=form.cleaned_data["method"],
                reference=form.cleaned_data["reference"],
                received_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The payment is recorded."))
            next_url = request.POST.get("next", "")
            if url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}
            ):
                return redirect(next_url)
            return redirect("orders:payment_list", slug=collective.slug)
    return render(
        request,
        "orders/payment_order.html",
        {
            "collective": collective,
            "order": order,
            "form": form,
            "next": request.GET.get("next", request.POST.get("next", "")),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def my_payments(request):
    balances = member_balances(request.user)
    return render(
        request,
        "orders/payment_mine.html",
        {"balances": balances, "total_due": sum(b.due for b in balances)},
    )


urlpatterns = [
    path("organisation/<slug:slug>/paiements/", payment_list, name="payment_list"),
    path(
        "organisation/<slug:slug>/paiements/echeances/<int:pk>/annuler/",
        instalment_payment_cancel,
        name="instalment_payment_cancel",
    ),
    path(
        "organisation/<slug:slug>/paiements/commandes/<int:pk>/",
        order_payment_create,
        name="order_payment_create",
    ),
    path("paiements/", my_payments, name="my_payments"),
]
