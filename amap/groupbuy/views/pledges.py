"""Members' pages: their group purchases, the pledge form with its live
progress panel, and what they got once a campaign is allocated."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from amap.forms import add_service_errors

from ..forms.pledges import PledgeForm, quantity_name, tolerance_name
from ..permissions import access_visible_campaign
from ..selectors.pledges import (
    RESULT_STATUSES,
    campaign_items,
    campaign_progress,
    member_campaigns,
    member_result,
)
from ..services import pledges as services


@login_required
def campaign_list(request):
    return render(
        request,
        "groupbuy/campaign_list.html",
        {"campaigns": member_campaigns(request.user)},
    )


@login_required
def campaign_detail(request, pk):
    campaign = access_visible_campaign(request.user, pk)
    closed_reason = services.closed_reason(campaign)
    items = campaign_items(campaign)
    status = 200
    context = {"campaign": campaign, "closed_reason": closed_reason}
    if closed_reason:
        if request.method == "POST":
            messages.error(request, closed_reason)
            status = 400
        if campaign.status in RESULT_STATUSES:
            context["result"] = member_result(campaign, request.user)
        else:
            context["progress"] = campaign_progress(campaign, request.user, items=items)
        return render(request, "groupbuy/campaign_detail.html", context, status=status)

    progress = campaign_progress(campaign, request.user, items=items)
    saved = {row.item.pk: row.pledge for row in progress.rows if row.pledge}
    form = PledgeForm(
        request.POST if request.method == "POST" else None,
        items=items,
        pledges=saved,
    )
    if form.is_bound:
        if form.is_valid():
            try:
                services.pledge_many(
                    member=request.user, campaign=campaign, lines=form.lines()
                )
            except ValidationError as error:
                add_service_errors(
                    form,
                    error,
                    lambda key: quantity_name(key) if isinstance(key, int) else None,
                )
            else:
                messages.success(
                    request,
                    _("Your pledge is saved. You can change it until the closing."),
                )
                return redirect("groupbuy:campaign_detail", pk=campaign.pk)
        status = 400
        progress = campaign_progress(
            campaign, request.user, form.typed_lines(), items=items
        )
    context.update(
        {
            "form": form,
            "progress": progress,
            "rows": [
                {
                    "row": row,
                    "quantity": form.quantity_field(row.item),
                    "tolerance": form.tolerance_field(row.item),
                }
                for row in progress.rows
            ],
        }
    )
    return render(request, "groupbuy/campaign_detail.html", context, status=status)


@login_required
def campaign_panel(request, pk):
    """The progress panel alone, for htmx: with the values in the query
    string (what the member is typing), the figures they would give, nothing
    saved. Once pledges close, the whole page reloads to show the result."""
    campaign = access_visible_campaign(request.user, pk)
    if services.closed_reason(campaign) and request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    items = campaign_items(campaign)
    typed = {}
    names = {quantity_name(item.pk) for item in items} | {
        tolerance_name(item.pk) for item in items
    }
    if names & set(request.GET):
        form = PledgeForm(request.GET, items=items)
        typed = form.typed_lines()
    progress = campaign_progress(campaign, request.user, typed, items=items)
    return render(
        request,
        "groupbuy/includes/campaign_panel.html",
        {"campaign": campaign, "progress": progress},
    )


urlpatterns = [
    path("achats-groupes/", campaign_list, name="campaign_list"),
    path("achats-groupes/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("achats-groupes/<int:pk>/avancement/", campaign_panel, name="campaign_panel"),
]
