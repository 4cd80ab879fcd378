"""Organisers running group purchases, under /organisation/<collective>/achats-groupes/.

Every view finds the collective among those the user organises and the
campaign among that collective's campaigns: anything else is a 404.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy

from amap.views import CommandView, ServiceFormView, access_organised_collective

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


def _campaign(request, slug, pk, *, lock_related=True):
    collective = access_organised_collective(request.user, slug)
    campaigns = GroupPurchase.objects.filter(collectives=collective)
    if lock_related:
        campaigns = campaigns.select_related(
            "producer", "distribution__pickup_point", "distribution__cycle"
        )
    return collective, get_object_or_404(campaigns, pk=pk)


def _detail_url(collective, campaign) -> str:
    return reverse("groupbuy:manage_detail", args=[collective.slug, campaign.pk])


class _CampaignAccess:
    """The collective and, with a `pk`, the campaign: among the user's."""

    def access(self):
        if "pk" in self.kwargs:
            self.collective, self.campaign = _campaign(
                self.request, self.kwargs["slug"], self.kwargs["pk"]
            )
        else:
            self.collective = access_organised_collective(
                self.request.user, self.kwargs["slug"]
            )
            self.campaign = None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            collective=self.collective, campaign=self.campaign, **kwargs
        )

    def get_success_url(self):
        return _detail_url(self.collective, self.result or self.campaign)


@login_required
def campaign_list(request, slug):
    collective = access_organised_collective(request.user, slug)
    return render(
        request,
        "groupbuy/manage_list.html",
        {"collective": collective, "campaigns": list(organiser_campaigns(collective))},
    )


def _campaign_fields(data) -> dict:
    return {name: data[name] for name in CAMPAIGN_FIELDS}


class CampaignCreateView(_CampaignAccess, ServiceFormView):
    template_name = "groupbuy/manage_form.html"
    form_class = CampaignForm
    success_message = gettext_lazy(
        "The group purchase is saved as a draft: add its items."
    )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"collectives": [self.collective]}

    def perform(self, form):
        return create_campaign(
            created_by=self.request.user,
            collectives=list(form.cleaned_data["collectives"]),
            **_campaign_fields(form.cleaned_data),
        )


