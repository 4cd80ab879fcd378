"""The picture a shared page shows (Open Graph): its first image block."""

import logging

from django import template
from wagtail.blocks import StreamValue

register = template.Library()
logger = logging.getLogger(__name__)

SHARE_RENDITION = "fill-1200x630"


@register.simple_tag(takes_context=True)
def share_image_url(context, page) -> str:
    """The absolute address of a 1200×630 crop of the page's first image
    block, or "" when it has none (or its file cannot be read)."""
    body = getattr(page, "body", None)
    if not isinstance(body, StreamValue):  # e.g. the charter's rich text
        return ""
    for block in body:
        if block.block_type != "image":
            continue
        image = block.value.get("image")
        if image is None:
            return ""
        try:
            rendition = image.get_rendition(SHARE_RENDITION)
        except Exception:  # a missing or unreadable file must not break the page
            logger.warning("No share image for page %s", page.pk, exc_info=True)
            return ""
        return context["request"].build_absolute_uri(rendition.url)
    return ""
