from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class CallToActionBlock(blocks.StructBlock):
    """A short text and one button, to a page of the site or another address."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=400)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=60)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("or address"), required=False)

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "cms/blocks/call_to_action.html"

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "page": ValidationError(_("Choose a page or enter an address."))
                }
            )
        return value


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), form_classname="title", template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["bold", "italic", "link", "ol", "ul", "h3", "h4"],
    )
    image = ImageBlock()
    quote = blocks.BlockQuoteBlock(label=_("Quote"))
    call_to_action = CallToActionBlock()
