from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProducersConfig(AppConfig):
    name = "amap.producers"
    label = "producers"
    verbose_name = _("Producers")

    def ready(self):
        from amap.members.extensions import register_waiting

        from .hooks import organiser_waiting

        register_waiting(organiser_waiting)
