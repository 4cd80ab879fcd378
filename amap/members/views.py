from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, TemplateView

from amap.views import (
    CommandView,
    ServiceFormView,
    access_organised_collective,
    error_text,
    safe_next,
)

from . import services
from .charter_diff import word_diff
from .forms import InvitationForm, JoinRequestForm, MembershipFilterForm
from .hooks import (
    PendingInvitation,
    dashboard_cards,
    pending_invitations,
    public_page_urls,
    waiting_for_organisers,
    with_public_urls,
)
from .middleware import SESSION_KEY as CHARTER_SESSION_KEY
from .models import (
    CharterAcceptance,
    CharterVersion,
    Collective,
    Invitation,
    Membership,
)
from .permissions import organised_collectives


class DashboardView(LoginRequiredMixin, TemplateView):
    """A member's own space: their collectives, requests and invitations."""

    template_name = "members/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            memberships=list(
                Membership.objects.filter(user=user)
                .exclude(status=Membership.Status.DECLINED)
                .select_related("collective")
                .order_by("collective__name")
            ),
            # Only those sent to an address the person confirmed, still open.
            invitations=[
                PendingInvitation(
                    label=_("Join %(collective)s") % {"collective": i.collective.name},
                    url=i.get_absolute_url(),
                )
                for i in Invitation.objects.open()
                .for_verified_emails_of(user)
                .select_related("collective")
            ]
            + pending_invitations(user),
            # Shown to members with an active membership (`areas.member`).
            cards=dashboard_cards(user),
            **kwargs,
        )


class CollectiveListView(ListView):
    template_name = "members/collective_list.html"
    context_object_name = "collectives"

    def get_queryset(self):
        return (
            Collective.objects.active()
            .with_member_counts()
            .with_status_for(self.request.user)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["collectives"] = with_public_urls(context["collectives"])
        return context


class CollectiveDetailView(DetailView):
    """A collective's plain page, for a collective the public site has no page
    for; when it has one (with the map and the farms), visitors go there."""

    template_name = "members/collective_detail.html"
    context_object_name = "collective"
    join_form = None

    def get_queryset(self):
        return Collective.objects.active().with_member_counts()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        public_url = public_page_urls([self.object]).get(self.object.pk)
        if public_url:
            return redirect(public_url)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["membership"] = (
            Membership.objects.filter(user=user, collective=self.object).first()
            if user.is_authenticated
            else None
        )
        context["join_form"] = self.join_form or JoinRequestForm()
        context["organisers"] = list(
            Membership.objects.organisers()
            .filter(collective=self.object)
            .select_related("user")
        )
        return context


@login_required
def join_collective(request, slug):
    collective = get_object_or_404(Collective.objects.active(), slug=slug)
    if request.method != "POST":
        # e.g. back from logging in again after the form's session expired
        return redirect(collective)
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        view = CollectiveDetailView(join_form=form)
        view.setup(request, slug=slug)
        view.object = view.get_object()
        return view.render_to_response(
            view.get_context_data(object=view.object), status=400
        )
    try:
        services.request_membership(
            user=request.user,
            collective=collective,
            message=form.cleaned_data["message"],
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("Your request to join %(collective)s has been sent to its organisers.")
            % {"collective": collective.name},
        )
    return redirect(collective)


class OrganiserHomeView(LoginRequiredMixin, ListView):
    """The collectives a person organises, with what waits for them."""

    template_name = "members/organiser_home.html"
    context_object_name = "collectives"

    def get_queryset(self):
        collectives = organised_collectives(self.request.user).annotate(
            pending_count=Count(
                "memberships",
                filter=Q(memberships__status=Membership.Status.PENDING),
                distinct=True,
            ),
            active_count=Count(
                "memberships",
                filter=Q(memberships__status=Membership.Status.ACTIVE),
                distinct=True,
            ),
        )
        number = services.current_charter_number()
        if number:
            collectives = collectives.annotate(
                charter_pending_count=Count(
                    "memberships",
                    filter=Q(memberships__status=Membership.Status.ACTIVE)
                    & ~Q(
                        memberships__user__in=CharterAcceptance.objects.filter(
                            version__number=number
                        ).values("user")
                    ),
                    distinct=True,
                )
            )
        return collectives

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        collectives = list(context["collectives"])
        waiting = waiting_for_organisers(self.request.user, collectives)
        for collective in collectives:
            collective.waiting = waiting.get(collective.pk, [])
        context["collectives"] = collectives
        return context


class MembershipListView(ServiceFormView):
    """A collective's members and requests, and the form to invite someone."""

    template_name = "members/membership_list.html"
    form_class = InvitationForm
    prefix = "invite"
    form_context_name = "invite_form"

    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )

    def perform(self, form):
        return services.invite_member(
            collective=self.collective,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=self.request.user,
        )

    def get_success_message(self):
        return _("An invitation has been sent to %(email)s.") % {
            "email": self.result.email
        }

    def get_success_url(self):
        return collective_members_url(self.collective)

    def get_context_data(self, **kwargs):
        collective = self.collective
        filter_form = MembershipFilterForm(self.request.GET or None)
        memberships = Membership.objects.for_collective(collective).exclude(
            status=Membership.Status.DECLINED
        )
        if filter_form.is_valid():
            if status := filter_form.cleaned_data["status"]:
                memberships = memberships.filter(status=status)
            if q := filter_form.cleaned_data["q"].strip():
                memberships = memberships.filter(
                    Q(user__first_name__icontains=q)
                    | Q(user__last_name__icontains=q)
                    | Q(user__email__icontains=q)
                )
        memberships = list(memberships.order_by("user__last_name", "user__first_name"))
        return super().get_context_data(
            collective=collective,
            pending=[m for m in memberships if m.status == Membership.Status.PENDING],
            memberships=[
                m for m in memberships if m.status != Membership.Status.PENDING
            ],
            invitations=list(
                collective.invitations.pending().select_related("invited_by")
            ),
            filter_form=filter_form,
            **kwargs,
        )


