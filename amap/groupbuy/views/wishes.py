"""Wishes: the ranking by demand, proposing, voting; organisers decline or
turn a wish into a draft group purchase."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amap.forms import add_service_errors
from amap.members.permissions import member_collectives, organised_collectives
from amap.producers.models import Producer

from ..forms.pledges import DeclineWishForm, VoteForm, WishForm, WishToCampaignForm
from ..models import Wish
from ..permissions import visible_campaigns
from ..selectors.wishes import ranked_wishes, wish_detail
from ..services import wishes as services


@login_required
def wish_list(request):
    return render(
        request,
        "groupbuy/wish_list.html",
        {"wishes": ranked_wishes(request.user, with_voters=True)},
    )


class CollectiveChoiceForm(WishForm):
    """The wish form, with the collective when the member has several."""

    class Meta(WishForm.Meta):
        fields = ["collective", *WishForm.Meta.fields]

    def __init__(self, *args, collectives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collective"].queryset = collectives
        self.fields["collective"].empty_label = None


@login_required
def wish_propose(request):
    collectives = member_collectives(request.user).order_by("name")
    if not collectives.exists():
        raise Http404
    vote_form = VoteForm(request.POST or None, prefix="vote")
    vote_form.fields["quantity"].required = False
    form = CollectiveChoiceForm(request.POST or None, collectives=collectives)
    status = 200
    if request.method == "POST":
        if form.is_valid() and vote_form.is_valid():
            try:
                wish = services.propose_wish(
                    member=request.user,
                    collective=form.cleaned_data["collective"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    supplier_hint=form.cleaned_data["supplier_hint"],
                    unit=form.cleaned_data["unit"],
                    quantity=vote_form.cleaned_data["quantity"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your wish is published: other members can now support it."),
                )
                return redirect("groupbuy:wish_detail", pk=wish.pk)
        status = 400
    return render(
        request,
        "groupbuy/wish_form.html",
        {"form": form, "vote_form": vote_form},
        status=status,
    )


def _manage_campaign_url(wish, campaign) -> str:
    """The organiser's page of a campaign made from the wish."""
    return reverse(
        "groupbuy:manage_detail",
        kwargs={"slug": wish.collective.slug, "pk": campaign.pk},
    )


def _wish_page(request, wish, *, vote_form=None, decline_form=None, turn_form=None):
    managed = organised_collectives(request.user).filter(pk=wish.collective_id).exists()
    campaigns = []
    visible = set(
        visible_campaigns(request.user)
        .filter(pk__in=[c.pk for c in wish.campaigns.all()])
        .values_list("pk", flat=True)
    )
    for campaign in wish.campaigns.all():
        if campaign.pk in visible:
            campaigns.append((campaign, campaign.get_absolute_url()))
        elif managed:
            campaigns.append((campaign, _manage_campaign_url(wish, campaign)))
    if vote_form is None:
        vote_form = VoteForm(initial={"quantity": wish.my_quantity or 0})
    if managed and wish.status == Wish.Status.OPEN:
        decline_form = decline_form or DeclineWishForm()
        turn_form = turn_form or WishToCampaignForm(
            producers=Producer.objects.supplying(wish.collective).order_by("name"),
            supplier_hint=wish.supplier_hint,
        )
    return {
        "wish": wish,
        "managed": managed,
        "campaigns": campaigns,
        "vote_form": vote_form,
        "decline_form": decline_form,
        "turn_form": turn_form,
    }


def _get_wish(request, pk) -> Wish:
    try:
        return wish_detail(request.user, pk)
    except Wish.DoesNotExist as error:
        raise Http404 from error


@login_required
def wish_detail_view(request, pk):
    wish = _get_wish(request, pk)
    return render(request, "groupbuy/wish_detail.html", _wish_page(request, wish))


@login_required
@require_POST
def wish_vote(request, pk):
    wish = _get_wish(request, pk)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            services.vote(
                member=request.user, wish=wish, quantity=form.cleaned_data["quantity"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your support is counted."))
            return redirect("groupbuy:wish_detail", pk=wish.pk)
    return render(
        request,
        "groupbuy/wish_detail.html",
        _wish_page(request, wish, vote_form=form),
        status=400,
    )


@login_required
@require_POST
def wish_withdraw(request, pk):
    wish = _get_wish(request, pk)
    try:
        services.withdraw_vote(member=request.user, wish=wish)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Your support is withdrawn."))
    return redirect("groupbuy:wish_detail", pk=wish.pk)


def _managed_wish(request, pk) -> Wish:
    wish = _get_wish(request, pk)
    if not organised_collectives(request.user).filter(pk=wish.collective_id).exists():
        raise Http404
    return wish


@login_required
@require_POST
def wish_decline(request, pk):
    wish = _managed_wish(request, pk)
    form = DeclineWishForm(request.POST)
    if form.is_valid():
        try:
            services.decline_wish(
                wish=wish, declined_by=request.user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The wish is declined; your answer is shown."))
            return redirect("groupbuy:wish_detail", pk=wish.pk)
    return render(
        request,
        "groupbuy/wish_detail.html",
        _wish_page(request, wish, decline_form=form),
        status=400,
    )


@login_required
@require_POST
def wish_to_campaign(request, pk):
    wish = _managed_wish(request, pk)
    form = WishToCampaignForm(
        request.POST,
        producers=Producer.objects.supplying(wish.collective).order_by("name"),
    )
    if form.is_valid():
        try:
            campaign = services.turn_wish_into_campaign(
                wish=wish,
                created_by=request.user,
                producer=form.cleaned_data["producer"],
                supplier_name=form.cleaned_data["supplier_name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "A draft group purchase “%(title)s” is ready: add its products, "
                    "prices and dates, then open it."
                )
                % {"title": campaign.title},
            )
            return redirect(_manage_campaign_url(wish, campaign))
    return render(
        request,
        "groupbuy/wish_detail.html",
        _wish_page(request, wish, turn_form=form),
        status=400,
    )


urlpatterns = [
    path("achats-groupes/souhaits/", wish_list, name="wish_list"),
    path("achats-groupes/souhaits/nouveau/", wish_propose, name="wish_propose"),
    path("achats-groupes/souhaits/<int:pk>/", wish_detail_view, name="wish_detail"),
    path("achats-groupes/souhaits/<int:pk>/soutenir/", wish_vote, name="wish_vote"),
    path(
        "achats-groupes/souhaits/<int:pk>/retirer/",
        wish_withdraw,
        name="wish_withdraw",
    ),
    path(
        "achats-groupes/souhaits/<int:pk>/decliner/",
        wish_decline,
        name="wish_decline",
    ),
    path(
        "achats-groupes/souhaits/<int:pk>/achat-groupe/",
        wish_to_campaign,
        name="wish_to_campaign",
    ),
]
