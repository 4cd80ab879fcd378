"""Season contracts: setting them up, signing, cancelling, and who collects
which basket at each distribution."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from amap.distribution.models import UsualPickupPoint
from amap.orders.models import Absence, Contract, ContractOption, Subscription
from amap.orders.selectors.contracts import baskets_for_distributions, member_baskets
from amap.orders.services.contracts import (
    cancel_subscription,
    save_contract,
    subscribe,
)
from tests.factories import (
    AbsenceFactory,
    CollectiveFactory,
    ContractFactory,
    ContractOptionFactory,
    DistributionFactory,
    MembershipFactory,
    OrderCycleFactory,
    PartnershipFactory,
    PickupPointFactory,
    ProducerFactory,
    ProductFactory,
    SubscriptionFactory,
)

D = Decimal


@pytest.fixture
def point(collective):
    return PickupPointFactory(collective=collective, name="Maison de quartier")


@pytest.fixture
def deliveries(collective, point):
    cycle = OrderCycleFactory(collective=collective)
    today = timezone.localdate()
    return [
        DistributionFactory(
            cycle=cycle, pickup_point=point, date=today + timedelta(days=5 + 7 * i)
        )
        for i in range(3)
    ]


@pytest.fixture
def contract(producer, collective, deliveries):
    contract = ContractFactory(
        producer=producer,
        collective=collective,
        name="Contrat légumes hiver",
        instalment_choices=[1, 3, 6],
    )
    contract.deliveries.set(deliveries)
    return contract


@pytest.fixture
def small(contract):
    return ContractOptionFactory(
        contract=contract, name="Petit panier", price_per_delivery=D("12.00")
    )


@pytest.fixture
def large(contract):
    return ContractOptionFactory(
        contract=contract, name="Grand panier", price_per_delivery=D("20.00")
    )


def _member(collective, **kwargs):
    return MembershipFactory(collective=collective, **kwargs).user


def _subscribe(contract, member, option, **kwargs):
    kwargs.setdefault("quantity", 1)
    kwargs.setdefault("instalments", 1)
    return subscribe(contract=contract, member=member, option=option, **kwargs)


# subscribe -------------------------------------------------------------------


def test_subscribe_computes_the_total_and_the_schedule(contract, small, member):
    small.price_per_delivery = D("12.35")
    small.save()
    subscription = _subscribe(contract, member, small, quantity=2, instalments=6)
    assert subscription.total == D("74.10")  # 12.35 × 2 × 3
    schedule = list(subscription.schedule.order_by("number"))
    assert [i.number for i in schedule] == [1, 2, 3, 4, 5, 6]
    assert sum(i.amount for i in schedule) == subscription.total
    assert [i.amount for i in schedule] == [D("12.35")] * 6
    first = contract.deliveries.order_by("date").first().date
    assert schedule[0].due_date == first
    assert schedule[1].due_date.month == (first.month % 12) + 1
    assert all(not i.is_paid for i in schedule)


def test_subscribe_splits_awkward_totals_exactly(contract, large, member):
    large.price_per_delivery = D("33.33")
    large.save()
    subscription = _subscribe(contract, member, large, instalments=6)
    amounts = [i.amount for i in subscription.schedule.order_by("number")]
    assert sum(amounts) == D("99.99") == subscription.total
    assert amounts == [D("16.67")] * 3 + [D("16.66")] * 3


def test_subscribe_first_instalment_is_due_today_when_deliveries_started(
    contract, small, member, deliveries
):
    deliveries[0].date = timezone.localdate() - timedelta(days=3)
    deliveries[0].save()
    subscription = _subscribe(contract, member, small, instalments=3)
    assert subscription.schedule.get(number=1).due_date == timezone.localdate()


def test_subscribe_does_not_count_cancelled_deliveries(
    contract, small, member, deliveries
):
    deliveries[2].cancelled = True
    deliveries[2].save()
    assert _subscribe(contract, member, small).total == D("24.00")


def test_subscribe_stores_a_shared_basket(contract, small, member, collective):
    partner = _member(collective)
    subscription = _subscribe(
        contract, member, small, sharing="alternate", shared_with=partner
    )
    assert subscription.sharing == "alternate"
    assert subscription.shared_with == partner


def test_subscribe_sends_a_confirmation_after_commit(
    contract, small, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(contract, member, small, instalments=3)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [member.email]
    assert "Contrat légumes hiver" in mailoutbox[0].subject
    assert "12,00" in mailoutbox[0].body or "12.00" in mailoutbox[0].body


def test_subscribe_refuses_after_the_deadline(english, contract, small, member):
    contract.signup_deadline = timezone.now() - timedelta(minutes=1)
    contract.save()
    with pytest.raises(ValidationError, match="deadline"):
        _subscribe(contract, member, small)


@pytest.mark.parametrize("status", ["draft", "closed", "cancelled"])
def test_subscribe_refuses_a_contract_that_is_not_open(
    contract, small, member, status, english
):
    contract.status = status
    contract.save()
    with pytest.raises(ValidationError, match="not open"):
        _subscribe(contract, member, small)


def test_subscribe_refuses_a_non_member(contract, small, other_member, english):
    with pytest.raises(ValidationError, match="Only members"):
        _subscribe(contract, other_member, small)


def test_subscribe_refuses_a_former_member(contract, small, member, english):
    member.memberships.update(status="inactive")
    with pytest.raises(ValidationError, match="Only members"):
        _subscribe(contract, member, small)


def test_subscribe_refuses_an_option_of_another_contract(
    contract, member, collective, english
):
    other = ContractOptionFactory(contract=ContractFactory(collective=collective))
    with pytest.raises(ValidationError) as error:
        _subscribe(contract, member, other)
    assert "option" in error.value.message_dict


def test_subscribe_refuses_an_instalment_count_not_allowed(
    contract, small, member, english
):
    with pytest.raises(ValidationError) as error:
        _subscribe(contract, member, small, instalments=2)
    assert "1, 3, 6" in error.value.message_dict["instalments"][0]


@pytest.mark.parametrize("quantity", [0, -1, 11, 1000])
def test_subscribe_refuses_an_absurd_quantity(contract, small, member, quantity):
    with pytest.raises(ValidationError) as error:
        _subscribe(contract, member, small, quantity=quantity)
    assert "quantity" in error.value.message_dict


def test_subscribe_refuses_a_second_subscription(
    english, contract, small, large, member
):
    _subscribe(contract, member, small)
    with pytest.raises(ValidationError, match="already signed"):
        _subscribe(contract, member, large)
    assert Subscription.objects.filter(member=member).count() == 1


def test_subscribe_again_after_cancelling(contract, small, large, member):
    first = _subscribe(contract, member, small)
    cancel_subscription(first, cancelled_by=member)
    second = _subscribe(contract, member, large)
    assert second.status == "active"
    assert Subscription.objects.filter(member=member).count() == 2


def test_subscribe_refuses_when_the_contract_is_full(
    contract, small, member, collective, english
):
    contract.max_subscribers = 2
    contract.save()
    for _ in range(2):
        _subscribe(contract, _member(collective), small)
    with pytest.raises(ValidationError, match="full"):
        _subscribe(contract, member, small)


def test_subscribe_counts_only_active_subscriptions_against_the_maximum(
    contract, small, member, collective
):
    contract.max_subscribers = 1
    contract.save()
    first = _subscribe(contract, _member(collective), small)
    cancel_subscription(first, cancelled_by=first.member)
    assert _subscribe(contract, member, small).status == "active"


def test_subscribe_refuses_sharing_with_yourself(contract, small, member, english):
    with pytest.raises(ValidationError) as error:
        _subscribe(contract, member, small, sharing="split", shared_with=member)
    assert "yourself" in error.value.message_dict["shared_with"][0]


def test_subscribe_refuses_sharing_with_a_non_member(
    contract, small, member, other_member, english
):
    with pytest.raises(ValidationError) as error:
        _subscribe(contract, member, small, sharing="split", shared_with=other_member)
    assert "not a member" in error.value.message_dict["shared_with"][0]


def test_subscribe_refuses_sharing_without_a_partner(contract, small, member):
    with pytest.raises(ValidationError) as error:
        _subscribe(contract, member, small, sharing="alternate")
    assert "shared_with" in error.value.message_dict


def test_subscribe_refuses_an_unknown_sharing(contract, small, member):
    with pytest.raises(ValidationError):
        _subscribe(contract, member, small, sharing="weekly", shared_with=member)


# cancel_subscription ---------------------------------------------------------


def test_member_cancels_before_the_deadline(contract, small, member):
    subscription = _subscribe(contract, member, small, instalments=3)
    cancel_subscription(subscription, cancelled_by=member)
    subscription.refresh_from_db()
    assert subscription.status == "cancelled"
    assert subscription.cancelled_at is not None
    assert subscription.schedule.count() == 3  # kept, never deleted


def test_member_cannot_cancel_after_the_deadline(contract, small, member, english):
    subscription = _subscribe(contract, member, small)
    Contract.objects.filter(pk=contract.pk).update(
        signup_deadline=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(ValidationError, match="ask the organisers"):
        cancel_subscription(subscription, cancelled_by=member)


def test_organiser_cancels_after_the_deadline(contract, small, member, organiser):
    subscription = _subscribe(contract, member, small)
    Contract.objects.filter(pk=contract.pk).update(
        signup_deadline=timezone.now() - timedelta(hours=1)
    )
    cancel_subscription(subscription, cancelled_by=organiser)
    subscription.refresh_from_db()
    assert subscription.status == "cancelled"


def test_nobody_else_cancels(contract, small, member, collective, other_organiser):
    subscription = _subscribe(contract, member, small)
    for person in (_member(collective), other_organiser):
        with pytest.raises(PermissionDenied):
            cancel_subscription(subscription, cancelled_by=person)


def test_cancel_twice_is_refused(contract, small, member, english):
    subscription = _subscribe(contract, member, small)
    cancel_subscription(subscription, cancelled_by=member)
    with pytest.raises(ValidationError, match="already cancelled"):
        cancel_subscription(subscription, cancelled_by=member)


# save_contract ---------------------------------------------------------------


def _new_contract(collective, farm, **fields):
    values = {
        "collective": collective,
        "producer": farm,
        "name": "Contrat pain",
        "instalment_choices": [1, 3],
        "signup_deadline": timezone.now() + timedelta(days=7),
        "status": Contract.Status.OPEN,
    }
    values.update(fields)
    return Contract(**values)


def test_save_contract_creates_it_with_options_and_deliveries(
    collective, producer, organiser, deliveries
):
    bread = ProductFactory(producer=producer, name="Pain de campagne")
    contract = save_contract(
        contract=_new_contract(collective, producer),
        deliveries=deliveries[:2],
        options=[
            ContractOption(name="1 pain", product=bread, price_per_delivery=D("4.80"))
        ],
        saved_by=organiser,
    )
    assert set(contract.deliveries.all()) == set(deliveries[:2])
    assert contract.options.get().product == bread


def test_save_contract_is_for_organisers_only(collective, producer, member, deliveries):
    with pytest.raises(PermissionDenied):
        save_contract(
            contract=_new_contract(collective, producer),
            deliveries=deliveries,
            options=[ContractOption(name="x", price_per_delivery=D("1"))],
            saved_by=member,
        )


def test_save_contract_refuses_bad_input(
    collective, other_collective, producer, organiser, deliveries, english
):
    stranger = ProducerFactory()
    foreign_product = ProductFactory(producer=stranger)
    elsewhere = DistributionFactory(
        cycle=OrderCycleFactory(collective=other_collective),
        pickup_point=PickupPointFactory(collective=other_collective),
    )
    cases = [
        ({"producer": stranger}, deliveries, D("1"), None, "producer"),
        ({"instalment_choices": [5]}, deliveries, D("1"), None, "instalment_choices"),
        ({"instalment_choices": []}, deliveries, D("1"), None, "instalment_choices"),
        ({}, [], D("1"), None, "deliveries"),
        ({}, [elsewhere], D("1"), None, "deliveries"),
        ({}, deliveries, D("1"), foreign_product, "__all__"),
        ({}, deliveries, D("-1"), None, "price_per_delivery"),
    ]
    for fields, chosen, price, product, key in cases:
        with pytest.raises(ValidationError) as error:
            save_contract(
                contract=_new_contract(collective, producer, **fields),
                deliveries=chosen,
                options=[
                    ContractOption(name="x", price_per_delivery=price, product=product)
                ],
                saved_by=organiser,
            )
        assert key in error.value.message_dict, (fields, error.value)
    with pytest.raises(ValidationError, match="at least one option"):
        save_contract(
            contract=_new_contract(collective, producer),
            deliveries=deliveries,
            options=[],
            saved_by=organiser,
        )
    assert not Contract.objects.filter(name="Contrat pain").exists()


def test_save_contract_freezes_prices_and_dates_once_signed(
    contract, small, member, organiser, deliveries, english
):
    _subscribe(contract, member, small)
    small.price_per_delivery = D("13.00")
    with pytest.raises(ValidationError, match="already signed"):
        save_contract(
            contract=contract,
            deliveries=deliveries,
            options=[small],
            saved_by=organiser,
        )
    small.refresh_from_db()
    with pytest.raises(ValidationError, match="already signed"):
        save_contract(
            contract=contract,
            deliveries=deliveries[:2],
            options=[small],
            saved_by=organiser,
        )
    with pytest.raises(ValidationError, match="cannot be removed"):
        save_contract(
            contract=contract,
            deliveries=deliveries,
            options=[ContractOption(name="Autre", price_per_delivery=D("5"))],
            removed_options=[small],
            saved_by=organiser,
        )
    contract.name = "Contrat légumes hiver 2026-2027"
    save_contract(
        contract=contract, deliveries=deliveries, options=[small], saved_by=organiser
    )
    assert Contract.objects.get(pk=contract.pk).name.endswith("2026-2027")


# Concurrency (PostgreSQL) ----------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks (select_for_update) need PostgreSQL and real threads.",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_max_subscribers_holds_under_concurrent_signups():
    collective = CollectiveFactory()
    producer = ProducerFactory()
    PartnershipFactory(producer=producer, collective=collective)
    distribution = DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point=PickupPointFactory(collective=collective),
    )
    contract = ContractFactory(
        producer=producer, collective=collective, max_subscribers=5
    )
    contract.deliveries.set([distribution])
    option = ContractOptionFactory(contract=contract)
    members = [_member(collective) for _ in range(20)]
    barrier = threading.Barrier(len(members))
    results, errors = [], []

    def sign(person):
        try:
            barrier.wait()
            _subscribe(contract, person, option)
            results.append(person.pk)
        except ValidationError as error:
            errors.append(error.messages[0])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 5
    assert len(errors) == 15
    assert all("full" in e or "complet" in e for e in errors), errors
    assert contract.subscriptions.active().count() == 5


# Who collects what -----------------------------------------------------------


def test_baskets_show_each_subscriber_at_each_delivery(
    contract, small, large, member, collective, deliveries
):
    other = _member(collective, user__last_name="Zola")
    _subscribe(contract, member, small, quantity=2)
    _subscribe(contract, other, large)
    for distribution in deliveries:
        baskets = baskets_for_distributions([distribution])
        assert [(b.member, b.option, b.quantity) for b in baskets] == [
            (member, small, D(2)),
            (other, large, D(1)),
        ]
        assert all(b.shared_note == "" and b.absence is None for b in baskets)


def test_alternate_baskets_go_to_the_subscriber_on_odd_deliveries(
    contract, small, member, collective, deliveries, english
):
    partner = _member(collective, user__first_name="Paul", user__last_name="Roux")
    _subscribe(contract, member, small, sharing="alternate", shared_with=partner)
    collectors = [
        [b.member for b in baskets_for_distributions([d])] for d in deliveries
    ]
    assert collectors == [[member], [partner], [member]]
    note = baskets_for_distributions([deliveries[1]])[0].shared_note
    assert "Marie Martin" in note


def test_split_baskets_give_half_to_each(
    contract, small, member, collective, deliveries, english
):
    partner = _member(collective, user__first_name="Paul", user__last_name="Roux")
    _subscribe(contract, member, small, sharing="split", shared_with=partner)
    baskets = baskets_for_distributions([deliveries[0]])
    assert {(b.member, b.quantity) for b in baskets} == {
        (member, D("0.5")),
        (partner, D("0.5")),
    }
    by_member = {b.member: b.shared_note for b in baskets}
    assert by_member[member] == "½ basket shared with Paul Roux"
    assert by_member[partner] == "½ basket shared with Marie Martin"


def test_a_given_basket_shows_under_the_recipient(
    contract, small, member, collective, deliveries
):
    friend = _member(collective)
    _subscribe(contract, member, small)
    absence = AbsenceFactory(
        member=member,
        distribution=deliveries[0],
        fate=Absence.Fate.GIVEN,
        given_to=friend,
    )
    [basket] = baskets_for_distributions([deliveries[0]])
    assert basket.member == friend
    assert basket.given_by == member
    assert basket.absence == absence
    assert member_baskets(friend, deliveries)[deliveries[0].pk] == [basket]
    assert deliveries[0].pk not in member_baskets(member, deliveries)
    assert baskets_for_distributions([deliveries[1]])[0].member == member


def test_a_basket_for_the_pool_stays_listed_with_its_absence(
    contract, small, member, deliveries
):
    _subscribe(contract, member, small)
    AbsenceFactory(member=member, distribution=deliveries[0], fate="solidarity")
    AbsenceFactory(
        member=member,
        distribution=deliveries[1],
        fate="kept",
        cancelled_at=timezone.now(),
    )
    [basket] = baskets_for_distributions([deliveries[0]])
    assert basket.member == member
    assert basket.absence.fate == "solidarity"
    assert baskets_for_distributions([deliveries[1]])[0].absence is None


def test_cancelled_subscriptions_and_draft_contracts_deliver_nothing(
    contract, small, member, collective, deliveries
):
    subscription = _subscribe(contract, member, small)
    cancel_subscription(subscription, cancelled_by=member)
    draft = ContractFactory(collective=collective, status=Contract.Status.DRAFT)
    draft.deliveries.set(deliveries)
    SubscriptionFactory(option=ContractOptionFactory(contract=draft))
    assert baskets_for_distributions([deliveries[0]]) == []


def test_same_day_deliveries_go_to_the_usual_pickup_point(
    contract, small, member, collective, deliveries
):
    second_point = PickupPointFactory(collective=collective, name="Solilab")
    same_day = DistributionFactory(
        cycle=deliveries[0].cycle, pickup_point=second_point, date=deliveries[0].date
    )
    contract.deliveries.add(same_day)
    other = _member(collective)
    _subscribe(contract, member, small)
    _subscribe(contract, other, small)
    UsualPickupPoint.objects.create(
        user=member, collective=collective, pickup_point=second_point
    )
    assert [b.member for b in baskets_for_distributions([same_day])] == [member]
    assert [b.member for b in baskets_for_distributions([deliveries[0]])] == [other]
    # The day counts once: the next delivery is the 2nd.
    assert len(member_baskets(member, deliveries + [same_day])) == 3


def test_member_baskets_include_the_partners_turns(
    contract, small, member, collective, deliveries
):
    partner = _member(collective)
    _subscribe(contract, member, small, sharing="alternate", shared_with=partner)
    assert set(member_baskets(partner, deliveries)) == {deliveries[1].pk}
    assert set(member_baskets(member, deliveries)) == {
        deliveries[0].pk,
        deliveries[2].pk,
    }


def test_baskets_for_distribution_in_a_fixed_number_of_queries(
    contract, small, large, collective, deliveries, django_assert_max_num_queries
):
    people = [_member(collective) for _ in range(200)]
    for index, person in enumerate(people):
        sharing = {0: "", 1: "alternate", 2: "split"}[index % 3]
        SubscriptionFactory(
            contract=contract,
            option=small if index % 2 else large,
            member=person,
            sharing=sharing,
            shared_with=people[index - 1] if sharing else None,
        )
        if index % 10 == 0:
            AbsenceFactory(
                member=person,
                distribution=deliveries[0],
                fate="given",
                given_to=people[index - 5],
            )
    with django_assert_max_num_queries(5):
        baskets = baskets_for_distributions([deliveries[0]])
    assert len(baskets) > 200
    with django_assert_max_num_queries(5):
        member_baskets(people[3], deliveries)


# Views -----------------------------------------------------------------------


def _cast(request):
    return {
        name: request.getfixturevalue(name) if name != "anonymous" else None
        for name in (
            "anonymous",
            "member",
            "other_member",
            "organiser",
            "other_organiser",
            "producer_user",
            "other_producer_user",
        )
    }


@pytest.mark.parametrize(
    "url_name", ["contract_list", "contract_create", "contract_detail", "contract_edit"]
)
def test_organiser_pages_permission_matrix(request, as_user, contract, small, url_name):
    args = [contract.collective.slug]
    if url_name in ("contract_detail", "contract_edit"):
        args.append(contract.pk)
    url = reverse(f"orders:{url_name}", args=args)
    expected = {
        "anonymous": 302,
        "member": 404,
        "other_member": 404,
        "organiser": 200,
        "other_organiser": 404,
        "producer_user": 404,
        "other_producer_user": 404,
    }
    for name, user in _cast(request).items():
        response = as_user(user).get(url)
        assert response.status_code == expected[name], name
        if name == "anonymous":
            assert "/login" in response["Location"] or "login" in response["Location"]


def test_another_collectives_contract_is_a_404_for_an_organiser(
    as_user, organiser, other_collective, collective
):
    foreign = ContractFactory(collective=other_collective)
    for name in ("contract_detail", "contract_edit"):
        url = reverse(f"orders:{name}", args=[collective.slug, foreign.pk])
        assert as_user(organiser).get(url).status_code == 404


def test_contract_list_shows_counts_against_min_and_max(
    as_user, organiser, contract, small, collective, english
):
    contract.min_subscribers, contract.max_subscribers = 3, 10
    contract.save()
    for _ in range(2):
        SubscriptionFactory(contract=contract, option=small, member=_member(collective))
    SubscriptionFactory(
        contract=contract, option=small, member=_member(collective), status="cancelled"
    )
    response = as_user(organiser).get(
        reverse("orders:contract_list", args=[collective.slug])
    )
    html = response.content.decode()
    assert 'data-subscribers="2"' in html
    assert "min 3" in html and "max 10" in html
    assert "Below the minimum" in html


def test_contract_list_in_a_fixed_number_of_queries(
    as_user, organiser, collective, producer, django_assert_max_num_queries
):
    for _ in range(60):
        contract = ContractFactory(collective=collective, producer=producer)
        SubscriptionFactory(
            contract=contract, option=ContractOptionFactory(contract=contract)
        )
    client = as_user(organiser)
    url = reverse("orders:contract_list", args=[collective.slug])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_organiser_creates_a_contract_from_the_form(
    as_user, organiser, collective, producer, deliveries
):
    bread = ProductFactory(producer=producer, name="Pain de campagne")
    data = {
        "producer": producer.pk,
        "name": "Contrat pain",
        "description": "Un pain par semaine",
        "deliveries": [d.pk for d in deliveries],
        "instalment_choices": ["1", "3"],
        "signup_deadline": (timezone.localtime() + timedelta(days=7)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "min_subscribers": "0",
        "max_subscribers": "30",
        "status": "open",
        "options-TOTAL_FORMS": "2",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "1",
        "options-MAX_NUM_FORMS": "1000",
        "options-0-name": "1 pain de campagne",
        "options-0-price_per_delivery": "4.80",
        "options-0-product": str(bread.pk),
        "options-1-name": "",
        "options-1-price_per_delivery": "",
    }
    response = as_user(organiser).post(
        reverse("orders:contract_create", args=[collective.slug]), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contract = Contract.objects.get(name="Contrat pain")
    assert contract.collective == collective
    assert contract.instalment_choices == [1, 3]
    assert contract.deliveries.count() == 3
    assert contract.options.get().price_per_delivery == D("4.80")

    # Editing: the option is renamed, a second one added.
    data.update(
        {
            "options-INITIAL_FORMS": "1",
            "options-0-id": str(contract.options.get().pk),
            "options-0-name": "1 grand pain",
            "options-1-name": "2 pains",
            "options-1-price_per_delivery": "9.60",
        }
    )
    response = as_user(organiser).post(
        reverse("orders:contract_edit", args=[collective.slug, contract.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(contract.options.values_list("name", flat=True)) == [
        "1 grand pain",
        "2 pains",
    ]


def test_contract_form_shows_errors_next_to_fields(
    as_user, organiser, collective, producer, english
):
    response = as_user(organiser).post(
        reverse("orders:contract_create", args=[collective.slug]),
        {
            "producer": producer.pk,
            "name": "",
            "status": "open",
            "options-TOTAL_FORMS": "1",
            "options-INITIAL_FORMS": "0",
            "options-0-name": "x",
            "options-0-price_per_delivery": "abc",
        },
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Contract.objects.exists()


def test_contract_detail_shows_subscribers_and_schedules(
    as_user,
    organiser,
    contract,
    small,
    member,
    collective,
    django_assert_max_num_queries,
):
    _subscribe(contract, member, small, instalments=3)
    for _ in range(40):
        _subscribe(contract, _member(collective), small, instalments=6)
    client = as_user(organiser)
    url = reverse("orders:contract_detail", args=[collective.slug, contract.pk])
    with django_assert_max_num_queries(15):
        response = client.get(url)
    html = response.content.decode()
    assert "Marie Martin" in html
    assert html.count("data-subscription=") == 41


def test_signup_list_shows_open_contracts_of_my_collectives(
    as_user, member, other_member, contract, small, large, english
):
    closed = ContractFactory(collective=contract.collective, name="Contrat fermé")
    closed.signup_deadline = timezone.now() - timedelta(days=1)
    closed.save()
    response = as_user(member).get(reverse("orders:contract_signup_list"))
    html = response.content.decode()
    assert "Contrat légumes hiver" in html
    assert "Contrat fermé" not in html
    assert "36.00" in html or "36,00" in html  # 12 € × 3 deliveries
    assert "60.00" in html or "60,00" in html
    other = as_user(other_member).get(reverse("orders:contract_signup_list"))
    assert "Contrat légumes hiver" not in other.content.decode()
    assert as_user(None).get(reverse("orders:contract_signup_list")).status_code == 302


def test_signup_list_in_a_fixed_number_of_queries(
    as_user, member, collective, producer, deliveries, django_assert_max_num_queries
):
    for _ in range(40):
        contract = ContractFactory(collective=collective, producer=producer)
        contract.deliveries.set(deliveries)
        for price in ("10", "20", "30"):
            ContractOptionFactory(contract=contract, price_per_delivery=D(price))
        SubscriptionFactory(
            contract=contract, option=contract.options.first(), member=member
        )
    client = as_user(member)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("orders:contract_signup_list")).status_code == 200


def test_subscribe_page_permission_matrix(request, as_user, contract, small):
    url = reverse("orders:contract_subscribe", args=[contract.pk])
    expected = {
        "anonymous": 302,
        "member": 200,
        "other_member": 404,
        "organiser": 200,  # an organiser is a member too
        "other_organiser": 404,
        "producer_user": 404,
        "other_producer_user": 404,
    }
    for name, user in _cast(request).items():
        assert as_user(user).get(url).status_code == expected[name], name


def test_member_signs_up_from_the_form(
    as_user,
    member,
    contract,
    small,
    collective,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    partner = _member(collective)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(member).post(
            reverse("orders:contract_subscribe", args=[contract.pk]),
            {
                "option": small.pk,
                "quantity": "2",
                "instalments": "3",
                "sharing": "split",
                "shared_with": partner.pk,
            },
        )
    subscription = Subscription.objects.get(member=member)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "orders:subscription_detail", args=[subscription.pk]
    )
    assert subscription.total == D("72.00")
    assert subscription.schedule.count() == 3
    assert len(mailoutbox) == 1


def test_subscribe_form_shows_refusals_next_to_fields(
    as_user, member, contract, small, english
):
    client = as_user(member)
    url = reverse("orders:contract_subscribe", args=[contract.pk])
    response = client.post(
        url, {"option": small.pk, "quantity": "11", "instalments": "2", "sharing": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "less than or equal to 10" in html
    assert "Select a valid choice" in html
    response = client.post(
        url,
        {
            "option": small.pk,
            "quantity": "1",
            "instalments": "1",
            "sharing": "alternate",
        },
    )
    assert "Choose the member you share the basket with." in response.content.decode()
    _subscribe(contract, member, small)
    response = client.post(
        url, {"option": small.pk, "quantity": "1", "instalments": "1", "sharing": ""}
    )
    assert response.status_code == 400
    assert "You have already signed this contract." in response.content.decode()
    assert Subscription.objects.filter(member=member).count() == 1


def test_subscribing_after_the_deadline_is_a_404(as_user, member, contract, small):
    contract.signup_deadline = timezone.now() - timedelta(seconds=1)
    contract.save()
    url = reverse("orders:contract_subscribe", args=[contract.pk])
    assert as_user(member).get(url).status_code == 404


def test_subscription_detail_is_for_its_member_only(
    request, as_user, contract, small, member
):
    subscription = _subscribe(contract, member, small, instalments=3)
    url = reverse("orders:subscription_detail", args=[subscription.pk])
    expected = {
        "anonymous": 302,
        "member": 200,
        "other_member": 404,
        "organiser": 404,
        "other_organiser": 404,
        "producer_user": 404,
        "other_producer_user": 404,
    }
    for name, user in _cast(request).items():
        assert as_user(user).get(url).status_code == expected[name], name
    html = as_user(member).get(url).content.decode()
    assert html.count("data-instalment=") == 3


def test_subscription_cancel_permission_matrix(
    request, as_user, contract, small, member, collective
):
    url_for = lambda s: reverse("orders:subscription_cancel", args=[s.pk])  # noqa: E731
    subscription = _subscribe(contract, member, small)
    for name in ("other_member", "other_organiser", "producer_user"):
        user = request.getfixturevalue(name)
        assert as_user(user).post(url_for(subscription)).status_code == 404, name
    assert as_user(None).post(url_for(subscription)).status_code == 302
    assert as_user(member).get(url_for(subscription)).status_code == 405
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert as_user(member).post(url_for(subscription)).status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == "cancelled"
    other = _subscribe(contract, _member(collective), small)
    organiser = request.getfixturevalue("organiser")
    response = as_user(organiser).post(url_for(other))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == "cancelled"


# Demo ------------------------------------------------------------------------


def test_build_contracts_is_idempotent(collective, organiser, deliveries):
    from amap.orders.demo import build_contracts
    from amap.orders.models import Instalment

    farms = []
    for name in (
        "Maraîchage de la Sèvre",
        "Fournil du Loroux",
        "Volailles du Bois-Joli",
    ):
        farm = ProducerFactory(name=name)
        PartnershipFactory(producer=farm, collective=collective)
        farms.append(farm)
    for _ in range(30):
        _member(collective)
    created = build_contracts(
        collectives={"dervallieres": collective}, producers=farms, organiser=organiser
    )
    assert created > 20
    assert Contract.objects.filter(collective=collective, status="open").count() == 3
    for subscription in Subscription.objects.all():
        amounts = subscription.schedule.values_list("amount", flat=True)
        assert sum(amounts) == subscription.total
        assert len(amounts) == subscription.instalments
    assert Instalment.objects.filter(paid_at__isnull=False).exists()
    assert Subscription.objects.exclude(sharing="").exists()
    assert baskets_for_distributions([deliveries[0]])
    before = (Subscription.objects.count(), Absence.objects.count())
    assert (
        build_contracts(collectives=[collective], producers=farms, organiser=organiser)
        == 0
    )
    assert (Subscription.objects.count(), Absence.objects.count()) == before


def test_subscribe_counts_a_day_at_two_pickup_points_once(
    contract, small, member, collective, deliveries
):
    contract.deliveries.add(
        DistributionFactory(
            cycle=deliveries[0].cycle,
            pickup_point=PickupPointFactory(collective=collective),
            date=deliveries[0].date,
        )
    )
    assert _subscribe(contract, member, small).total == D("36.00")


@pytest.mark.parametrize(
    "change, field, message",
    [
        (
            {"signup_deadline": "0001-01-01T00:00"},
            "signup_deadline",
            "Enter a date between",
        ),
        (
            {"signup_deadline": "9999-12-31T23:59"},
            "signup_deadline",
            "Enter a date between",
        ),
        (
            {"deliveries": ["99999999999999999999"]},
            "deliveries",
            "Select a valid choice",
        ),
    ],
)
def test_contract_form_refuses_out_of_range_input_next_to_the_field(
    as_user,
    organiser,
    collective,
    producer,
    deliveries,
    english,
    change,
    field,
    message,
):
    bread = ProductFactory(producer=producer, name="Pain de campagne")
    data = {
        "producer": producer.pk,
        "name": "Contrat pain",
        "deliveries": [d.pk for d in deliveries],
        "instalment_choices": ["1"],
        "signup_deadline": (timezone.localtime() + timedelta(days=7)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "min_subscribers": "0",
        "max_subscribers": "30",
        "status": "open",
        "options-TOTAL_FORMS": "1",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "1",
        "options-MAX_NUM_FORMS": "1000",
        "options-0-name": "1 pain de campagne",
        "options-0-price_per_delivery": "4.80",
        "options-0-product": str(bread.pk),
        **change,
    }
    response = as_user(organiser).post(
        reverse("orders:contract_create", args=[collective.slug]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not Contract.objects.filter(name="Contrat pain").exists()
