from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupbuyConfig(AppConfig):
    name = "amap.groupbuy"
    label = "groupbuy"
    verbose_name = _("Group purchases")
