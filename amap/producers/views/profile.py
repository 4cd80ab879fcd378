"""The producer area's home, the farm profile, and the organisers' pages for
the producers supplying their collective."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from amap.views import CommandView, ServiceFormView, access_organised_collective

from ..forms.profile import (
    ManagerInviteForm,
    PartnershipAddForm,
    PartnershipReferentForm,
    ProducerCreateForm,
    ProducerProfileForm,
)
from ..models import Producer, ProfileSubmission
from ..permissions import access_managed_producer
from ..selectors import moderation as moderation_selectors
from ..selectors import partnerships as selectors
from ..services import managers, moderation, partnerships
from ..services import profile as services

# The producer's own pages -------------------------------------------------------


@login_required
def home(request):
    farms = selectors.producer_home_farms(request.user)
    return render(
        request,
        "producers/home.html",
        {"farms": farms, "farm": farms[0] if len(farms) == 1 else None},
    )


def _profile_initial(producer: Producer, pending, last_review) -> dict:
    """The farm's profile, with the text of its change waiting for approval
    (if any) so that the producer amends what they proposed; after a
    rejection, with the text refused, so that they only correct it."""
    initial = {
        field: getattr(producer, field)
        for field in (*services.EDITABLE_FIELDS, *services.POSITION_FIELDS)
    }
    rejected = (
        last_review is not None
        and last_review.status == ProfileSubmission.Status.REJECTED
    )
    proposal = pending or (last_review if rejected else None)
    if proposal is not None:
        for field in moderation.PUBLIC_FIELDS:
            initial[field] = getattr(proposal, field)
    initial["labels"] = list(producer.labels.all())
    return initial


def _saved_message(producer: Producer, pending) -> str:
    parts = [_("The farm's page has been saved.")]
    if producer.geocode_status == Producer.GeocodeStatus.PENDING:
        parts.append(_("Its position is being looked up from the address."))
    if pending is not None and pending.photo:
        parts.append(
            _(
                "The new public text and photo will show on the network's site "
                "once an organiser of a collective you supply approves them."
            )
        )
    elif pending is not None:
        parts.append(
            _(
                "The new public text will show on the network's site once an "
                "organiser of a collective you supply approves it."
            )
        )
    return " ".join(parts)


class ProfileEditView(ServiceFormView):
    template_name = "producers/profile_form.html"
    form_class = ProducerProfileForm

    def access(self):
        self.producer = access_managed_producer(self.request.user, self.kwargs["slug"])
        self.pending = moderation_selectors.pending_change(self.producer)
        self.last_review = (
            None if self.pending else moderation_selectors.last_review(self.producer)
        )

    def get_initial(self):
        return _profile_initial(self.producer, self.pending, self.last_review)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            producer=self.producer,
            pending=self.pending,
            last_review=self.last_review,
            **kwargs,
        )

    def perform(self, form):
        return services.update_producer_profile(
            self.producer,
            updated_by=self.request.user,
            position_set_by_hand=form.cleaned_data["position_set_by_hand"],
            regeocode=form.cleaned_data["regeocode"],
            **form.service_fields(),
        )

    def get_success_message(self):
        return _saved_message(
            self.result, moderation_selectors.pending_change(self.result)
        )

    def get_success_url(self):
        return reverse("producers:profile_edit", args=[self.result.slug])


# Organisers: the producers supplying a collective ---------------------------------


def _proposed_message(partnership) -> str:
    return _(
        "The partnership has been proposed to %(producer)s: it will supply "
        "%(collective)s once one of its producers accepts."
    ) % {
        "producer": partnership.producer.name,
        "collective": partnership.collective.name,
    }


class PartnershipListView(ServiceFormView):
    """The producers supplying a collective, and the form to add one (which
    posts to `PartnershipAddView`)."""

    template_name = "producers/partnership_list.html"
    form_class = PartnershipAddForm
    form_context_name = "add_form"
    http_method_names = ["get"]

    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "producers": selectors.partner_candidates(self.collective),
            "referents": selectors.referent_choices(self.collective),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            collective=self.collective,
            partnerships=selectors.collective_partnerships(self.collective),
            referents=list(selectors.referent_choices(self.collective)),
            **kwargs,
        )

    def perform(self, form):
        return partnerships.propose_partnership(
            producer=form.cleaned_data["producer"],
            collective=self.collective,
            referent=form.cleaned_data["referent"],
            proposed_by=self.request.user,
        )

    def get_success_message(self):
        return _proposed_message(self.result)

    def get_success_url(self):
        return reverse("producers:partnership_list", args=[self.collective.slug])


class PartnershipAddView(PartnershipListView):
    http_method_names = ["post"]


class _PartnershipCommandView(CommandView):
    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )
        self.partnership = get_object_or_404(
            self.collective.partnerships.select_related("producer", "collective"),
            pk=self.kwargs["pk"],
        )

    def get_success_url(self):
        return reverse("producers:partnership_list", args=[self.collective.slug])


class PartnershipReferentView(_PartnershipCommandView):
    def perform(self):
        form = PartnershipReferentForm(
            self.request.POST,
            referents=selectors.referent_choices(self.collective),
        )
        if not form.is_valid():
            raise ValidationError(form.errors["referent"])
        referent = form.cleaned_data["referent"]
        partnerships.set_partnership_referent(
            self.partnership, referent=referent, changed_by=self.request.user
        )
        return referent

    def get_success_message(self, referent):
        if referent is None:
            return _("%(producer)s has no référent any more.") % {
                "producer": self.partnership.producer.name
            }
        return _("%(person)s is now the référent of %(producer)s.") % {
            "person": referent,
            "producer": self.partnership.producer.name,
        }


class PartnershipEndView(_PartnershipCommandView):
    def perform(self):
        partnerships.end_partnership(self.partnership, ended_by=self.request.user)

    def get_success_message(self, result):
        return _("%(producer)s no longer supplies %(collective)s.") % {
            "producer": self.partnership.producer.name,
            "collective": self.collective.name,
        }


class PartnershipRenewView(_PartnershipCommandView):
    def perform(self):
        return partnerships.renew_partnership(
            self.partnership, renewed_by=self.request.user
        )

    def get_success_message(self, result):
        return _proposed_message(result)


class PartnershipWithdrawView(_PartnershipCommandView):
    def perform(self):
        partnerships.withdraw_partnership(
            self.partnership, withdrawn_by=self.request.user
        )

    def get_success_message(self, result):
        return _("The proposal to %(producer)s has been withdrawn.") % {
            "producer": self.partnership.producer.name
        }


class ManagerInviteView(_PartnershipCommandView):
    """Invite someone to manage a farm no account manages yet (a new
    invitation after one expired or went to a wrong address)."""

    refusals = (ValidationError, PermissionDenied)

    def perform(self):
        form = ManagerInviteForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors["email"])
        return managers.invite_manager(
            producer=self.partnership.producer,
            email=form.cleaned_data["email"],
            invited_by=self.request.user,
        )

    def get_success_message(self, invitation):
        return _invitation_sent_message(invitation.email)


def _invitation_sent_message(email: str) -> str:
    return _(
        "An invitation to manage the farm's page, catalogue and stock was sent "
        "to %(email)s; it works once accepted from the account of that address."
    ) % {"email": email}


class ProducerCreateView(ServiceFormView):
    template_name = "producers/partnership_producer_form.html"
    form_class = ProducerCreateForm

    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(collective=self.collective, **kwargs)

    def service_error_field(self, key):
        return "manager_email" if key == "manager_emails" else key

    def perform(self, form):
        data = form.cleaned_data
        self.manager_email = data["manager_email"]
        return services.create_producer(
            name=data["name"],
            created_by=self.request.user,
            manager_emails=[data["manager_email"]],
            collective=self.collective,
            activity=data["activity"],
            street=data["street"],
            postcode=data["postcode"],
            town=data["town"],
            email=data["manager_email"],
        )

    def get_success_message(self):
        # The same words whether or not an account uses the address.
        return " ".join(
            [
                _("%(producer)s has been added and supplies %(collective)s.")
                % {"producer": self.result.name, "collective": self.collective.name},
                _invitation_sent_message(self.manager_email),
            ]
        )

    def get_success_url(self):
        return reverse("producers:partnership_list", args=[self.collective.slug])


urlpatterns = [
    path("producteur/", home, name="home"),
    path(
        "producteur/<slug:slug>/profil/",
        ProfileEditView.as_view(),
        name="profile_edit",
    ),
    path(
        "organisation/<slug:slug>/producteurs/",
        PartnershipListView.as_view(),
        name="partnership_list",
    ),
    path(
        "organisation/<slug:slug>/producteurs/ajouter/",
        PartnershipAddView.as_view(),
        name="partnership_add",
    ),
    path(
        "organisation/<slug:slug>/producteurs/nouveau/",
        ProducerCreateView.as_view(),
        name="producer_create",
    ),
    path(
        "organisation/<slug:slug>/producteurs/<int:pk>/referent/",
        PartnershipReferentView.as_view(),
        name="partnership_referent",
    ),
    path(
        "organisation/<slug:slug>/producteurs/<int:pk>/arreter/",
        PartnershipEndView.as_view(),
        name="partnership_end",
    ),
    path(
        "organisation/<slug:slug>/producteurs/<int:pk>/reprendre/",
        PartnershipRenewView.as_view(),
        name="partnership_renew",
    ),
    path(
        "organisation/<slug:slug>/producteurs/<int:pk>/retirer/",
        PartnershipWithdrawView.as_view(),
        name="partnership_withdraw",
    ),
    path(
        "organisation/<slug:slug>/producteurs/<int:pk>/inviter/",
        ManagerInviteView.as_view(),
        name="manager_invite",
    ),
]
