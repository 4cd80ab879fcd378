"""Screen readers read a field's help: every `aria-describedby` of a form
points at an element of the page."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def missing_descriptions(html: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    wanted = [
        target
        for value in re.findall(r'aria-describedby="([^"]+)"', html)
        for target in value.split()
    ]
    return [target for target in wanted if target not in ids]


@pytest.mark.parametrize(
    "url_name", ["producers:profile_edit", "producers:product_create"]
)
def test_every_help_text_is_tied_to_its_field(
    as_user, producer, producer_user, url_name
):
    html = as_user(producer_user).get(reverse(url_name, args=[producer.slug]))
    html = html.content.decode()
    assert "aria-describedby=" in html
    assert missing_descriptions(html) == []
