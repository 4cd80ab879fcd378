from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published

        from .charter import CharterPage, record_charter_version
        from .menu import connect_signals

        connect_signals()

        page_published.connect(
            record_charter_version,
            sender=CharterPage,
            dispatch_uid="cms.charter.record_charter_version",
        )
