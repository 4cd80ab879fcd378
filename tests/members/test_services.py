import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from amap.members import services
from amap.members.models import Invitation, Membership
from tests.factories import (
    CollectiveFactory,
    InvitationFactory,
    MembershipFactory,
    OrganiserMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def membership_of(user, collective):
    return Membership.objects.get(user=user, collective=collective)


def pending_request(collective, **kwargs):
    return MembershipFactory(
        collective=collective,
        status=Membership.Status.PENDING,
        joined_on=None,
        **kwargs,
    )


# request_membership


def test_request_membership_creates_a_pending_request(producer_user, collective):
    membership = services.request_membership(
        user=producer_user, collective=collective, message="Bonjour !"
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert membership.role == Membership.Role.MEMBER
    assert membership.message == "Bonjour !"
    assert membership.joined_on is None


def test_a_second_request_is_refused_while_the_first_waits(producer_user, collective):
    services.request_membership(user=producer_user, collective=collective)

    with pytest.raises(ValidationError) as refusal:
        services.request_membership(user=producer_user, collective=collective)

    assert "already waiting for approval" in refusal.value.messages[0]
    assert collective.name in refusal.value.messages[0]
    assert Membership.objects.filter(user=producer_user).count() == 1


def test_an_active_member_cannot_ask_to_join_again(member, collective):
    with pytest.raises(ValidationError) as refusal:
        services.request_membership(user=member, collective=collective)

    assert "already a member of AMAP des Dervallières" in refusal.value.messages[0]
    assert membership_of(member, collective).status == Membership.Status.ACTIVE


def test_an_inactive_collective_refuses_join_requests(producer_user):
    dormant = CollectiveFactory(active=False)

    with pytest.raises(ValidationError) as refusal:
        services.request_membership(user=producer_user, collective=dormant)

    assert "not accepting new members" in refusal.value.messages[0]
    assert not Membership.objects.filter(user=producer_user).exists()


def test_a_declined_person_may_ask_again(producer_user, collective):
    declined = pending_request(
        collective,
        user=producer_user,
        message="Première demande",
        requested_at=timezone.now() - datetime.timedelta(days=30),
    )
    declined.status = Membership.Status.DECLINED
    declined.save()

    membership = services.request_membership(
        user=producer_user, collective=collective, message="Seconde demande"
    )

    membership.refresh_from_db()
    assert membership.pk == declined.pk
    assert membership.status == Membership.Status.PENDING
    assert membership.message == "Seconde demande"
    assert membership.requested_at > timezone.now() - datetime.timedelta(minutes=1)


def test_a_former_member_may_ask_again(producer_user, collective):
    MembershipFactory(
        user=producer_user, collective=collective, status=Membership.Status.INACTIVE
    )

    membership = services.request_membership(user=producer_user, collective=collective)

    assert membership.status == Membership.Status.PENDING


# approve_membership and decline_membership


def test_an_organiser_approves_a_request(organiser, collective, producer_user):
    request = pending_request(collective, user=producer_user)

    services.approve_membership(request, approved_by=organiser)

    request.refresh_from_db()
    assert request.status == Membership.Status.ACTIVE
    assert request.joined_on == timezone.localdate()


def test_an_organiser_declines_a_request(organiser, collective, producer_user):
    request = pending_request(collective, user=producer_user)

    services.decline_membership(request, declined_by=organiser)

    request.refresh_from_db()
    assert request.status == Membership.Status.DECLINED
    assert request.joined_on is None


def test_a_superuser_may_approve_without_being_an_organiser(collective):
    request = pending_request(collective)
    admin = UserFactory(is_superuser=True, is_staff=True)

    services.approve_membership(request, approved_by=admin)

    request.refresh_from_db()
    assert request.status == Membership.Status.ACTIVE


@pytest.mark.parametrize("action", ["approve", "decline"])
@pytest.mark.parametrize("person", ["member", "other_organiser", "producer_user"])
def test_only_an_organiser_of_the_collective_handles_requests(
    request, collective, action, person
):
    join_request = pending_request(collective)
    user = request.getfixturevalue(person)

    with pytest.raises(PermissionDenied):
        if action == "approve":
            services.approve_membership(join_request, approved_by=user)
        else:
            services.decline_membership(join_request, declined_by=user)

    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.PENDING


def test_an_inactive_organiser_can_no_longer_approve(collective, organiser):
    former = OrganiserMembershipFactory(
        collective=collective, status=Membership.Status.INACTIVE
    ).user
    join_request = pending_request(collective)

    with pytest.raises(PermissionDenied):
        services.approve_membership(join_request, approved_by=former)


@pytest.mark.parametrize("action", ["approve", "decline"])
@pytest.mark.parametrize(
    "status", [Membership.Status.ACTIVE, Membership.Status.DECLINED]
)
def test_an_already_handled_request_is_refused(
    organiser, collective, producer_user, action, status
):
    handled = MembershipFactory(
        collective=collective, user=producer_user, status=status
    )

    with pytest.raises(ValidationError) as refusal:
        if action == "approve":
            services.approve_membership(handled, approved_by=organiser)
        else:
            services.decline_membership(handled, declined_by=organiser)

    assert refusal.value.messages == ["This request has already been handled."]
    handled.refresh_from_db()
    assert handled.status == status


# set_membership_role


def test_an_organiser_makes_a_member_organiser(organiser, member, collective):
    membership = membership_of(member, collective)

    services.set_membership_role(
        membership, role=Membership.Role.ORGANISER, changed_by=organiser
    )

    membership.refresh_from_db()
    assert membership.role == Membership.Role.ORGANISER


def test_an_organiser_may_step_down_when_another_remains(organiser, member, collective):
    membership = membership_of(organiser, collective)
    services.set_membership_role(
        membership_of(member, collective),
        role=Membership.Role.ORGANISER,
        changed_by=organiser,
    )

    services.set_membership_role(
        membership, role=Membership.Role.MEMBER, changed_by=organiser
    )

    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER


def test_demoting_the_last_organiser_is_refused(organiser, collective):
    membership = membership_of(organiser, collective)

    with pytest.raises(ValidationError) as refusal:
        services.set_membership_role(
            membership, role=Membership.Role.MEMBER, changed_by=organiser
        )

    message = refusal.value.messages[0]
    assert "last organiser of AMAP des Dervallières" in message
    assert "Claire Petit" in message
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ORGANISER


def test_a_deactivated_organiser_does_not_count_as_another_organiser(
    organiser, collective
):
    OrganiserMembershipFactory(collective=collective, status=Membership.Status.INACTIVE)

    with pytest.raises(ValidationError):
        services.set_membership_role(
            membership_of(organiser, collective),
            role=Membership.Role.MEMBER,
            changed_by=organiser,
        )


def test_an_unknown_role_is_refused(organiser, member, collective):
    membership = membership_of(member, collective)

    with pytest.raises(ValidationError):
        services.set_membership_role(membership, role="treasurer", changed_by=organiser)

    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER


def test_only_an_active_member_can_be_given_a_role(organiser, collective):
    join_request = pending_request(collective)

    with pytest.raises(ValidationError):
        services.set_membership_role(
            join_request, role=Membership.Role.ORGANISER, changed_by=organiser
        )

    join_request.refresh_from_db()
    assert join_request.role == Membership.Role.MEMBER


@pytest.mark.parametrize("person", ["member", "other_organiser"])
def test_only_an_organiser_of_the_collective_changes_roles(
    request, member, collective, person
):
    membership = membership_of(member, collective)

    with pytest.raises(PermissionDenied):
        services.set_membership_role(
            membership,
            role=Membership.Role.ORGANISER,
            changed_by=request.getfixturevalue(person),
        )

    membership.refresh_from_db()
    assert membership.role == Membership.Role.MEMBER


# deactivate_membership and reactivate_membership


def test_deactivating_keeps_the_membership_row(organiser, member, collective):
    membership = membership_of(member, collective)
    joined_on = membership.joined_on

    services.deactivate_membership(membership, deactivated_by=organiser)

    membership.refresh_from_db()
    assert membership.status == Membership.Status.INACTIVE
    assert membership.joined_on == joined_on


def test_deactivating_the_last_organiser_is_refused(organiser, collective):
    membership = membership_of(organiser, collective)

    with pytest.raises(ValidationError) as refusal:
        services.deactivate_membership(membership, deactivated_by=organiser)

    assert "last organiser of AMAP des Dervallières" in refusal.value.messages[0]
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_an_organiser_may_be_deactivated_when_another_remains(organiser, collective):
    second = OrganiserMembershipFactory(collective=collective)

    services.deactivate_membership(second, deactivated_by=organiser)

    second.refresh_from_db()
    assert second.status == Membership.Status.INACTIVE


def test_deactivating_an_inactive_membership_is_refused(organiser, collective):
    former = MembershipFactory(collective=collective, status=Membership.Status.INACTIVE)

    with pytest.raises(ValidationError) as refusal:
        services.deactivate_membership(former, deactivated_by=organiser)

    assert refusal.value.messages == ["This membership is not active."]


@pytest.mark.parametrize("person", ["member", "other_organiser", "producer_user"])
def test_only_an_organiser_of_the_collective_deactivates(
    request, member, collective, organiser, person
):
    membership = membership_of(member, collective)

    with pytest.raises(PermissionDenied):
        services.deactivate_membership(
            membership, deactivated_by=request.getfixturevalue(person)
        )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_reactivating_keeps_the_original_joining_date(organiser, collective):
    first_joined = datetime.date(2021, 9, 1)
    former = MembershipFactory(
        collective=collective,
        status=Membership.Status.INACTIVE,
        joined_on=first_joined,
    )

    services.reactivate_membership(former, reactivated_by=organiser)

    former.refresh_from_db()
    assert former.status == Membership.Status.ACTIVE
    assert former.joined_on == first_joined


def test_reactivating_a_declined_request_sets_the_joining_date(organiser, collective):
    declined = MembershipFactory(
        collective=collective, status=Membership.Status.DECLINED, joined_on=None
    )

    services.reactivate_membership(declined, reactivated_by=organiser)

    declined.refresh_from_db()
    assert declined.status == Membership.Status.ACTIVE
    assert declined.joined_on == timezone.localdate()


def test_reactivating_an_active_membership_is_refused(organiser, member, collective):
    with pytest.raises(ValidationError) as refusal:
        services.reactivate_membership(
            membership_of(member, collective), reactivated_by=organiser
        )

    assert refusal.value.messages == ["This membership is already active."]


def test_only_an_organiser_of_the_collective_reactivates(other_organiser, collective):
    former = MembershipFactory(collective=collective, status=Membership.Status.INACTIVE)

    with pytest.raises(PermissionDenied):
        services.reactivate_membership(former, reactivated_by=other_organiser)

    former.refresh_from_db()
    assert former.status == Membership.Status.INACTIVE


# invite_member and the invitation email


def test_invite_member_sends_one_email_with_the_link(
    organiser, collective, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_member(
            collective=collective, email="Lea.Roux@Example.org", invited_by=organiser
        )

    assert invitation.email == "lea.roux@example.org"
    assert invitation.role == Membership.Role.MEMBER
    assert invitation.invited_by == organiser
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["lea.roux@example.org"]
    assert "AMAP des Dervallières" in email.subject
    assert f"http://testserver/invitation/{invitation.token}/" in email.body
    assert "Claire Petit" in email.body


def test_the_invitation_email_waits_for_the_commit(
    organiser, collective, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.invite_member(
            collective=collective, email="lea.roux@example.org", invited_by=organiser
        )

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_invite_member_keeps_the_chosen_role(
    organiser, collective, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_member(
            collective=collective,
            email="lea.roux@example.org",
            invited_by=organiser,
            role=Membership.Role.ORGANISER,
        )

    assert invitation.role == Membership.Role.ORGANISER


def test_inviting_an_email_already_a_member_is_refused(
    organiser, member, collective, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as refusal,
    ):
        services.invite_member(
            collective=collective,
            email="MARIE.MARTIN@example.org",
            invited_by=organiser,
        )

    assert refusal.value.message_dict == {
        "email": ["marie.martin@example.org is already a member of this collective."]
    }
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_former_member_may_be_invited_again(
    organiser, collective, django_capture_on_commit_callbacks
):
    MembershipFactory(
        collective=collective,
        status=Membership.Status.INACTIVE,
        user__email="lea.roux@example.org",
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(
            collective=collective, email="lea.roux@example.org", invited_by=organiser
        )

    assert len(mail.outbox) == 1


def test_a_second_pending_invitation_to_the_same_email_is_refused(
    organiser, collective, django_capture_on_commit_callbacks
):
    InvitationFactory(collective=collective, email="lea.roux@example.org")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as refusal,
    ):
        services.invite_member(
            collective=collective, email="Lea.Roux@example.org", invited_by=organiser
        )

    assert refusal.value.message_dict == {
        "email": ["An invitation to lea.roux@example.org is already pending."]
    }
    assert Invitation.objects.count() == 1
    assert mail.outbox == []


def test_the_same_email_may_be_invited_by_another_collective(
    organiser, other_organiser, collective, other_collective
):
    InvitationFactory(collective=other_collective, email="lea.roux@example.org")

    invitation = services.invite_member(
        collective=collective, email="lea.roux@example.org", invited_by=organiser
    )

    assert invitation.collective == collective


def test_a_cancelled_invitation_may_be_sent_again(organiser, collective):
    InvitationFactory(
        collective=collective,
        email="lea.roux@example.org",
        cancelled_at=timezone.now(),
    )

    services.invite_member(
        collective=collective, email="lea.roux@example.org", invited_by=organiser
    )

    assert collective.invitations.pending().count() == 1


@pytest.mark.parametrize("person", ["member", "other_organiser", "producer_user"])
def test_only_an_organiser_of_the_collective_invites(
    request, collective, person, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PermissionDenied),
    ):
        services.invite_member(
            collective=collective,
            email="lea.roux@example.org",
            invited_by=request.getfixturevalue(person),
        )

    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_no_email_goes_to_an_invitation_cancelled_before_sending(collective):
    invitation = InvitationFactory(collective=collective, cancelled_at=timezone.now())

    services.send_invitation_email(invitation_id=invitation.pk)

    assert mail.outbox == []


# cancel_invitation


def test_an_organiser_cancels_an_invitation(organiser, collective):
    invitation = InvitationFactory(collective=collective)

    services.cancel_invitation(invitation, cancelled_by=organiser)

    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None
    assert not collective.invitations.pending().exists()


def test_cancelling_an_invitation_twice_is_refused(organiser, collective):
    invitation = InvitationFactory(collective=collective)
    services.cancel_invitation(invitation, cancelled_by=organiser)

    with pytest.raises(ValidationError) as refusal:
        services.cancel_invitation(invitation, cancelled_by=organiser)

    assert refusal.value.messages == ["This invitation is no longer pending."]


@pytest.mark.parametrize("person", ["member", "other_organiser"])
def test_only_an_organiser_of_the_collective_cancels_an_invitation(
    request, collective, person
):
    invitation = InvitationFactory(collective=collective)

    with pytest.raises(PermissionDenied):
        services.cancel_invitation(
            invitation, cancelled_by=request.getfixturevalue(person)
        )

    invitation.refresh_from_db()
    assert invitation.is_pending


# accept_invitation


@pytest.mark.parametrize("role", Membership.Role.values)
def test_accepting_an_invitation_creates_an_active_membership_with_its_role(
    producer_user, collective, role
):
    invitation = InvitationFactory(
        collective=collective, email=producer_user.email, role=role
    )

    membership = services.accept_invitation(invitation=invitation, user=producer_user)

    membership.refresh_from_db()
    assert membership.collective == collective
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == role
    assert membership.joined_on == timezone.localdate()
    invitation.refresh_from_db()
    assert invitation.accepted_by == producer_user
    assert invitation.accepted_at is not None


def test_a_used_invitation_is_refused(producer_user, other_member, collective):
    invitation = InvitationFactory(collective=collective, email=producer_user.email)
    services.accept_invitation(invitation=invitation, user=producer_user)

    with pytest.raises(ValidationError) as refusal:
        services.accept_invitation(invitation=invitation, user=other_member)

    assert refusal.value.messages == [
        "This invitation has already been used or cancelled."
    ]
    assert not Membership.objects.filter(
        user=other_member, collective=collective
    ).exists()


def test_a_cancelled_invitation_cannot_be_accepted(producer_user, collective):
    invitation = InvitationFactory(collective=collective, cancelled_at=timezone.now())

    with pytest.raises(ValidationError):
        services.accept_invitation(invitation=invitation, user=producer_user)

    assert not Membership.objects.filter(user=producer_user).exists()


def test_accepting_reactivates_a_former_membership_with_the_invitations_role(
    producer_user, collective
):
    former = OrganiserMembershipFactory(
        user=producer_user, collective=collective, status=Membership.Status.INACTIVE
    )
    invitation = InvitationFactory(
        collective=collective, email=producer_user.email, role=Membership.Role.MEMBER
    )

    services.accept_invitation(invitation=invitation, user=producer_user)

    former.refresh_from_db()
    assert former.status == Membership.Status.ACTIVE
    assert former.role == Membership.Role.MEMBER


def test_accepting_approves_a_pending_request(producer_user, collective):
    join_request = pending_request(collective, user=producer_user)
    invitation = InvitationFactory(collective=collective, email=producer_user.email)

    services.accept_invitation(invitation=invitation, user=producer_user)

    join_request.refresh_from_db()
    assert join_request.status == Membership.Status.ACTIVE


def test_an_organiser_invitation_promotes_an_active_member(member, collective):
    invitation = InvitationFactory(
        collective=collective, email=member.email, role=Membership.Role.ORGANISER
    )

    services.accept_invitation(invitation=invitation, user=member)

    assert membership_of(member, collective).role == Membership.Role.ORGANISER


def test_a_member_invitation_never_demotes_an_active_organiser(organiser, collective):
    invitation = InvitationFactory(
        collective=collective, email=organiser.email, role=Membership.Role.MEMBER
    )

    services.accept_invitation(invitation=invitation, user=organiser)

    assert membership_of(organiser, collective).role == Membership.Role.ORGANISER
