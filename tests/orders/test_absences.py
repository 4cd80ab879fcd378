"""Absences: a member will not collect, and says what becomes of the basket."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from amap.orders.models import Absence
from amap.orders.selectors.contracts import absences_for_distribution
from amap.orders.services.absences import cancel_absence, record_absence
from tests.factories import (
    AbsenceFactory,
    ContractFactory,
    ContractOptionFactory,
    DistributionFactory,
    MembershipFactory,
    OrderCycleFactory,
    OrderFactory,
    PickupPointFactory,
    SubscriptionFactory,
)


@pytest.fixture
def point(collective):
    return PickupPointFactory(collective=collective, name="Maison de quartier")


@pytest.fixture
def cycle(collective):
    return OrderCycleFactory(collective=collective)


@pytest.fixture
def distribution(cycle, point):
    return DistributionFactory(cycle=cycle, pickup_point=point)


@pytest.fixture
def friend(collective):
    return MembershipFactory(
        collective=collective, user__first_name="Paul", user__last_name="Roux"
    ).user


@pytest.fixture
def basket(collective, distribution, member):
    contract = ContractFactory(collective=collective, name="Contrat légumes")
    contract.deliveries.set([distribution])
    return SubscriptionFactory(
        contract=contract,
        option=ContractOptionFactory(contract=contract),
        member=member,
    )


def _close(cycle):
    cycle.closes_at = timezone.now() - timedelta(minutes=1)
    cycle.opens_at = cycle.closes_at - timedelta(days=3)
    cycle.save()


# record_absence --------------------------------------------------------------


def test_record_absence_gives_the_basket_to_a_member(member, distribution, friend):
    absence = record_absence(
        member=member,
        distribution=distribution,
        fate=Absence.Fate.GIVEN,
        given_to=friend,
        note="  Merci Paul !  ",
    )
    assert absence.given_to == friend
    assert absence.note == "Merci Paul !"
    assert absence.cancelled_at is None


@pytest.mark.parametrize("fate", ["solidarity", "kept"])
def test_record_absence_without_recipient_ignores_one(
    member, distribution, friend, fate
):
    absence = record_absence(
        member=member, distribution=distribution, fate=fate, given_to=friend
    )
    assert absence.given_to is None


def test_record_absence_refuses_a_non_member(other_member, distribution, english):
    with pytest.raises(ValidationError, match="Only members"):
        record_absence(member=other_member, distribution=distribution, fate="kept")


def test_record_absence_refuses_after_the_deadline(
    member, distribution, cycle, english
):
    _close(cycle)
    with pytest.raises(ValidationError, match="too late"):
        record_absence(member=member, distribution=distribution, fate="kept")


def test_record_absence_refuses_a_closed_cycle(member, distribution, cycle, english):
    cycle.closed_at = timezone.now()
    cycle.save()
    with pytest.raises(ValidationError, match="too late"):
        record_absence(member=member, distribution=distribution, fate="kept")


def test_record_absence_refuses_giving_to_yourself(member, distribution, english):
    with pytest.raises(ValidationError) as error:
        record_absence(
            member=member, distribution=distribution, fate="given", given_to=member
        )
    assert "yourself" in error.value.message_dict["given_to"][0]


def test_record_absence_refuses_giving_to_a_non_member(
    member, distribution, other_member, english
):
    with pytest.raises(ValidationError) as error:
        record_absence(
            member=member,
            distribution=distribution,
            fate="given",
            given_to=other_member,
        )
    assert "not a member" in error.value.message_dict["given_to"][0]


def test_record_absence_refuses_giving_to_nobody(member, distribution):
    with pytest.raises(ValidationError) as error:
        record_absence(member=member, distribution=distribution, fate="given")
    assert "given_to" in error.value.message_dict


def test_record_absence_refuses_an_unknown_fate(member, distribution):
    with pytest.raises(ValidationError) as error:
        record_absence(member=member, distribution=distribution, fate="eaten")
    assert "fate" in error.value.message_dict


def test_record_absence_refuses_a_second_one(member, distribution, english):
    record_absence(member=member, distribution=distribution, fate="kept")
    with pytest.raises(ValidationError, match="already"):
        record_absence(member=member, distribution=distribution, fate="solidarity")
    assert Absence.objects.count() == 1


def test_record_absence_again_after_cancelling(member, distribution):
    first = record_absence(member=member, distribution=distribution, fate="kept")
    cancel_absence(first, cancelled_by=member)
    second = record_absence(member=member, distribution=distribution, fate="kept")
    assert Absence.objects.count() == 2
    assert second.cancelled_at is None


# cancel_absence --------------------------------------------------------------


def test_cancel_absence_keeps_the_row(member, distribution):
    absence = record_absence(member=member, distribution=distribution, fate="kept")
    cancel_absence(absence, cancelled_by=member)
    absence.refresh_from_db()
    assert absence.cancelled_at is not None


def test_cancel_absence_refused_after_the_deadline(
    member, distribution, cycle, english
):
    absence = record_absence(member=member, distribution=distribution, fate="kept")
    _close(cycle)
    with pytest.raises(ValidationError, match="too late"):
        cancel_absence(absence, cancelled_by=member)


def test_organiser_cancels_an_absence_after_the_deadline(
    member, distribution, cycle, organiser
):
    absence = record_absence(member=member, distribution=distribution, fate="kept")
    _close(cycle)
    cancel_absence(absence, cancelled_by=organiser)
    absence.refresh_from_db()
    assert absence.cancelled_at is not None


def test_nobody_else_cancels_an_absence(member, distribution, friend, other_organiser):
    absence = record_absence(member=member, distribution=distribution, fate="kept")
    for person in (friend, other_organiser):
        with pytest.raises(PermissionDenied):
            cancel_absence(absence, cancelled_by=person)


def test_cancel_twice_is_refused(member, distribution, english):
    absence = record_absence(member=member, distribution=distribution, fate="kept")
    cancel_absence(absence, cancelled_by=member)
    with pytest.raises(ValidationError, match="already cancelled"):
        cancel_absence(absence, cancelled_by=member)


def test_absences_for_distribution_leave_out_cancelled_ones(
    member, friend, distribution, django_assert_num_queries
):
    kept = AbsenceFactory(member=member, distribution=distribution, fate="kept")
    AbsenceFactory(
        member=friend, distribution=distribution, cancelled_at=timezone.now()
    )
    with django_assert_num_queries(1):
        absences = absences_for_distribution(distribution)
        assert [a.member for a in absences] == [member]
    assert absences == [kept]


# Views -----------------------------------------------------------------------

CAST = (
    "member",
    "other_member",
    "organiser",
    "other_organiser",
    "producer_user",
)


def test_absence_list_shows_my_baskets_and_orders(
    as_user, member, basket, distribution, cycle, point, english
):
    later = DistributionFactory(
        cycle=cycle, pickup_point=point, date=distribution.date + timedelta(days=7)
    )
    OrderFactory(member=member, distribution=later, total=Decimal("8.40"))
    nothing = DistributionFactory(
        cycle=cycle, pickup_point=point, date=distribution.date + timedelta(days=14)
    )
    html = as_user(member).get(reverse("orders:absence_list")).content.decode()
    assert f'data-distribution="{distribution.pk}"' in html
    assert "Contrat légumes" in html
    assert f'data-distribution="{later.pk}"' in html
    assert "8.40" in html
    assert f'data-distribution="{nothing.pk}"' not in html
    assert reverse("orders:absence_create", args=[distribution.pk]) in html


def test_absence_list_says_when_it_is_too_late(as_user, member, basket, cycle, english):
    _close(cycle)
    html = as_user(member).get(reverse("orders:absence_list")).content.decode()
    assert "It is too late to change: tell the organisers." in html


def test_absence_list_permissions_and_queries(
    as_user,
    member,
    collective,
    cycle,
    point,
    django_assert_max_num_queries,
):
    assert as_user(None).get(reverse("orders:absence_list")).status_code == 302
    contract = ContractFactory(collective=collective)
    option = ContractOptionFactory(contract=contract)
    distributions = []
    for week in range(30):
        d = DistributionFactory(
            cycle=cycle,
            pickup_point=point,
            date=timezone.localdate() + timedelta(days=7 * week + 1),
        )
        distributions.append(d)
        OrderFactory(member=member, distribution=d)
    contract.deliveries.set(distributions)
    SubscriptionFactory(contract=contract, option=option, member=member)
    client = as_user(member)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("orders:absence_list"))
    assert response.content.decode().count("data-distribution=") == 30


def test_absence_create_permission_matrix(request, as_user, distribution):
    url = reverse("orders:absence_create", args=[distribution.pk])
    expected = {
        "member": 200,
        "other_member": 404,
        "organiser": 200,
        "other_organiser": 404,
        "producer_user": 404,
    }
    assert as_user(None).get(url).status_code == 302
    for name in CAST:
        user = request.getfixturevalue(name)
        assert as_user(user).get(url).status_code == expected[name], name


def test_member_records_an_absence_from_the_form(as_user, member, friend, distribution):
    response = as_user(member).post(
        reverse("orders:absence_create", args=[distribution.pk]),
        {"fate": "given", "given_to": friend.pk, "note": ""},
    )
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.member, absence.given_to) == (member, friend)


def test_absence_form_shows_refusals_next_to_fields(
    as_user, member, distribution, other_member, english
):
    client = as_user(member)
    url = reverse("orders:absence_create", args=[distribution.pk])
    response = client.post(url, {"fate": "given", "given_to": ""})
    assert response.status_code == 400
    assert "Choose the member you give your basket to." in response.content.decode()
    response = client.post(url, {"fate": "given", "given_to": other_member.pk})
    assert "Select a valid choice" in response.content.decode()
    record_absence(member=member, distribution=distribution, fate="kept")
    response = client.post(url, {"fate": "kept"})
    assert response.status_code == 400
    assert "already said you will be absent" in response.content.decode()
    assert Absence.objects.count() == 1


def test_absence_form_after_the_deadline(as_user, member, distribution, cycle, english):
    _close(cycle)
    client = as_user(member)
    url = reverse("orders:absence_create", args=[distribution.pk])
    assert "too late" in client.get(url).content.decode()
    response = client.post(url, {"fate": "kept"})
    assert response.status_code == 400
    assert not Absence.objects.exists()


def test_absence_cancel_permissions(request, as_user, member, distribution):
    absence = record_absence(member=member, distribution=distribution, fate="kept")
    url = reverse("orders:absence_cancel", args=[absence.pk])
    assert as_user(None).post(url).status_code == 302
    for name in ("other_member", "organiser", "other_organiser", "producer_user"):
        user = request.getfixturevalue(name)
        assert as_user(user).post(url).status_code == 404, name
    assert as_user(member).get(url).status_code == 405
    absence.refresh_from_db()
    assert absence.cancelled_at is None
    assert as_user(member).post(url).status_code == 302
    absence.refresh_from_db()
    assert absence.cancelled_at is not None
    assert as_user(member).post(url).status_code == 404


def test_distribution_absences_permission_matrix(
    request, as_user, member, friend, distribution, english
):
    AbsenceFactory(
        member=member, distribution=distribution, fate="given", given_to=friend
    )
    url = reverse("orders:distribution_absences", args=[distribution.pk])
    expected = {
        "member": 404,
        "other_member": 404,
        "organiser": 200,
        "other_organiser": 404,
        "producer_user": 404,
    }
    assert as_user(None).get(url).status_code == 302
    for name in CAST:
        user = request.getfixturevalue(name)
        assert as_user(user).get(url).status_code == expected[name], name
    html = as_user(request.getfixturevalue("organiser")).get(url).content.decode()
    assert "Marie Martin" in html and "Paul Roux" in html
    assert "Given to another member" in html


def test_distribution_absences_in_a_fixed_number_of_queries(
    as_user, organiser, collective, distribution, django_assert_max_num_queries
):
    for _ in range(200):
        AbsenceFactory(
            member=MembershipFactory(collective=collective).user,
            distribution=distribution,
        )
    client = as_user(organiser)
    url = reverse("orders:distribution_absences", args=[distribution.pk])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.content.decode().count("data-absence=") == 200