class CampaignEditView(CampaignCreateView):
    success_message = gettext_lazy("The group purchase is saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "campaign": self.campaign}

    def get_initial(self):
        return {
            "collectives": list(self.campaign.collectives.all()),
            **{name: getattr(self.campaign, name) for name in CAMPAIGN_FIELDS},
        }

    def perform(self, form):
        try:
            update_campaign(
                self.campaign,
                updated_by=self.request.user,
                collectives=list(form.cleaned_data["collectives"]),
                **_campaign_fields(form.cleaned_data),
            )
        except PermissionDenied as error:
            raise ValidationError(str(error)) from error


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


class ItemFormView(_CampaignAccess, ServiceFormView):
    """A new item of the campaign (no `item_pk`), or one of its items."""

    template_name = "groupbuy/manage_item_form.html"
    form_class = ItemForm
    success_message = gettext_lazy("The item is saved.")

    def access(self):
        super().access()
        self.item = None
        if "item_pk" in self.kwargs:
            self.item = get_object_or_404(
                Item.objects.filter(campaign=self.campaign).prefetch_related("tiers"),
                pk=self.kwargs["item_pk"],
            )

    def get_initial(self):
        item = self.item
        if item is None:
            return {}
        return {
            "name": item.name,
            "unit": item.unit,
            "case_size": item.case_size,
            "min_cases": item.min_cases or None,
            "max_cases": item.max_cases,
            "tiers": ItemForm.tiers_text(item.tiers.all()),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(item=self.item, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "unit": data["unit"],
            "case_size": data["case_size"],
            "tiers": data["tiers"],
            "min_cases": data["min_cases"] or 0,
            "max_cases": data["max_cases"],
        }
        if self.item is None:
            add_item(campaign=self.campaign, added_by=self.request.user, **fields)
        else:
            update_item(self.item, updated_by=self.request.user, **fields)


class ItemRemoveView(_CampaignAccess, CommandView):
    success_message = gettext_lazy("The item is removed.")
    result = None

    def access(self):
        super().access()
        self.item = get_object_or_404(
            Item.objects.filter(campaign=self.campaign), pk=self.kwargs["item_pk"]
        )

    def perform(self):
        remove_item(self.item, removed_by=self.request.user)


class CampaignCommandView(_CampaignAccess, CommandView):
    """A button calling `run(campaign, user)`; set both in `as_view()`."""

    result = None
    run = None

    def perform(self):
        self.run(self.campaign, self.request.user)


campaign_open = CampaignCommandView.as_view(
    run=lambda c, user: open_campaign(c, opened_by=user),
    success_message=gettext_lazy("The group purchase is open: members can pledge."),
)
campaign_close = CampaignCommandView.as_view(
    run=lambda c, user: close_campaign(c, closed_by=user),
    success_message=gettext_lazy("Pledges are closed."),
)
campaign_order_anyway = CampaignCommandView.as_view(
    run=lambda c, user: order_anyway(c, decided_by=user),
    success_message=gettext_lazy(
        "The group purchase is allocated below the minimum order."
    ),
)
campaign_mark_ordered = CampaignCommandView.as_view(
    run=lambda c, user: mark_ordered(c, ordered_by=user),
    success_message=gettext_lazy("The group purchase is marked as ordered."),
)
campaign_mark_delivered = CampaignCommandView.as_view(
    run=lambda c, user: mark_delivered(c, delivered_by=user),
    success_message=gettext_lazy("The group purchase is marked as delivered."),
)


class CampaignExtendView(_CampaignAccess, ServiceFormView):
    template_name = "groupbuy/manage_decision.html"
    form_class = ExtendForm
    success_message = gettext_lazy("Pledges are open again.")
    action = "extend"

    def get_context_data(self, **kwargs):
        return super().get_context_data(action=self.action, **kwargs)

    def perform(self, form):
        extend_campaign(
            self.campaign,
            closes_at=form.cleaned_data["closes_at"],
            extended_by=self.request.user,
        )


class CampaignCancelView(CampaignExtendView):
    form_class = CancelForm
    success_message = gettext_lazy("The group purchase is cancelled.")
    action = "cancel"

    def perform(self, form):
        cancel_campaign(
            self.campaign,
            reason=form.cleaned_data["reason"],
            cancelled_by=self.request.user,
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


class PaymentListView(_CampaignAccess, ServiceFormView):
    template_name = "groupbuy/manage_payments.html"
    form_class = PaymentForm
    success_message = gettext_lazy("The payment is recorded.")

    def get_context_data(self, **kwargs):
        campaign = self.campaign
        return super().get_context_data(
            detail=campaign_detail(campaign),
            failed_member=str(self.request.POST.get("member") or ""),
            method_choices=PaymentForm.base_fields["method"].choices,
            settled=campaign.status
            in (Status.ALLOCATED, Status.ORDERED, Status.DELIVERED),
            **kwargs,
        )

    def perform(self, form):
        detail = campaign_detail(self.campaign)
        row = next(
            (r for r in detail.members if r.member.pk == form.cleaned_data["member"]),
            None,
        )
        if row is None:
            raise Http404
        record_payment(
            campaign=self.campaign,
            member=row.member,
            received_by=self.request.user,
            **form.received(),
        )

    def get_success_url(self):
        return _payments_url(self.collective, self.campaign)


def _payments_url(collective, campaign) -> str:
    return reverse("groupbuy:manage_payments", args=[collective.slug, campaign.pk])


class PaymentCancelView(_CampaignAccess, CommandView):
    success_message = gettext_lazy("The payment is cancelled: it is due again.")

    def access(self):
        super().access()
        self.payment = get_object_or_404(
            Payment.objects.filter(campaign=self.campaign),
            pk=self.kwargs["payment_pk"],
        )

    def perform(self):
        cancel_payment(payment=self.payment, cancelled_by=self.request.user)

    def get_success_url(self):
        return _payments_url(self.collective, self.campaign)


PREFIX = "organisation/<slug:slug>/achats-groupes/"

urlpatterns = [
    path(PREFIX, campaign_list, name="manage_list"),
    path(f"{PREFIX}nouveau/", CampaignCreateView.as_view(), name="manage_create"),
    path(f"{PREFIX}<int:pk>/", campaign_detail_view, name="manage_detail"),
    path(f"{PREFIX}<int:pk>/modifier/", CampaignEditView.as_view(), name="manage_edit"),
    path(
        f"{PREFIX}<int:pk>/produits/ajouter/",
        ItemFormView.as_view(),
        name="manage_item_add",
    ),
    path(
        f"{PREFIX}<int:pk>/produits/<int:item_pk>/",
        ItemFormView.as_view(),
        name="manage_item_edit",
    ),
    path(
        f"{PREFIX}<int:pk>/produits/<int:item_pk>/retirer/",
        ItemRemoveView.as_view(),
        name="manage_item_remove",
    ),
    path(f"{PREFIX}<int:pk>/ouvrir/", campaign_open, name="manage_open"),
    path(f"{PREFIX}<int:pk>/clore/", campaign_close, name="manage_close"),
    path(
        f"{PREFIX}<int:pk>/prolonger/",
        CampaignExtendView.as_view(),
        name="manage_extend",
    ),
    path(
        f"{PREFIX}<int:pk>/annuler/", CampaignCancelView.as_view(), name="manage_cancel"
    ),
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
    path(
        f"{PREFIX}<int:pk>/paiements/",
        PaymentListView.as_view(),
        name="manage_payments",
    ),
    path(
        f"{PREFIX}<int:pk>/paiements/<int:payment_pk>/annuler/",
        PaymentCancelView.as_view(),
        name="manage_payment_cancel",
    ),
]
