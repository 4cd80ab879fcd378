"""The producer area's home, the farm profile, and the organisers' pages for
the producers supplying their collective."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amap.forms import add_service_errors
from amap.members.models import Collective
from amap.members.permissions import organised_collectives

from ..forms.profile import (
    PartnershipAddForm,
    PartnershipReferentForm,
    ProducerCreateForm,
    ProducerProfileForm,
)
from ..models import Producer, ProfileSubmission
from ..permissions import managed_producers
from ..selectors import moderation as moderation_selectors
from ..selectors import partnerships as selectors
from ..services import moderation
from ..services import profile as services


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


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


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, slug):
    producer = get_object_or_404(managed_producers(request.user), slug=slug)
    pending = moderation_selectors.pending_change(producer)
    last_review = None if pending else moderation_selectors.last_review(producer)
    form = ProducerProfileForm(
        request.POST or None,
        request.FILES or None,
        initial=_profile_initial(producer, pending, last_review),
    )
    if request.method == "POST" and form.is_valid():
        try:
            producer = services.update_producer_profile(
                producer,
                updated_by=request.user,
                position_set_by_hand=form.cleaned_data["position_set_by_hand"],
                regeocode=form.cleaned_data["regeocode"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            pending = moderation_selectors.pending_change(producer)
            messages.success(request, _saved_message(producer, pending))
            return redirect("producers:profile_edit", slug=producer.slug)
    return render(
        request,
        "producers/profile_form.html",
        {
            "form": form,
            "producer": producer,
            "pending": pending,
            "last_review": last_review,
        },
        status=400 if form.is_bound else 200,
    )


# Organisers: the producers supplying a collective ---------------------------------


def _organised_collective(request, slug) -> Collective:
    """The collective if the user organises it; 404 otherwise, as for a missing one."""
    return get_object_or_404(organised_collectives(request.user), slug=slug)


def _render_partnerships(request, collective, *, add_form=None, status=200):
    referents = list(selectors.referent_choices(collective))
    if add_form is None:
        add_form = PartnershipAddForm(
            producers=selectors.partner_candidates(collective),
            referents=selectors.referent_choices(collective),
        )
    return render(
        request,
        "producers/partnership_list.html",
        {
            "collective": collective,
            "partnerships": selectors.collective_partnerships(collective),
            "add_form": add_form,
            "referents": referents,
        },
        status=status,
    )


@login_required
def partnership_list(request, slug):
    collective = _organised_collective(request, slug)
    return _render_partnerships(request, collective)


@login_required
@require_POST
def partnership_add(request, slug):
    collective = _organised_collective(request, slug)
    form = PartnershipAddForm(
        request.POST,
        producers=selectors.partner_candidates(collective),
        referents=selectors.referent_choices(collective),
    )
    if form.is_valid():
        try:
            partnership = services.add_partnership(
                producer=form.cleaned_data["producer"],
                collective=collective,
                referent=form.cleaned_data["referent"],
                added_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(producer)s now supplies %(collective)s.")
                % {
                    "producer": partnership.producer.name,
                    "collective": collective.name,
                },
            )
            return redirect("producers:partnership_list", slug=collective.slug)
    return _render_partnerships(request, collective, add_form=form, status=400)


def _partnership(collective, pk):
    return get_object_or_404(
        collective.partnerships.select_related("producer", "collective"), pk=pk
    )


@login_required
@require_POST
def partnership_referent(request, slug, pk):
    collective = _organised_collective(request, slug)
    partnership = _partnership(collective, pk)
    form = PartnershipReferentForm(
        request.POST, referents=selectors.referent_choices(collective)
    )
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["referent"]))
        return redirect("producers:partnership_list", slug=collective.slug)
    referent = form.cleaned_data["referent"]
    try:
        services.set_partnership_referent(
            partnership, referent=referent, changed_by=request.user
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if referent is None:
            message = _("%(producer)s has no référent any more.") % {
                "producer": partnership.producer.name
            }
        else:
            message = _("%(person)s is now the référent of %(producer)s.") % {
                "person": referent,
                "producer": partnership.producer.name,
            }
        messages.success(request, message)
    return redirect("producers:partnership_list", slug=collective.slug)


@login_required
@require_POST
def partnership_end(request, slug, pk):
    collective = _organised_collective(request, slug)
    partnership = _partnership(collective, pk)
    try:
        services.end_partnership(partnership, ended_by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("%(producer)s no longer supplies %(collective)s.")
            % {"producer": partnership.producer.name, "collective": collective.name},
        )
    return redirect("producers:partnership_list", slug=collective.slug)


@login_required
@require_POST
def partnership_renew(request, slug, pk):
    collective = _organised_collective(request, slug)
    partnership = _partnership(collective, pk)
    try:
        services.renew_partnership(partnership, renewed_by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("%(producer)s supplies %(collective)s again.")
            % {"producer": partnership.producer.name, "collective": collective.name},
        )
    return redirect("producers:partnership_list", slug=collective.slug)


@login_required
@require_http_methods(["GET", "POST"])
def producer_create(request, slug):
    collective = _organised_collective(request, slug)
    form = ProducerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            producer = services.create_producer(
                name=data["name"],
                created_by=request.user,
                managers=[form.manager],
                collective=collective,
                activity=data["activity"],
                street=data["street"],
                postcode=data["postcode"],
                town=data["town"],
                email=form.manager.email,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(producer)s has been added and supplies %(collective)s. "
                    "%(email)s can now complete the farm's page."
                )
                % {
                    "producer": producer.name,
                    "collective": collective.name,
                    "email": form.manager.email,
                },
            )
            return redirect("producers:partnership_list", slug=collective.slug)
    return render(
        request,
        "producers/partnership_producer_form.html",
        {"form": form, "collective": collective},
        status=400 if form.is_bound else 200,
    )


urlpatterns = [
    path("producteur/", home, name="home"),
    path("producteur/<slug:slug>/profil/", profile_edit, name="profile_edit"),
    path(
        "organisation/<slug:slug>/producteurs/",
        partnership_list,
        name="partnership_list",
    ),
    path(
        "organisation/<slug:slug>/producteurs/ajouter/",
        partnership_add,
        name="partnership_add",
    ),
    path(
        "organisation/<slug:slug>/producteurs/nouveau/",
        producer_create,
        name="producer_create",
    ),
    path(
        "organisation/<slug:slug>/producteurs/<int:pk>/referent/",
        partnership_referent,
        name="partnership_referent",
    ),
    path(
        "organisation/<slug:slug>/producteurs/<int:pk>/arreter/",
        partnership_end,
        name="partnership_end",
    ),
    path(
        "organisation/<slug:slug>/producteurs/<int:pk>/reprendre/",
        partnership_renew,
        name="partnership_renew",
    ),
]
