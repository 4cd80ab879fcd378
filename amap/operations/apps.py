from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the site: backups, restores, the health endpoint and the task
    outbox (its one model). Below every app, imports none of them."""

    name = "amap.operations"
    verbose_name = _("Operations")
