"""The network's ethical charter as a page: each publication is a new version.

The rules about accepting it (who must, gating, emails) live in
`amap.members.services`; this page only writes the text and, when published,
hands a snapshot of it over.
"""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.rich_text import RichTextMaxLengthValidator, expand_db_html
from wagtail.search import index

from amap.members import services as member_services
from amap.members.models import CharterVersion
from amap.texts import PAGE_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH

CHARTER_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]


class CharterPage(Page):
    """The ethical charter (charte éthique); its published revisions are its
    versions, which members and producers accept."""

    intro = RichTextField(
        _("introduction"),
        blank=True,
        features=["bold", "italic"],
        max_length=TEXT_MAX_LENGTH,
        validators=[RichTextMaxLengthValidator(TEXT_MAX_LENGTH)],
    )
    body = RichTextField(
        _("text of the charter"),
        features=CHARTER_FEATURES,
        max_length=PAGE_TEXT_MAX_LENGTH,
        validators=[RichTextMaxLengthValidator(PAGE_TEXT_MAX_LENGTH)],
        help_text=_("One heading per commitment."),
    )
    what_changed = models.TextField(
        _("what changed in this version"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
        help_text=_(
            "Shown to members and producers when they are asked to accept the "
            "new version, and in the email that tells them. Write a new note "
            "each time you publish a change."
        ),
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("what_changed"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("ethical charter")

    def clean(self):
        super().clean()
        member_services.check_charter_change(
            title=self.title, body=self.snapshot(), what_changed=self.what_changed
        )

    def snapshot(self) -> str:
        """The text as published, with links expanded: what members accept."""
        return expand_db_html(self.body)

    def relative_url(self) -> str:
        parts = self.get_url_parts()
        return parts[2] if parts else ""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        versions = list(CharterVersion.objects.latest_first())
        context["versions"] = versions
        context["current_version"] = versions[0] if versions else None
        context["accepted"] = None
        if versions and member_services.charter_applies_to(request.user):
            # Only the people bound by the charter are asked to accept it.
            _version, accepted = member_services.charter_status(request.user)
            context["accepted"] = accepted
        return context


def record_charter_version(sender, instance, revision=None, **kwargs) -> None:
    """`page_published` receiver: the published charter becomes a version."""
    page = instance.specific
    if not isinstance(page, CharterPage):
        return
    member_services.publish_charter_version(
        title=page.title,
        body=page.snapshot(),
        what_changed=page.what_changed,
        page_url=page.relative_url(),
        source_revision_id=revision.pk if revision is not None else None,
    )
