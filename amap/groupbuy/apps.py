from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupbuyConfig(AppConfig):
    name = "amap.groupbuy"
    label = "groupbuy"
    verbose_name = _("Group purchases")

    def ready(self):
        from amap.orders.extensions import (
            register_amounts_due,
            register_collected_lines,
            register_member_dues,
        )

        from .hooks import member_dues, sheet_amounts_due, sheet_lines

        register_collected_lines(sheet_lines)
        register_amounts_due(sheet_amounts_due)
        register_member_dues(member_dues)
