from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "amap.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from amap.distribution.notifications import (
            register_concerned_people,
            register_cycle_closed,
            register_sheet_touched,
        )

        from .selectors.booking import members_with_orders_for
        from .services.documents import on_cycle_closed, on_sheet_touched

        register_concerned_people(members_with_orders_for)
        register_cycle_closed(on_cycle_closed)
        register_sheet_touched(on_sheet_touched)
