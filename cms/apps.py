from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.signals import page_published

        from amap.members.extensions import register_public_pages

        from .charter import CharterPage, record_charter_version
        from .models import collective_page_urls

        register_public_pages(collective_page_urls)

        from .menu import connect_signals

        connect_signals()

        page_published.connect(
            record_charter_version,
            sender=CharterPage,
            dispatch_uid="cms.charter.record_charter_version",
        )
