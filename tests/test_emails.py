"""Emails are text: what a person typed reaches the subject and the body as
typed, never as HTML entities."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from amap.emails import render_subject
from amap.members.services import send_invitation_email
from tests.factories import InvitationFactory

HOSTILE = "Groupement d'achat <Vignoble> & Co"
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "emails"
SUBJECTS = sorted(
    str(path.relative_to(TEMPLATES.parent)).removesuffix("_subject.txt")
    for path in TEMPLATES.glob("*/*_subject.txt")
)
# Subjects that show no name, only a date.
WITHOUT_A_NAME = {"emails/orders/order_confirmed"}


class Hostile:
    """Any object of any template: each attribute is another one, and each
    reads as `HOSTILE`."""

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name == "date":
            return dt.date(2026, 12, 5)
        return Hostile()

    def __str__(self):
        return HOSTILE


def _context(template: str) -> dict:
    """Every name the subject template starts a lookup with."""
    source = (TEMPLATES.parent / f"{template}_subject.txt").read_text()
    names = re.findall(r"(?:\{\{|=|\bif)\s*([a-z_]+)", source)
    return {name: Hostile() for name in names}


def test_every_subject_template_is_checked():
    assert len(SUBJECTS) >= 15


@pytest.mark.parametrize("template", SUBJECTS)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_subjects_keep_apostrophes_ampersands_and_angle_brackets(template, language):
    with translation.override(language):
        subject = render_subject(template, _context(template))

    assert "&#" not in subject and "&amp;" not in subject and "&lt;" not in subject
    assert "\n" not in subject and "  " not in subject
    if template not in WITHOUT_A_NAME:
        assert HOSTILE in subject


def test_a_subject_written_over_several_lines_comes_out_on_one(english):
    subject = render_subject(
        "emails/orders/sheet_links",
        {"cycle": {"name": "Semaine\n  12", "collective": {"name": "A & B"}}},
    )
    assert subject == "Sheets ready for Semaine 12 (A & B)"


@pytest.mark.django_db
def test_an_invitation_to_a_collective_with_an_apostrophe_reads_as_typed():
    invitation = InvitationFactory(
        collective__name="Groupement d'achat du Vignoble", email="a@example.org"
    )

    send_invitation_email(invitation_id=invitation.pk)

    (email,) = mail.outbox
    assert (
        email.subject
        == "Vous êtes invité·e à rejoindre le collectif Groupement d'achat du Vignoble"
    )
    assert "Groupement d'achat du Vignoble" in email.body
    assert "&#x27;" not in email.body
