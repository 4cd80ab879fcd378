"""Group purchase snippets for pages of other apps (the member dashboard)."""

from django import template

from ..selectors.pledges import open_campaigns_for

register = template.Library()


@register.inclusion_tag("groupbuy/open_campaigns_card.html", takes_context=True)
def open_campaigns_card(context):
    """The campaigns the member can pledge to now (one query)."""
    user = context["user"]
    return {
        "campaigns": list(open_campaigns_for(user)) if user.is_authenticated else []
    }
