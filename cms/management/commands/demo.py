from django.core.management.base import BaseCommand
from django.db import transaction

from amap.distribution.demo import build_distribution, remove_demo_distribution
from amap.groupbuy.demo import build_group_purchases, remove_demo_group_purchases
from amap.groupbuy.demo_wishes import build_wishes, remove_demo_wishes
from amap.members.demo import (
    COLLECTIVES,
    DEMO_PASSWORD,
    build_members,
    remove_demo_members,
)
from amap.orders.demo import build_contracts, remove_demo_orders
from amap.orders.demo_orders import (
    build_history_examples,
    build_orders,
    record_past_closings,
)
from amap.producers.demo import build_producers, remove_demo_producers
from amap.producers.demo_catalogue import build_catalogues, build_offers
from cms.demo import build_site


class Command(BaseCommand):
    help = (
        "Build a realistic demo network around Nantes (collectives, members, "
        "organisers, producers, site content). Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove the demo data first, then build it again.",
        )

    def handle(self, *args, reset=False, **options):
        with transaction.atomic():
            if reset:
                slugs = [c["slug"] for c in COLLECTIVES]
                remove_demo_group_purchases(slugs)
                remove_demo_wishes(slugs)
                remove_demo_orders(slugs)
                remove_demo_producers()
                remove_demo_distribution(slugs)
                remove_demo_members()
            people = build_members()
            build_distribution(collectives=people["collectives"], admin=people["admin"])
            producers = build_producers(
                collectives=people["collectives"],
                producer_users=people["producers"],
                organiser=people["organiser"],
            )
            build_catalogues(producers)
            build_offers(producers)
            build_contracts(
                collectives=people["collectives"],
                producers=producers,
                organiser=people["organiser"],
            )
            build_orders(collectives=people["collectives"])
            build_history_examples(
                collective=people["collectives"]["amap-dervallieres"],
                member=people["member"],
                organiser=people["organiser"],
            )
            record_past_closings(people["collectives"])
            build_group_purchases(
                collectives=people["collectives"], organiser=people["organiser"]
            )
            build_wishes(people["collectives"])
            build_site()

        self.stdout.write(self.style.SUCCESS("Demo network ready."))
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        rows = [
            ("organiser", people["organiser"].email),
            ("member", people["member"].email),
            ("producer", people["producers"][0].email),
            ("site admin", people["admin"].email),
        ]
        for role, email in rows:
            self.stdout.write(f"  {role:<11} {email}")
