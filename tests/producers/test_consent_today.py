"""Issue #15 finding 3, as seen on today's code (to be replaced)."""

from django.core import mail
from django.urls import reverse

from amap.producers.models import Producer
from amap.producers.selectors.moderation import moderated_producer_ids


def test_an_organiser_adding_a_foreign_farm_does_not_moderate_it(
    as_user, other_collective, other_organiser, producer
):
    as_user(other_organiser).post(
        reverse("producers:partnership_add", args=[other_collective.slug]),
        {"producer": producer.pk},
    )
    assert not moderated_producer_ids(other_organiser).filter(
        producer=producer.pk
    ).exists()
    assert not Producer.objects.supplying(other_collective).exists()


def test_naming_a_manager_asks_them_first(
    as_user, collective, organiser, producer_user
):
    as_user(organiser).post(
        reverse("producers:producer_create", args=[collective.slug]),
        {
            "name": "Ferme du Bourg",
            "street": "Le Bourg",
            "postcode": "44330",
            "town": "Vallet",
            "manager_email": producer_user.email,
        },
    )
    assert not producer_user.managed_producers.filter(name="Ferme du Bourg").exists()
    assert len(mail.outbox) == 1


def test_the_answer_does_not_tell_whether_an_account_exists(
    as_user, collective, organiser, producer_user
):
    farm = {"street": "Le Bourg", "postcode": "44330", "town": "Vallet"}
    url = reverse("producers:producer_create", args=[collective.slug])
    known = as_user(organiser).post(
        url, {**farm, "name": "A", "manager_email": producer_user.email}
    )
    unknown = as_user(organiser).post(
        url, {**farm, "name": "B", "manager_email": "nobody@example.org"}
    )
    assert known.status_code == unknown.status_code