MEMBERSHIP_ACTIONS = {
    "approve": (
        lambda m, user: services.approve_membership(m, approved_by=user),
        gettext_lazy("%(name)s is now a member."),
    ),
    "decline": (
        lambda m, user: services.decline_membership(m, declined_by=user),
        gettext_lazy("The request from %(name)s has been declined."),
    ),
    "make_organiser": (
        lambda m, user: services.set_membership_role(
            m, role=Membership.Role.ORGANISER, changed_by=user
        ),
        gettext_lazy("%(name)s is now an organiser."),
    ),
    "make_member": (
        lambda m, user: services.set_membership_role(
            m, role=Membership.Role.MEMBER, changed_by=user
        ),
        gettext_lazy("%(name)s is no longer an organiser."),
    ),
    "deactivate": (
        lambda m, user: services.deactivate_membership(m, deactivated_by=user),
        gettext_lazy("The membership of %(name)s has been deactivated."),
    ),
    "reactivate": (
        lambda m, user: services.reactivate_membership(m, reactivated_by=user),
        gettext_lazy("The membership of %(name)s is active again."),
    ),
}


class MembershipActionView(CommandView):
    """Approve, decline, promote, demote, deactivate or reactivate a member."""

    def perform(self):
        collective = access_organised_collective(self.request.user, self.kwargs["slug"])
        self.membership = get_object_or_404(
            Membership.objects.select_related("user", "collective"),
            pk=self.kwargs["pk"],
            collective=collective,
        )
        if self.kwargs["action"] not in MEMBERSHIP_ACTIONS:
            raise Http404
        run, self.success_message = MEMBERSHIP_ACTIONS[self.kwargs["action"]]
        run(self.membership, self.request.user)

    def get_success_message(self, result):
        return self.success_message % {"name": self.membership.user}

    def get_success_url(self):
        return collective_members_url(self.membership.collective)


def collective_members_url(collective):
    return reverse("members:membership_list", args=[collective.slug])


class InvitationCancelView(CommandView):
    def access(self):
        self.collective = access_organised_collective(
            self.request.user, self.kwargs["slug"]
        )
        self.invitation = get_object_or_404(
            self.collective.invitations.pending(), pk=self.kwargs["pk"]
        )

    def perform(self):
        services.cancel_invitation(self.invitation, cancelled_by=self.request.user)
        return self.invitation

    def get_success_message(self, invitation):
        return _("The invitation to %(email)s has been cancelled.") % {
            "email": invitation.email
        }

    def get_success_url(self):
        return collective_members_url(self.collective)


def invitation_accept(request, token):
    invitation = get_object_or_404(
        Invitation.objects.select_related("collective", "invited_by"), token=token
    )
    if not request.user.is_authenticated:
        return render(
            request, "members/invitation_accept.html", {"invitation": invitation}
        )
    if request.method == "POST":
        try:
            services.accept_invitation(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect("members:dashboard")
        messages.success(
            request,
            _("Welcome to %(collective)s!")
            % {"collective": invitation.collective.name},
        )
        return redirect("members:dashboard")
    try:
        services.check_can_accept(invitation, request.user)
    except ValidationError as error:
        refusal = error_text(error)
    else:
        refusal = ""
    return render(
        request,
        "members/invitation_accept.html",
        {"invitation": invitation, "refusal": refusal},
    )


@login_required
def charter_accept(request):
    """Read the current charter (with what changed since the version last
    accepted) and accept it."""
    version = services.current_charter_version()
    next_url = safe_next(request, reverse("members:dashboard"))
    if version is None:
        return redirect(next_url)
    if request.method == "POST":
        if str(version.pk) != request.POST.get("version"):
            messages.error(
                request,
                _(
                    "A newer version of the charter has been published meanwhile: "
                    "please read it before accepting."
                ),
            )
        else:
            services.accept_charter(user=request.user, version=version)
            request.session[CHARTER_SESSION_KEY] = version.number
            messages.success(
                request,
                _("Thank you: you have accepted version %(number)s of the charter.")
                % {"number": version.number},
            )
            return redirect(next_url)
    previous = services.last_accepted_charter_version(request.user)
    if previous is not None and previous.pk == version.pk:
        accepted = True
        changes = []
        diff = ""
    else:
        accepted = False
        changes = list(
            CharterVersion.objects.filter(
                number__gt=previous.number if previous else 0
            ).latest_first()
        )
        diff = word_diff(previous.body, version.body) if previous else ""
    return render(
        request,
        "members/charter_accept.html",
        {
            "version": version,
            "previous": previous,
            "accepted": accepted,
            "changes": changes,
            "diff": diff,
            "next_url": next_url,
        },
    )


@login_required
def charter_pending(request, slug):
    """For organisers: the active members who have not accepted the current
    charter version."""
    collective = access_organised_collective(request.user, slug)
    version = services.current_charter_version()
    memberships = Membership.objects.for_collective(collective).active()
    pending = (
        list(
            memberships.without_charter_acceptance(version).order_by(
                "user__last_name", "user__first_name"
            )
        )
        if version
        else []
    )
    return render(
        request,
        "members/charter_pending.html",
        {
            "collective": collective,
            "version": version,
            "pending": pending,
            "member_count": memberships.count(),
        },
    )
