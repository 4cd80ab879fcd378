"""The farm's side of consent: the collectives' proposals its managers
accept or decline, and the invitation to manage a farm."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from amap.views import CommandView, error_text

from ..models import ManagerInvitation
from ..permissions import access_managed_producer
from ..selectors import partnerships as selectors
from ..services import managers, partnerships


class ProposalListView(LoginRequiredMixin, TemplateView):
    """The proposals waiting for the farm's answer, and the collectives it
    supplies."""

    template_name = "producers/partnership_proposals.html"

    def get_context_data(self, **kwargs):
        producer = access_managed_producer(self.request.user, self.kwargs["slug"])
        return super().get_context_data(
            producer=producer,
            proposals=selectors.partnership_proposals(producer),
            **kwargs,
        )


class _ProposalCommandView(CommandView):
    def access(self):
        self.producer = access_managed_producer(self.request.user, self.kwargs["slug"])
        self.partnership = get_object_or_404(
            self.producer.partnerships.select_related("producer", "collective"),
            pk=self.kwargs["pk"],
        )

    def get_success_url(self):
        return reverse("producers:partnership_proposals", args=[self.producer.slug])


class ProposalAcceptView(_ProposalCommandView):
    def perform(self):
        partnerships.accept_partnership(self.partnership, accepted_by=self.request.user)

    def get_success_message(self, result):
        return _(
            "%(producer)s now supplies %(collective)s; its organisers will "
            "review the farm's public page."
        ) % {
            "producer": self.producer.name,
            "collective": self.partnership.collective.name,
        }


class ProposalDeclineView(_ProposalCommandView):
    def perform(self):
        partnerships.decline_partnership(
            self.partnership, declined_by=self.request.user
        )

    def get_success_message(self, result):
        return _("You declined the proposal of %(collective)s.") % {
            "collective": self.partnership.collective.name
        }


def manager_invitation_accept(request, token):
    """The link of the invitation email: who may accept, and the button."""
    invitation = get_object_or_404(
        ManagerInvitation.objects.select_related("producer", "invited_by"),
        token=token,
    )
    context = {"invitation": invitation, "refusal": ""}
    if not request.user.is_authenticated:
        return render(request, "producers/manager_invitation_accept.html", context)
    if request.method == "POST":
        try:
            producer = managers.accept_manager_invitation(
                invitation=invitation, user=request.user
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("members:dashboard")
        messages.success(
            request,
            _("You now manage %(producer)s.") % {"producer": producer.name},
        )
        return redirect("producers:home")
    try:
        managers.check_can_accept_management(invitation, request.user)
    except ValidationError as error:
        context["refusal"] = error_text(error)
    return render(request, "producers/manager_invitation_accept.html", context)


urlpatterns = [
    path(
        "producteur/<slug:slug>/partenariats/",
        ProposalListView.as_view(),
        name="partnership_proposals",
    ),
    path(
        "producteur/<slug:slug>/partenariats/<int:pk>/accepter/",
        ProposalAcceptView.as_view(),
        name="partnership_accept",
    ),
    path(
        "producteur/<slug:slug>/partenariats/<int:pk>/refuser/",
        ProposalDeclineView.as_view(),
        name="partnership_decline",
    ),
    path(
        "producteur/invitation/<str:token>/",
        manager_invitation_accept,
        name="manager_invitation_accept",
    ),
]
