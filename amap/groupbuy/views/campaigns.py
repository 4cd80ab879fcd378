"""Organisers running group purchases, under /organisation/<collective>/achats-groupes/.

Every view finds the collective among those the user organises and the
campaign among that collective's campaigns: anything else is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amap.forms import add_service_errors
from amap.members.permissions import organised_collectives

from ..forms.campaigns import (
    CampaignForm,
    CancelForm,
    ExtendForm,
    ItemForm,
    PaymentForm,
)
from ..models import GroupPurchase, Item, Payment
from ..selectors.campaigns import campaign_detail, organiser_campaigns, supplier_order
from ..services.campaigns import CAMPAIGN_FIELDS, create_campaign, update_campaign
from ..services.items import add_item, remove_item, update_item
from ..services.lifecycle import (
    cancel_campaign,
    close_campaign,
    extend_campaign,
    mark_delivered,
    mark_ordered,
    open_campaign,
    order_anyway,
)
from ..services.payments import cancel_payment, record_payment
from ..supplier_order import filename, supplier_order_csv, supplier_order_pdf

Status = GroupPurchase.Status


def _collective(request, slug):
    return get_object_or_404(organised_collectives(request.user), slug=slug)


def _campaign(request, slug, pk, *, lock_related=True):
    collective = _collective(request, slug)
    campaigns = GroupPurchase.objects.filter(collectives=collective)
    if lock_related:
        campaigns = campaigns.select_related(
            "producer", "distribution__pickup_point", "distribution__cycle"
        )
    return collective, get_object_or_404(campaigns, pk=pk)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _back(collective, campaign):
    return redirect("groupbuy:manage_detail", slug=collective.slug, pk=campaign.pk)


@login_required
def campaign_list(request, slug):
    collective = _collective(request, slug)
    return render(
        request,
        "groupbuy/manage_list.html",
        {"collective": collective, "campaigns": list(organiser_campaigns(collective))},
    )


def _campaign_fields(data) -> dict:
    return {name: data[name] for name in CAMPAIGN_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request, slug):
    collective = _collective(request, slug)
    form = CampaignForm(
        request.POST or None, user=request.user, initial={"collectives": [collective]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = create_campaign(
                created_by=request.user,
                collectives=list(form.cleaned_data["collectives"]),
                **_campaign_fields(form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The group purchase is saved as a draft: add its items.")
            )
            return _back(collective, campaign)
    return render(
        request,
        "groupbuy/manage_form.html",
        {"collective": collective, "form": form, "campaign": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, slug, pk):
    collective, campaign = _campaign(request, slug, pk)
    initial = {
        "collectives": list(campaign.collectives.all()),
        **{name: getattr(campaign, name) for name in CAMPAIGN_FIELDS},
    }
    form = CampaignForm(
        request.POST or None, user=request.user, campaign=campaign, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_campaign(
                campaign,
                updated_by=request.user,
                collectives=list(form.cleaned_data["collectives"]),
                **_campaign_fields(form.cleaned_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The group purchase is saved."))
            return _back(collective, campaign)
    return render(
        request,
        "groupbuy/manage_form.html",
        {"collective": collective, "form": form, "campaign": campaign},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def campaign_detail_view(request, slug, pk):
    collective, campaign = _campaign(request, slug, pk)
    detail = campaign_detail(campaign)
    return render(
        request,
        "groupbuy/manage_detail.html",
        {
            "collective": collective,
            "campaign": campaign,
            "detail": detail,
            "Status": Status,
            "cancel_form": CancelForm(),
            "extend_form": ExtendForm(),
        },
    )


@login_required
def campaign_allocation(request, slug, pk):
    collective, campaign = _campaign(request, slug, pk)
    detail = campaign_detail(campaign)
    return render(
        request,
        "groupbuy/manage_allocation.html",
        {"collective": collective, "campaign": campaign, "detail": detail},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_form(request, slug, pk, item_pk=None):
    collective, campaign = _campaign(request, slug, pk)
    item = None
    initial = {}
    if item_pk is not None:
        item = get_object_or_404(
            Item.objects.filter(campaign=campaign).prefetch_related("tiers"),
            pk=item_pk,
        )
        initial = {
            "name": item.name,
            "unit": item.unit,
            "case_size": item.case_size,
            "min_cases": item.min_cases or None,
            "max_cases": item.max_cases,
            "tiers": ItemForm.tiers_text(item.tiers.all()),
        }
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "unit": data["unit"],
            "case_size": data["case_size"],
            "tiers": data["tiers"],
            "min_cases": data["min_cases"] or 0,
            "max_cases": data["max_cases"],
        }
        try:
            if item is None:
                add_item(campaign=campaign, added_by=request.user, **fields)
            else:
                update_item(item, updated_by=request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item is saved."))
            return _back(collective, campaign)
    return render(
        request,
        "groupbuy/manage_item_form.html",
        {"collective": collective, "campaign": campaign, "item": item, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def item_remove(request, slug, pk, item_pk):
    collective, campaign = _campaign(request, slug, pk)
    item = get_object_or_404(Item.objects.filter(campaign=campaign), pk=item_pk)
    try:
        remove_item(item, removed_by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The item is removed."))
    return _back(collective, campaign)


def _command(service, success):
    """A POST-only view calling `service(campaign, <actor>=user)`."""

    @login_required
    @require_POST
    def view(request, slug, pk):
        collective, campaign = _campaign(request, slug, pk)
        try:
            service(campaign, request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, success())
        return _back(collective, campaign)

    return view


campaign_open = _command(
    lambda c, user: open_campaign(c, opened_by=user),
    lambda: _("The group purchase is open: members can pledge."),
)
campaign_close = _command(
    lambda c, user: close_campaign(c, closed_by=user),
    lambda: _("Pledges are closed."),
)
campaign_order_anyway = _command(
    lambda c, user: order_anyway(c, decided_by=user),
    lambda: _("The group purchase is allocated below the minimum order."),
)
campaign_mark_ordered = _command(
    lambda c, user: mark_ordered(c, ordered_by=user),
    lambda: _("The group purchase is marked as ordered."),
)
campaign_mark_delivered = _command(
    lambda c, user: mark_delivered(c, delivered_by=user),
    lambda: _("The group purchase is marked as delivered."),
)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_extend(request, slug, pk):
    collective, campaign = _campaign(request, slug, pk)
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            extend_campaign(
                campaign,
                closes_at=form.cleaned_data["closes_at"],
                extended_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Pledges are open again."))
            return _back(collective, campaign)
    return render(
        request,
        "groupbuy/manage_decision.html",
        {
            "collective": collective,
            "campaign": campaign,
            "form": form,
            "action": "extend",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_cancel(request, slug, pk):
    collective, campaign = _campaign(request, slug, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancel_campaign(
                campaign, reason=form.cleaned_data["reason"], cancelled_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The group purchase is cancelled."))
            return _back(collective, campaign)
    return render(
        request,
        "groupbuy/manage_decision.html",
        {
            "collective": collective,
            "campaign": campaign,
            "form": form,
            "action": "cancel",
        },
        status=400 if request.method == "POST" else 200,
    )


def _settled_order(request, slug, pk):
    collective, campaign = _campaign(request, slug, pk)
    if campaign.status not in (Status.ALLOCATED, Status.ORDERED, Status.DELIVERED):
        raise Http404
    return supplier_order(campaign)


@login_required
def supplier_order_pdf_view(request, slug, pk):
    order = _settled_order(request, slug, pk)
    response = HttpResponse(
        supplier_order_pdf(order, request), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{filename(order, "pdf")}"'
    return response


@login_required
def supplier_order_csv_view(request, slug, pk):
    order = _settled_order(request, slug, pk)
    response = HttpResponse(
        supplier_order_csv(order), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(order, "csv")}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def payment_list(request, slug, pk):
    collective, campaign = _campaign(request, slug, pk)
    form = PaymentForm(request.POST or None)
    failed_member = None
    if request.method == "POST":
        if form.is_valid():
            detail = campaign_detail(campaign)
            row = next(
                (
                    r
                    for r in detail.members
                    if r.member.pk == form.cleaned_data["member"]
                ),
                None,
            )
            if row is None:
                raise Http404
            try:
                record_payment(
                    campaign=campaign,
                    member=row.member,
                    amount=form.cleaned_data["amount"],
                    method=form.cleaned_data["method"],
                    reference=form.cleaned_data["reference"],
                    received_by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The payment is recorded."))
                return redirect(
                    "groupbuy:manage_payments", slug=collective.slug, pk=campaign.pk
                )
        failed_member = form.data.get("member")
    detail = campaign_detail(campaign)
    return render(
        request,
        "groupbuy/manage_payments.html",
        {
            "collective": collective,
            "campaign": campaign,
            "detail": detail,
            "form": form,
            "failed_member": str(failed_member or ""),
            "method_choices": PaymentForm.base_fields["method"].choices,
            "settled": campaign.status
            in (Status.ALLOCATED, Status.ORDERED, Status.DELIVERED),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def payment_cancel(request, slug, pk, payment_pk):
    collective, campaign = _campaign(request, slug, pk)
    payment = get_object_or_404(
        Payment.objects.filter(campaign=campaign), pk=payment_pk
    )
    try:
        cancel_payment(payment=payment, cancelled_by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The payment is cancelled: it is due again."))
    return redirect("groupbuy:manage_payments", slug=collective.slug, pk=campaign.pk)


PREFIX = "organisation/<slug:slug>/achats-groupes/"

urlpatterns = [
    path(PREFIX, campaign_list, name="manage_list"),
    path(f"{PREFIX}nouveau/", campaign_create, name="manage_create"),
    path(f"{PREFIX}<int:pk>/", campaign_detail_view, name="manage_detail"),
    path(f"{PREFIX}<int:pk>/modifier/", campaign_edit, name="manage_edit"),
    path(f"{PREFIX}<int:pk>/produits/ajouter/", item_form, name="manage_item_add"),
    path(
        f"{PREFIX}<int:pk>/produits/<int:item_pk>/",
        item_form,
        name="manage_item_edit",
    ),
    path(
        f"{PREFIX}<int:pk>/produits/<int:item_pk>/retirer/",
        item_remove,
        name="manage_item_remove",
    ),
    path(f"{PREFIX}<int:pk>/ouvrir/", campaign_open, name="manage_open"),
    path(f"{PREFIX}<int:pk>/clore/", campaign_close, name="manage_close"),
    path(f"{PREFIX}<int:pk>/prolonger/", campaign_extend, name="manage_extend"),
    path(f"{PREFIX}<int:pk>/annuler/", campaign_cancel, name="manage_cancel"),
    path(
        f"{PREFIX}<int:pk>/commander-quand-meme/",
        campaign_order_anyway,
        name="manage_order_anyway",
    ),
    path(
        f"{PREFIX}<int:pk>/commande-passee/",
        campaign_mark_ordered,
        name="manage_mark_ordered",
    ),
    path(
        f"{PREFIX}<int:pk>/livre/",
        campaign_mark_delivered,
        name="manage_mark_delivered",
    ),
    path(
        f"{PREFIX}<int:pk>/repartition/", campaign_allocation, name="manage_allocation"
    ),
    path(
        f"{PREFIX}<int:pk>/bon-de-commande.pdf",
        supplier_order_pdf_view,
        name="manage_supplier_order_pdf",
    ),
    path(
        f"{PREFIX}<int:pk>/bon-de-commande.csv",
        supplier_order_csv_view,
        name="manage_supplier_order_csv",
    ),
    path(f"{PREFIX}<int:pk>/paiements/", payment_list, name="manage_payments"),
    path(
        f"{PREFIX}<int:pk>/paiements/<int:payment_pk>/annuler/",
        payment_cancel,
        name="manage_payment_cancel",
    ),
]
