"""Wishes: the ranking by demand, proposing, voting; organisers decline or
turn a wish into a draft group purchase."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amap.members.permissions import member_collectives, organised_collectives
from amap.producers.models import Producer
from amap.views import CommandView, ServiceFormView

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


class WishProposeView(ServiceFormView):
    template_name = "groupbuy/wish_form.html"
    form_class = CollectiveChoiceForm
    success_message = gettext_lazy(
        "Your wish is published: other members can now support it."
    )

    def access(self):
        self.collectives = member_collectives(self.request.user).order_by("name")
        if not self.collectives.exists():
            raise Http404
        # The proposer's own quantity, counted as the first support.
        self.vote_form = VoteForm(self.request.POST or None, prefix="vote")
        self.vote_form.fields["quantity"].required = False

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "collectives": self.collectives}

    def get_context_data(self, **kwargs):
        return super().get_context_data(vote_form=self.vote_form, **kwargs)

    def form_valid(self, form):
        if not self.vote_form.is_valid():
            return self.form_invalid(form)
        return super().form_valid(form)

    def perform(self, form):
        return services.propose_wish(
            member=self.request.user,
            collective=form.cleaned_data["collective"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            supplier_hint=form.cleaned_data["supplier_hint"],
            unit=form.cleaned_data["unit"],
            quantity=self.vote_form.cleaned_data["quantity"],
        )

    def get_success_url(self):
        return reverse("groupbuy:wish_detail", args=[self.result.pk])


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


class _WishFormView(ServiceFormView):
    """A form of the wish's page, posted on its own address; when refused,
    the wish's page is shown again with this form's errors."""

    http_method_names = ["post"]
    template_name = "groupbuy/wish_detail.html"

    def access(self):
        self.wish = _get_wish(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return _wish_page(
            self.request, self.wish, **{self.form_context_name: kwargs["form"]}
        )

    def get_success_url(self):
        return reverse("groupbuy:wish_detail", args=[self.wish.pk])


class WishVoteView(_WishFormView):
    form_class = VoteForm
    form_context_name = "vote_form"
    success_message = gettext_lazy("Your support is counted.")

    def perform(self, form):
        try:
            services.vote(
                member=self.request.user,
                wish=self.wish,
                quantity=form.cleaned_data["quantity"],
            )
        except PermissionDenied as error:
            raise ValidationError(str(error)) from error


class WishWithdrawView(CommandView):
    refusals = (ValidationError, PermissionDenied)
    success_message = gettext_lazy("Your support is withdrawn.")

    def access(self):
        self.wish = _get_wish(self.request, self.kwargs["pk"])

    def perform(self):
        services.withdraw_vote(member=self.request.user, wish=self.wish)

    def get_success_url(self):
        return reverse("groupbuy:wish_detail", args=[self.wish.pk])


def _managed_wish(request, pk) -> Wish:
    wish = _get_wish(request, pk)
    if not organised_collectives(request.user).filter(pk=wish.collective_id).exists():
        raise Http404
    return wish


class WishDeclineView(_WishFormView):
    form_class = DeclineWishForm
    form_context_name = "decline_form"
    success_message = gettext_lazy("The wish is declined; your answer is shown.")

    def access(self):
        self.wish = _managed_wish(self.request, self.kwargs["pk"])

    def perform(self, form):
        services.decline_wish(
            wish=self.wish,
            declined_by=self.request.user,
            answer=form.cleaned_data["answer"],
        )


class WishToCampaignView(WishDeclineView):
    form_class = WishToCampaignForm
    form_context_name = "turn_form"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "producers": Producer.objects.supplying(self.wish.collective).order_by(
                "name"
            ),
        }

    def perform(self, form):
        return services.turn_wish_into_campaign(
            wish=self.wish,
            created_by=self.request.user,
            producer=form.cleaned_data["producer"],
            supplier_name=form.cleaned_data["supplier_name"],
        )

    def get_success_message(self):
        return _(
            "A draft group purchase “%(title)s” is ready: add its products, "
            "prices and dates, then open it."
        ) % {"title": self.result.title}

    def get_success_url(self):
        return _manage_campaign_url(self.wish, self.result)


urlpatterns = [
    path("achats-groupes/souhaits/", wish_list, name="wish_list"),
    path(
        "achats-groupes/souhaits/nouveau/",
        WishProposeView.as_view(),
        name="wish_propose",
    ),
    path("achats-groupes/souhaits/<int:pk>/", wish_detail_view, name="wish_detail"),
    path(
        "achats-groupes/souhaits/<int:pk>/soutenir/",
        WishVoteView.as_view(),
        name="wish_vote",
    ),
    path(
        "achats-groupes/souhaits/<int:pk>/retirer/",
        WishWithdrawView.as_view(),
        name="wish_withdraw",
    ),
    path(
        "achats-groupes/souhaits/<int:pk>/decliner/",
        WishDeclineView.as_view(),
        name="wish_decline",
    ),
    path(
        "achats-groupes/souhaits/<int:pk>/achat-groupe/",
        WishToCampaignView.as_view(),
        name="wish_to_campaign",
    ),
]
