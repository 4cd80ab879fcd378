"""The public site's pages in every page's navigation and footer.

The home page's live children are read once and kept in the cache: the
navigation shows those marked "show in menus" (Wagtail's Promote tab), the
footer all of them but the collectives' pages (the collectives have their
own list). Publishing, unpublishing, moving or deleting a page, or changing
its privacy, rebuilds the cached menu once the change is committed, so no
request pays a query for it after the first.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.utils.functional import SimpleLazyObject
from wagtail.models import Page, Site

MENU_CACHE_KEY = "cms:site-menu"
MENU_CACHE_SECONDS = 60 * 60  # processes without a shared cache catch up


def build_site_menu() -> dict:
    """{"nav": [...], "footer": [...]}, each item {"title", "url"}; one query
    for the pages, plus the site's root paths when Wagtail has not cached them."""
    from .models import CollectivePage

    menu = {"nav": [], "footer": []}
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return menu
    collective_type = ContentType.objects.get_for_model(CollectivePage).pk
    root = site.root_page
    for page in root.get_children().live().public().order_by("path"):
        item = {"title": page.title, "url": page.get_url()}
        if page.show_in_menus:
            menu["nav"].append(item)
        if page.content_type_id != collective_type:
            menu["footer"].append(item)
    return menu


def refresh_site_menu() -> dict:
    menu = build_site_menu()
    cache.set(MENU_CACHE_KEY, menu, MENU_CACHE_SECONDS)
    return menu


def site_menu() -> dict:
    menu = cache.get(MENU_CACHE_KEY)
    return refresh_site_menu() if menu is None else menu


def refresh_after_commit(**kwargs) -> None:
    """Signal receiver: a page changed; rebuild the menu once committed."""
    transaction.on_commit(refresh_site_menu)


def menu_context(request) -> dict:
    """Context processor: `site_menu`, read only by templates that show it."""
    return {"site_menu": SimpleLazyObject(site_menu)}


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for name, signal in (
        ("published", page_published),
        ("unpublished", page_unpublished),
        ("moved", post_page_move),
    ):
        signal.connect(refresh_after_commit, dispatch_uid=f"cms.menu.{name}")
    post_delete.connect(_page_deleted, dispatch_uid="cms.menu.post_delete")
    # A page made private (or public again) leaves (or rejoins) the menu.
    for name, signal in (("saved", post_save), ("deleted", post_delete)):
        signal.connect(
            refresh_after_commit,
            sender=PageViewRestriction,
            dispatch_uid=f"cms.menu.restriction_{name}",
        )


def _page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        refresh_after_commit()
